using SecureTransmit.Neural.Internal;
using Xunit.Abstractions;

namespace SecureTransmit.Neural.Tests;

public class GemmTests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    /// <summary>Every SIMD path this CPU supports, by name (xunit needs public parameter types).</summary>
    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string>();
        foreach (var p in Simd.Supported) data.Add(p.ToString());
        return data;
    }

    /// <summary>
    /// Each wide path runs wherever the CPU has it: the CPU's own feature list (the kernel's /proc/cpuinfo flags,
    /// else the raw CPUID bits), read independently of .NET's detection, decides whether the path must be offered;
    /// if it must, a GEMM and a DotNT product forced onto it are counted as running that path's kernels (and no
    /// other's) and checked against double-precision sums. Where the CPU lacks the path the test output says so,
    /// and forcing the path must be refused.
    /// </summary>
    [Theory]
    [InlineData("Avx2")]
    [InlineData("Avx512")]
    public unsafe void Each_wide_path_runs_where_the_cpu_has_it(string pathName)
    {
        var path = Enum.Parse<SimdPath>(pathName);
        var (cpuHas, evidence) = CpuFeatures.Has(path);
        if (!cpuHas)
        {
            _output.WriteLine($"{path}: this CPU lacks it ({evidence}); the {path} kernels were NOT exercised on this machine.");
            Assert.DoesNotContain(path, SimdPaths.Supported);
            Assert.Throws<PlatformNotSupportedException>(() => SimdPaths.Use(path));
            return;
        }
        Assert.True(Simd.IsSupported(path),
            $"the CPU has {path} ({evidence}) but .NET does not offer it: a DOTNET_Enable* setting or an old runtime hides it");
        Assert.Contains(path, SimdPaths.Supported);
        if (path == SimdPath.Avx512) Assert.Equal(SimdPath.Avx512, SimdPaths.Best);

        var before = Enum.GetValues<SimdPath>().ToDictionary(p => p, KernelCalls.On);
        using (SimdPaths.Use(path))
        {
            // threads: 1 keeps every kernel call on this thread, where KernelCalls counts it.
            Check(new Random(3), path: null, false, false, 37, 70, 300, 1f, 0f, pad: 1, threads: 1);
            var rng = new Random(4);
            int m = 5, n = 6, len = 77;
            var x = Random(rng, m * len); var y = Random(rng, n * len); var c = new float[m * n];
            fixed (float* px = x) fixed (float* py = y) fixed (float* pc = c)
                DotNT.Run(Simd.Active, m, n, len, px, len, py, len, pc, n);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int q = 0; q < len; q++) s += (double)x[i * len + q] * y[j * len + q];
                    Assert.True(Math.Abs(c[i * n + j] - s) <= 1e-4, $"{path} DotNT [{i},{j}]: {c[i * n + j]} vs {s}");
                }
        }
        // A convolution on one image runs its kernels on the calling thread too: the implicit-im2col forward
        // (on AVX-512 with ≤ 6 outputs and width 64, the two-run kernel) and the in-place dW products.
        var conv = ConvOnce(path);
        var reference = ConvOnce(SimdPath.Scalar);
        before[SimdPath.Scalar] = KernelCalls.On(SimdPath.Scalar);
        AssertClose(reference.Y, conv.Y, $"{path} conv forward");
        AssertClose(reference.Dx, conv.Dx, $"{path} conv dx");
        AssertClose(reference.Dw, conv.Dw, $"{path} conv dW");
        long ran = KernelCalls.On(path) - before[path];
        _output.WriteLine($"{path}: the CPU has it ({evidence}); {ran} kernel calls ran on it.");
        Assert.True(ran > 0, $"forcing {path} ran none of its kernels");
        foreach (var other in Enum.GetValues<SimdPath>().Where(p => p != path))
            Assert.True(KernelCalls.On(other) == before[other], $"forcing {path} also ran {KernelCalls.On(other) - before[other]} {other} kernel calls");
    }

    private static (float[] Y, float[] Dx, float[] Dw) ConvOnce(SimdPath path)
    {
        using var _ = SimdPaths.Use(path);
        var rng = new Random(6);
        var conv = new Layers.Conv2d(5, 3, 3, init: new Init(2));
        var x = new Tensor(Random(rng, 5 * 8 * 64), 1, 5, 8, 64);
        var y = conv.Forward(x).Span.ToArray();
        var dx = conv.Backward(new Tensor(Random(rng, 3 * 8 * 64), 1, 3, 8, 64)).Span.ToArray();
        var dw = conv.NamedParameters().First(p => p.Name == "weight").Parameter.Grad.Span.ToArray();
        return (y, dx, dw);
    }

    internal static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * Math.Max(1f, Math.Abs(expected[i])), $"{what} at {i}: {actual[i]} vs {expected[i]}");
    }

    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (7, 13, 5), (33, 65, 17), (129, 257, 31), (12, 32, 256), (13, 33, 257), (3, 1024, 27),
    ];

    [Theory]
    [MemberData(nameof(Paths))]
    public void Matches_naive_reference_on_odd_shapes_all_transposes(string pathName)
    {
        var path = Enum.Parse<SimdPath>(pathName);
        var rng = new Random(7);
        foreach (var (m, n, k) in Shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (var (alpha, beta) in new[] { (1f, 0f), (0.5f, 1f), (-1.25f, 0.75f) })
                        Check(rng, path, ta, tb, m, n, k, alpha, beta, pad: (m + n + k) % 3, threads: 1);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Large_blocked_and_threaded_product_matches(string pathName)
    {
        var path = Enum.Parse<SimdPath>(pathName);
        // Crosses every blocking boundary (KC=256, MC=144, NC=2048) and splits over threads.
        var rng = new Random(11);
        Check(rng, path, false, false, 150, 2100, 300, 1f, 0f, pad: 1, threads: 2);
        Check(rng, path, true, true, 301, 97, 530, 0.7f, 0.3f, pad: 0, threads: 2);
        Check(rng, path, false, true, 290, 70, 40, 1f, 1f, pad: 2, threads: 0);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Beta_zero_ignores_nan_in_c_and_k_zero_scales(string pathName)
    {
        var path = Enum.Parse<SimdPath>(pathName);
        var a = new float[6]; var b = new float[6];
        Array.Fill(a, 1f); Array.Fill(b, 2f);
        var c = new float[4]; Array.Fill(c, float.NaN);
        Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2, path);
        Assert.All(c, v => Assert.Equal(6f, v));

        var d = new float[] { 1, 2, 3, 4 };
        Gemm.Sgemm(false, false, 2, 2, 0, 1f, a, 1, b, 2, 0.5f, d, 2, path);
        Assert.Equal(new float[] { 0.5f, 1, 1.5f, 2 }, d);
    }

    [Fact]
    public void Rejects_too_small_operands()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Sgemm(false, false, 4, 4, 4, 1f, new float[15], 4, new float[16], 4, 0f, new float[16], 4));
        Assert.Contains("GEMM A", ex.Message);
    }

    internal static void Check(Random rng, SimdPath? path, bool ta, bool tb, int m, int n, int k,
                               float alpha, float beta, int pad, int threads)
    {
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        var a = Random(rng, aRows * lda); var b = Random(rng, bRows * ldb); var c = Random(rng, m * ldc);
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                expected[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * (double)c[i * ldc + j]);
            }
        var padding = (float[])c.Clone();
        Gemm.Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, path, threads);
        double tol = 1e-6 * Math.Max(1, k) + 1e-6;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double err = Math.Abs(c[i * ldc + j] - expected[i * n + j]);
                if (err > tol)
                    Assert.Fail($"{path} ta={ta} tb={tb} {m}x{n}x{k} α={alpha} β={beta}: C[{i},{j}]={c[i * ldc + j]} expected {expected[i * n + j]}");
            }
            for (int j = n; j < ldc; j++) Assert.Equal(padding[i * ldc + j], c[i * ldc + j]); // never writes past n
        }
    }

    internal static float[] Random(Random rng, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}

