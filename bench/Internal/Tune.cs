using SecureTransmit.Neural;
using System.Runtime.InteropServices;
using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Bench.Internal;

/// <summary>
/// Blocking experiments on a shared machine: single-thread SGEMM and a pure-FMA loop timed in thread CPU
/// time (clock_gettime(CLOCK_THREAD_CPUTIME_ID)), so time slices given to other processes do not count.
/// </summary>
internal static partial class Tune
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Sec; public long Nsec; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec ts);

    /// <summary>CPU seconds used by the calling thread.</summary>
    public static double ThreadCpuSeconds()
    {
        ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var ts);
        return ts.Sec + ts.Nsec * 1e-9;
    }

    public static double CpuGflops(Action once, double flops)
    {
        double t0 = ThreadCpuSeconds();
        once();
        return flops / (ThreadCpuSeconds() - t0) / 1e9;
    }

    public static void Run(int size, int rounds)
    {
        var variants = new List<Gemm.Blocking?> { null };
        foreach (int kc in new[] { 128, 192, 256, 384 })
            foreach (int mc in new[] { 96, 144, 288 })
                foreach (int mr in new[] { 8, 12 })
                    variants.Add(new Gemm.Blocking(32, mr, kc, mc / mr * mr, 2048));
        var sums = new double[variants.Count];
        var a = new float[size * size]; var b = new float[size * size]; var c = new float[size * size];
        new Random(1).NextBytes(new byte[1]);
        for (int i = 0; i < a.Length; i++) { a[i] = (i % 7) * 0.1f; b[i] = (i % 5) * 0.1f; }
        double flops = 2.0 * size * size * size;
        for (int r = 0; r < rounds; r++)
            for (int v = 0; v < variants.Count; v++)
            {
                double peak = CpuGflops(() => Peak.Chains(4_000_000), 4_000_000.0 * Peak.FlopsPerIteration);
                Gemm.TuningOverride = variants[v];
                double g = CpuGflops(() => Gemm.Sgemm(false, false, size, size, size, 1f, a, size, b, size, 0f, c, size, threads: 1), flops);
                Gemm.TuningOverride = null;
                if (r > 0) sums[v] += g / peak;
            }
        var order = Enumerable.Range(0, variants.Count).OrderByDescending(v => sums[v]).ToList();
        foreach (var v in order.Take(12))
            Console.WriteLine($"{(variants[v]?.ToString() ?? "default " + Gemm.BlockingFor(SimdPath.Avx512)),-70} {sums[v] / (rounds - 1):P1} of 1-thread peak");
    }

    /// <summary>The microkernel alone on L1-resident panels, in thread CPU time, against the FMA loop.</summary>
    public static unsafe void Kernel(int rounds)
    {
        var sa = new Scratch(); var sb = new Scratch(); var sc = new Scratch();
        float* pa = sa.Get(12 * 256), pb = sb.Get(32 * 256), pc = sc.Get(12 * 32);
        for (int i = 0; i < 12 * 256; i++) pa[i] = 0.001f * (i % 13);
        for (int i = 0; i < 32 * 256; i++) pb[i] = 0.001f * (i % 11);
        foreach (int rows in new[] { 12, 8, 4, 3 })
        {
            double sum = 0;
            for (int r = 0; r < rounds; r++)
            {
                double peak = CpuGflops(() => Peak.Chains(4_000_000), 4_000_000.0 * Peak.FlopsPerIteration);
                const int reps = 20000;
                double g = CpuGflops(() => { for (int i = 0; i < reps; i++) GemmKernels.Run(SimdPath.Avx512, rows, 256, pa, pb, pc, 32, 1f, 0f, null); }, 2.0 * rows * 32 * 256 * reps);
                sum += g / peak;
            }
            Console.WriteLine($"kernel {rows}x32, kc 256, L1: {sum / rounds:P1} of 1-thread peak");
        }
    }
}
