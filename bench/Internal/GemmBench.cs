using System.Diagnostics;
using SecureTransmit.Neural;
using SecureTransmit.Neural.Internal;
using SecureTransmit.Neural.Layers;

namespace SecureTransmit.Bench.Internal;

internal static class GemmBench
{
    /// <summary>GFLOP/s of C = A·B (row-major, no transposes) on all cores, best of 3 timed rounds.</summary>
    public static double Sgemm(int m, int n, int k, double seconds) => SgemmTimed(m, n, k, seconds).Wall;

    /// <summary>
    /// Wall-clock GFLOP/s (best of 3 rounds) and GFLOP per CPU-second of the process (all threads, summed
    /// over the rounds): the second ignores time slices the shared machine gave to other processes.
    /// </summary>
    public static (double Wall, double PerCpuSecond) SgemmTimed(int m, int n, int k, double seconds)
    {
        var a = Fill(m * k, 1); var b = Fill(k * n, 2); var c = new float[m * n];
        double flops = 2.0 * m * n * k;
        void Once() => Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
        var proc = Process.GetCurrentProcess();
        Once();
        var cpu0 = proc.TotalProcessorTime;
        long calls = 0;
        double wall = Best(() => { Once(); calls++; }, flops, seconds);
        proc.Refresh();
        double cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds;
        return (wall, flops * calls / cpu / 1e9);
    }

    /// <summary>GFLOP/s of a Conv2d(inC→outC, 3×3 same) forward on [batch, inC, size, size] (the implicit-im2col GEMM).</summary>
    public static double ConvForward(int inC, int outC, int size, int batch, double seconds)
    {
        var conv = new Conv2d(inC, outC, 3, init: new Init(1));
        conv.Eval().ReuseBuffers();
        var x = new Tensor(Fill(batch * inC * size * size, 3), batch, inC, size, size);
        double flops = 2.0 * outC * inC * 9 * size * size * batch;
        return Best(() => conv.Forward(x), flops, seconds);
    }

    private static double Best(Action once, double flops, double seconds)
    {
        var warm = Stopwatch.StartNew();
        int calls = 0;
        while (calls < 5 || warm.Elapsed.TotalSeconds < Math.Min(0.5, seconds)) { once(); calls++; }
        double best = 0;
        for (int round = 0; round < 3; round++)
        {
            var sw = Stopwatch.StartNew();
            int n = 0;
            while (n < 2 || sw.Elapsed.TotalSeconds < seconds / 3) { once(); n++; }
            best = Math.Max(best, flops * n / sw.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    private static float[] Fill(int n, int seed)
    {
        var r = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)r.NextDouble() - 0.5f;
        return x;
    }
}
