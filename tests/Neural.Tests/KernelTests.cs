using System.Runtime.Intrinsics;
using SecureTransmit.Neural.Internal;
using SecureTransmit.Neural.Layers;

namespace SecureTransmit.Neural.Tests;

/// <summary>Vector kernels against their scalar definitions, on every path this CPU runs.</summary>
[Collection(nameof(SimdPathCollection))]
public class KernelTests
{
    public static TheoryData<string> Paths() => GemmTests.Paths();

    [Theory]
    [MemberData(nameof(Paths))]
    public unsafe void DotNT_matches_naive_sums(string pathName)
    {
        var path = Enum.Parse<SimdPath>(pathName);
        var rng = new Random(5);
        foreach (var (m, n, len) in new[] { (1, 1, 1), (3, 27, 1024), (5, 7, 33), (8, 9, 17), (16, 144, 64), (4, 4, 15) })
        {
            int lda = len + 3, ldb = len + 1, ldc = n + 2;
            var a = GemmTests.Random(rng, m * lda); var b = GemmTests.Random(rng, n * ldb); var c = GemmTests.Random(rng, m * ldc);
            var expected = (float[])c.Clone();
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < len; p++) s += (double)a[i * lda + p] * b[j * ldb + p];
                    expected[i * ldc + j] = (float)(c[i * ldc + j] + s);
                }
            fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
                DotNT.Run(path, m, n, len, pa, lda, pb, ldb, pc, ldc);
            for (int i = 0; i < c.Length; i++)
                Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-5 * Math.Max(1, len), $"{path} {m}x{n}x{len} at {i}: {c[i]} vs {expected[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Pooling_and_upsampling_agree_with_the_scalar_path_on_ties_and_nan(string pathName)
    {
        foreach (var shape in new[] { new[] { 2, 3, 32, 48 }, [1, 2, 16, 16], [1, 2, 18, 16], [1, 1, 5, 32] })
            PoolingCase(pathName, shape);
    }

