using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SecureTransmit.Bench.Internal;

/// <summary>Measures the machine's single-precision FMA peak: independent FMA chains on every core.</summary>
internal static class Peak
{
    /// <summary>GFLOP/s (2 flops per lane per FMA) with <paramref name="threads"/> busy cores, best of 7 runs of ~0.1 s.</summary>
    public static double MeasureGflops(int threads)
    {
        long iterations = 1_000_000;
        var sw = Stopwatch.StartNew();
        Chains(iterations);
        iterations = Math.Max(iterations, (long)(iterations * 0.1 / Math.Max(1e-4, sw.Elapsed.TotalSeconds)));
        double best = 0;
        for (int rep = 0; rep < 7; rep++)
        {
            sw.Restart();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => Chains(iterations));
            best = Math.Max(best, (double)threads * iterations * FlopsPerIteration / sw.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    /// <summary>GFLOP per CPU-second of one core running the FMA loop (thread CPU time, best of 5).</summary>
    public static double PerCoreCpuGflops()
    {
        double best = 0;
        for (int i = 0; i < 5; i++)
            best = Math.Max(best, Tune.CpuGflops(() => Chains(20_000_000), 20_000_000.0 * FlopsPerIteration));
        return best;
    }

    /// <summary>One short run (about <paramref name="seconds"/>) of the FMA loop on <paramref name="threads"/> cores.</summary>
    public static double MeasureGflopsOnce(int threads, double seconds)
    {
        long iterations = (long)(seconds * 2e8);
        var sw = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => Chains(iterations));
        return (double)threads * iterations * FlopsPerIteration / sw.Elapsed.TotalSeconds / 1e9;
    }

    internal static int FlopsPerIteration => Avx512F.IsSupported ? 12 * 16 * 2 : Fma.IsSupported ? 12 * 8 * 2 : 12 * 2;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static float Chains(long iterations)
    {
        if (Avx512F.IsSupported)
        {
            var m = Vector512.Create(0.999999f); var add = Vector512.Create(1e-7f);
            Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            for (long i = 0; i < iterations; i++)
            {
                a0 = Avx512F.FusedMultiplyAdd(a0, m, add); a1 = Avx512F.FusedMultiplyAdd(a1, m, add);
                a2 = Avx512F.FusedMultiplyAdd(a2, m, add); a3 = Avx512F.FusedMultiplyAdd(a3, m, add);
                a4 = Avx512F.FusedMultiplyAdd(a4, m, add); a5 = Avx512F.FusedMultiplyAdd(a5, m, add);
                a6 = Avx512F.FusedMultiplyAdd(a6, m, add); a7 = Avx512F.FusedMultiplyAdd(a7, m, add);
                a8 = Avx512F.FusedMultiplyAdd(a8, m, add); a9 = Avx512F.FusedMultiplyAdd(a9, m, add);
                a10 = Avx512F.FusedMultiplyAdd(a10, m, add); a11 = Avx512F.FusedMultiplyAdd(a11, m, add);
            }
            return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }
        if (Fma.IsSupported)
        {
            var m = Vector256.Create(0.999999f); var add = Vector256.Create(1e-7f);
            Vector256<float> a0 = Vector256.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            for (long i = 0; i < iterations; i++)
            {
                a0 = Fma.MultiplyAdd(a0, m, add); a1 = Fma.MultiplyAdd(a1, m, add);
                a2 = Fma.MultiplyAdd(a2, m, add); a3 = Fma.MultiplyAdd(a3, m, add);
                a4 = Fma.MultiplyAdd(a4, m, add); a5 = Fma.MultiplyAdd(a5, m, add);
                a6 = Fma.MultiplyAdd(a6, m, add); a7 = Fma.MultiplyAdd(a7, m, add);
                a8 = Fma.MultiplyAdd(a8, m, add); a9 = Fma.MultiplyAdd(a9, m, add);
                a10 = Fma.MultiplyAdd(a10, m, add); a11 = Fma.MultiplyAdd(a11, m, add);
            }
            return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }
        float s0 = 1, s1 = 1, s2 = 1, s3 = 1, s4 = 1, s5 = 1, s6 = 1, s7 = 1, s8 = 1, s9 = 1, s10 = 1, s11 = 1;
        for (long i = 0; i < iterations; i++)
        {
            s0 = s0 * 0.999999f + 1e-7f; s1 = s1 * 0.999999f + 1e-7f; s2 = s2 * 0.999999f + 1e-7f; s3 = s3 * 0.999999f + 1e-7f;
            s4 = s4 * 0.999999f + 1e-7f; s5 = s5 * 0.999999f + 1e-7f; s6 = s6 * 0.999999f + 1e-7f; s7 = s7 * 0.999999f + 1e-7f;
            s8 = s8 * 0.999999f + 1e-7f; s9 = s9 * 0.999999f + 1e-7f; s10 = s10 * 0.999999f + 1e-7f; s11 = s11 * 0.999999f + 1e-7f;
        }
        return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11;
    }
}
