using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural.Tests;

public class GemmTests
{
    /// <summary>Every SIMD path this CPU supports, by name (xunit needs public parameter types).</summary>
    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string>();
        foreach (var p in Simd.Supported) data.Add(p.ToString());
        return data;
    }

    [Fact]
    public void This_machine_exercises_the_wide_paths()
    {
        // The brief's build machine has AVX-512: if this fails here, the vector paths went untested.
        Assert.Contains(SimdPath.Scalar, Simd.Supported);
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            Assert.Contains(SimdPath.Avx512, Simd.Supported);
            Assert.Contains(SimdPath.Avx2, Simd.Supported);
            Assert.Equal(SimdPath.Avx512, Simd.Best);
        }
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

    internal static void Check(Random rng, SimdPath path, bool ta, bool tb, int m, int n, int k,
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
