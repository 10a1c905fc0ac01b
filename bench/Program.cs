using System.Diagnostics;
using SecureTransmit.Bench.Internal;
using SecureTransmit.Neural.Internal;

if (args.Length > 0 && args[0] == "kernel")
{
    unsafe
    {
        var scratchA = new Scratch(); var scratchB = new Scratch(); var scratchC = new Scratch();
        float* pa = scratchA.Get(12 * 256), pb = scratchB.Get(32 * 256), pc = scratchC.Get(12 * 32);
        for (int i = 0; i < 12 * 256; i++) pa[i] = 0.001f * (i % 13);
        for (int i = 0; i < 32 * 256; i++) pb[i] = 0.001f * (i % 11);
        for (int r = 0; r < 5; r++)
        {
            var sw = Stopwatch.StartNew();
            int reps = 200000;
            for (int i = 0; i < reps; i++) GemmKernels.Run(SimdPath.Avx512, 12, 256, pa, pb, pc, 32, 1f, 0f, null);
            Console.WriteLine($"peak1 {Peak.MeasureGflops(1, 0.2):F1}; kernel 12x32x256 L1: {2.0 * 12 * 32 * 256 * reps / sw.Elapsed.TotalSeconds / 1e9:F1} GFLOP/s");
        }
    }
}
if (args.Length > 0 && args[0] == "gemm")
{
    int threads = Environment.ProcessorCount;
    Console.WriteLine($"peak {Peak.MeasureGflops(threads):F1} GFLOP/s ({threads} threads); 1 thread {Peak.MeasureGflops(1):F1}");
    foreach (var (m, n, k) in new[] { (1024, 1024, 1024), (32, 1024, 27), (16, 256, 288), (32, 1024, 288), (3, 1024, 288) })
    {
        var a = new float[m * k]; var b = new float[k * n]; var c = new float[m * n];
        new Random(1).NextBytes(new byte[1]);
        for (int i = 0; i < a.Length; i++) a[i] = (i % 7) * 0.1f;
        for (int i = 0; i < b.Length; i++) b[i] = (i % 5) * 0.1f;
        foreach (int t in new[] { 1, threads })
        {
            double best = double.MaxValue;
            int reps = Math.Max(3, (int)(2e9 / (2.0 * m * n * k)));
            for (int r = 0; r < 3; r++)
            {
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < reps; i++) Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n, threads: t);
                best = Math.Min(best, sw.Elapsed.TotalSeconds / reps);
            }
            Console.WriteLine($"{m}x{n}x{k} threads={t}: {2.0 * m * n * k / best / 1e9:F1} GFLOP/s");
        }
    }
}
return 0;