/// <summary>What the CPU itself reports, without asking .NET's own instruction-set detection.</summary>
internal static class CpuFeatures
{
    /// <summary>Whether the CPU (and the OS, where it says) has the instructions of <paramref name="path"/>, and where that came from.</summary>
    public static (bool Has, string Evidence) Has(SimdPath path)
    {
        string[] flags = path switch
        {
            SimdPath.Avx512 => ["avx512f"],
            SimdPath.Avx2 => ["avx2", "fma"],
            _ => [],
        };
        const string cpuinfo = "/proc/cpuinfo";
        if (File.Exists(cpuinfo))
        {
            var line = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            if (line is not null)
            {
                var have = line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
                var missing = flags.Where(f => !have.Contains(f)).ToArray();
                return missing.Length == 0
                    ? (true, $"{cpuinfo} lists {string.Join(", ", flags)}")
                    : (false, $"{cpuinfo} does not list {string.Join(", ", missing)}");
            }
        }
        if (!System.Runtime.Intrinsics.X86.X86Base.IsSupported) return (false, "not an x86 CPU");
        var (_, _, ecx1, _) = System.Runtime.Intrinsics.X86.X86Base.CpuId(1, 0);
        var (_, ebx7, _, _) = System.Runtime.Intrinsics.X86.X86Base.CpuId(7, 0);
        bool has = path switch
        {
            SimdPath.Avx512 => (ebx7 & (1 << 16)) != 0,
            SimdPath.Avx2 => (ebx7 & (1 << 5)) != 0 && (ecx1 & (1 << 12)) != 0,
            _ => true,
        };
        return (has, $"CPUID {(has ? "reports" : "does not report")} {string.Join(", ", flags)}");
    }
}