    private static void PoolingCase(string pathName, int[] shape)
    {
        var rng = new Random(9);
        var x = new Tensor(shape);
        for (int i = 0; i < x.Length; i++) x.Span[i] = MathF.Round((float)rng.NextDouble() * 3) / 3; // many ties
        x.Span[5] = float.NaN;
        x.Span[100] = float.NaN; x.Span[101] = float.NaN;
        var dyPool = new Tensor(shape[0], shape[1], shape[2] / 2, shape[3] / 2);
        for (int i = 0; i < dyPool.Length; i++) dyPool.Span[i] = (float)rng.NextDouble();

        (float[] Y, float[] Dx, float[] U, float[] Du) Run(SimdPath p)
        {
            using var _ = Simd.Force(p);
            var pool = new MaxPool2d(2);
            var y = pool.Forward(x).Span.ToArray();
            var dx = pool.Backward(dyPool).Span.ToArray();
            var up = new Upsample(2);
            var u = up.Forward(x).Span.ToArray();
            var du = up.Backward(up.Forward(x)).Span.ToArray();
            return (y, dx, u, du);
        }

        var reference = Run(SimdPath.Scalar);
        var actual = Run(Enum.Parse<SimdPath>(pathName));
        Assert.Equal(reference.Y, actual.Y);
        Assert.Equal(reference.Dx, actual.Dx);
        Assert.Equal(reference.U, actual.U);
        Assert.Equal(reference.Du, actual.Du);
        Assert.True(float.IsNaN(reference.Y[2]) || shape[3] < 6); // the NaN at column 5 wins its window
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Conv_paths_agree_with_scalar_on_shapes_the_fixtures_lack(string pathName)
    {
        // Widths 64 and 96 (two 32-wide runs in one image row), odd heights, and 1..13 output channels
        // (every row-panel size of the kernels), forward and backward.
        foreach (var (inC, outC, h, w, k) in new[] { (4, 3, 3, 64), (2, 5, 5, 96), (3, 13, 2, 32), (5, 1, 3, 48), (6, 7, 4, 16), (3, 12, 1, 64) }
                                                .Select(t => (t.Item1, t.Item2, t.Item3, t.Item4, 3)))
        {
            var rng = new Random(inC * 100 + outC);
            var x = new Tensor(2, inC, h, w);
            for (int i = 0; i < x.Length; i++) x.Span[i] = (float)rng.NextDouble() - 0.5f;
            var g = new Tensor(2, outC, h, w);
            for (int i = 0; i < g.Length; i++) g.Span[i] = (float)rng.NextDouble() - 0.5f;
            (float[] Y, float[] Dx, float[] Dw, float[] Db) Run(SimdPath p)
            {
                using var _ = Simd.Force(p);
                var conv = new Conv2d(inC, outC, k, init: new Init(7));
                var y = conv.Forward(x).Span.ToArray();
                var dx = conv.Backward(g).Span.ToArray();
                return (y, dx, conv.Weight.Grad.Span.ToArray(), conv.Bias!.Grad.Span.ToArray());
            }
            var r = Run(SimdPath.Scalar);
            var a = Run(Enum.Parse<SimdPath>(pathName));
            string what = $"{pathName} conv {inC}->{outC} {h}x{w}";
            Assert.True(Compare.RelativeError(a.Y, r.Y) < 1e-5, what + " output");
            Assert.True(Compare.RelativeError(a.Dx, r.Dx) < 1e-5, what + " dx");
            Assert.True(Compare.RelativeError(a.Dw, r.Dw) < 1e-5, what + " dw");
            Assert.True(Compare.RelativeError(a.Db, r.Db) < 1e-5, what + " db");
        }
    }

    [Fact]
    public void Vector_exp_is_accurate_to_a_few_ulp()
    {
        double worst = 0;
        for (int i = 0; i < 200_000; i++)
        {
            float x = -87f + 175f * i / 200_000f;
            double exact = Math.Exp(x);
            if (Vector512.IsHardwareAccelerated)
                worst = Math.Max(worst, Math.Abs(Elementwise.Exp(Vector512.Create(x)).GetElement(0) - exact) / exact);
            if (Vector256.IsHardwareAccelerated)
                worst = Math.Max(worst, Math.Abs(Elementwise.Exp(Vector256.Create(x)).GetElement(3) - exact) / exact);
        }
        Assert.InRange(worst, 0, 3e-7); // float epsilon is 1.19e-7
        Assert.Equal(1f, Elementwise.Exp(Vector256.Create(0f)).GetElement(0));
    }

    [Fact]
    public void Sequential_relu_fusion_gives_exactly_the_unfused_results()
    {
        Module[] Make() => [new Conv2d(3, 4, 3, init: new Init(1)), new ReLU(), new BatchNorm2d(4), new ReLU(),
                            new PointwiseLinear(4, 5, init: new Init(2)), new ReLU(), new Flatten(), new Linear(5 * 36, 7, init: new Init(3)), new ReLU()];
        var x = new Tensor(2, 3, 6, 6);
        var rng = new Random(4);
        for (int i = 0; i < x.Length; i++) x.Span[i] = (float)rng.NextDouble() - 0.5f;
        var g = new Tensor(2, 7);
        for (int i = 0; i < g.Length; i++) g.Span[i] = (float)rng.NextDouble() - 0.5f;

        var fusedLayers = Make();
        var fused = new Sequential(fusedLayers);
        var y1 = fused.Forward(x).Span.ToArray();
        var dx1 = fused.Backward(g).Span.ToArray();

        var plain = Make();
        Tensor h = x;
        foreach (var m in plain) h = m.Forward(h);
        Tensor d = g;
        for (int i = plain.Length - 1; i >= 0; i--) d = plain[i].Backward(d);

        Assert.Equal(h.Span.ToArray(), y1);
        Assert.Equal(d.Span.ToArray(), dx1);
        Assert.Equal(plain.SelectMany(m => m.Parameters()).SelectMany(p => p.Grad.Span.ToArray()),
                     fusedLayers.SelectMany(m => m.Parameters()).SelectMany(p => p.Grad.Span.ToArray()));
        Assert.Equal(plain.SelectMany(m => m.NamedBuffers()).SelectMany(b => b.Buffer.Span.ToArray()),
                     fusedLayers.SelectMany(m => m.NamedBuffers()).SelectMany(b => b.Buffer.Span.ToArray()));
    }

    [Fact]
    public void Skipping_the_input_gradient_keeps_parameter_gradients()
    {
        Sequential Make() => new(new Conv2d(3, 4, 3, init: new Init(3)), new ReLU(), new Flatten(), new Linear(4 * 36, 5, init: new Init(4)));
        var x = new Tensor(2, 3, 6, 6);
        var rng = new Random(2);
        for (int i = 0; i < x.Length; i++) x.Span[i] = (float)rng.NextDouble();
        var g = new Tensor(2, 5); g.Span.Fill(0.5f);
        var a = Make(); a.Forward(x); var full = a.Backward(g);
        var b = Make(); b.SkipInputGradient(); b.Forward(x); var skipped = b.Backward(g);
        Assert.Equal([2, 3, 6, 6], full.Shape);
        Assert.Equal(0, skipped.Length);
        Assert.False(b[0].InputGradientRequired);
        Assert.True(b[3].InputGradientRequired);
        Assert.Equal(a.Parameters().SelectMany(p => p.Grad.Span.ToArray()), b.Parameters().SelectMany(p => p.Grad.Span.ToArray()));
    }

    /// <summary>
    /// Eval-mode Sequential runs Upsample(×2) → Conv2d(3×3) [→ ReLU] as one sub-pixel convolution; it must equal the
    /// layers run one by one (up to float rounding: the fused kernel adds taps in another order), on odd sizes, with
    /// and without bias and ReLU, on every SIMD path, and with buffers reused across shapes.
    /// </summary>
    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void Upsample_conv_fusion_equals_the_layers_one_by_one(bool bias, bool relu)
    {
        var rng = new Random(bias ? 11 : 12);
        foreach (var p in new[] { SimdPath.Avx512, SimdPath.Avx2, SimdPath.Scalar }.Where(Simd.IsSupported))
        {
            using var _ = Simd.Force(p);
            // Maps under 6×6 take the unfused path (where fusion does not pay); the rest the fused one.
            foreach (var (n, c, o, h, w) in new[] { (1, 1, 1, 1, 1), (3, 5, 4, 3, 5), (2, 16, 3, 8, 8), (1, 7, 9, 6, 13), (2, 3, 5, 7, 6) })
            {
                Module[] Make() => relu
                    ? [new Upsample(2), new Conv2d(c, o, 3, bias, new Init(5)), new ReLU()]
                    : [new Upsample(2), new Conv2d(c, o, 3, bias, new Init(5))];
                var fused = new Sequential(Make());
                fused.Eval().ReuseBuffers();
                var plain = Make();
                foreach (var m in plain) m.Eval();
                var x = new Tensor(n, c, h, w);
                for (int i = 0; i < x.Length; i++) x.Span[i] = (float)rng.NextDouble() * 2 - 1;

                Tensor expected = x;
                foreach (var m in plain) expected = m.Forward(expected);
                var direct = ((Conv2d)fused[1]).ForwardAfterUpsample2(x, relu).Span.ToArray(); // the kernel itself, any size
                var actual = fused.Forward(x);
                Assert.Equal(expected.Shape, actual.Shape);
                for (int i = 0; i < expected.Length; i++)
                {
                    float tolerance = 1e-5f * Math.Max(1f, Math.Abs(expected.Span[i]));
                    Assert.True(Math.Abs(expected.Span[i] - actual.Span[i]) <= tolerance, $"{p} [{n},{c},{h},{w}]→{o} element {i}: {actual.Span[i]} vs {expected.Span[i]}");
                    Assert.True(Math.Abs(expected.Span[i] - direct[i]) <= tolerance, $"{p} [{n},{c},{h},{w}]→{o} element {i} (kernel): {direct[i]} vs {expected.Span[i]}");
                }
            }
        }
    }
}
