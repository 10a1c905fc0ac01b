using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SecureTransmit.Neural.Internal;

/// <summary>
/// Vectorized elementwise kernels (512-bit, 256-bit or scalar by <see cref="Simd.Active"/>).
/// All spans of one call have the same length unless stated; destination may alias a source.
/// </summary>
internal static unsafe class Elementwise
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Width() => Simd.Active switch { SimdPath.Avx512 => 16, SimdPath.Avx2 => 8, _ => 1 };

    /// <summary>x *= s.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(Span<float> x, float s)
    {
        fixed (float* p = x)
        {
            int n = x.Length, i = 0, w = Width();
            if (w == 16) { var v = Vector512.Create(s); for (; i <= n - 16; i += 16) (Vector512.Load(p + i) * v).Store(p + i); }
            else if (w == 8) { var v = Vector256.Create(s); for (; i <= n - 8; i += 8) (Vector256.Load(p + i) * v).Store(p + i); }
            for (; i < n; i++) p[i] *= s;
        }
    }

    /// <summary>y += x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSame(x.Length, y.Length);
        fixed (float* px = x) fixed (float* py = y)
        {
            int n = x.Length, i = 0, w = Width();
            if (w == 16) for (; i <= n - 16; i += 16) (Vector512.Load(py + i) + Vector512.Load(px + i)).Store(py + i);
            else if (w == 8) for (; i <= n - 8; i += 8) (Vector256.Load(py + i) + Vector256.Load(px + i)).Store(py + i);
            for (; i < n; i++) py[i] += px[i];
        }
    }

    /// <summary>y += a·x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSame(x.Length, y.Length);
        fixed (float* px = x) fixed (float* py = y)
        {
            int n = x.Length, i = 0, w = Width();
            if (w == 16) { var va = Vector512.Create(a); for (; i <= n - 16; i += 16) (Vector512.Load(py + i) + va * Vector512.Load(px + i)).Store(py + i); }
            else if (w == 8) { var va = Vector256.Create(a); for (; i <= n - 8; i += 8) (Vector256.Load(py + i) + va * Vector256.Load(px + i)).Store(py + i); }
            for (; i < n; i++) py[i] += a * px[i];
        }
    }

    /// <summary>y = x + b (b broadcast).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScalar(ReadOnlySpan<float> x, float b, Span<float> y)
    {
        CheckSame(x.Length, y.Length);
        fixed (float* px = x) fixed (float* py = y)
        {
            int n = x.Length, i = 0, w = Width();
            if (w == 16) { var vb = Vector512.Create(b); for (; i <= n - 16; i += 16) (Vector512.Load(px + i) + vb).Store(py + i); }
            else if (w == 8) { var vb = Vector256.Create(b); for (; i <= n - 8; i += 8) (Vector256.Load(px + i) + vb).Store(py + i); }
            for (; i < n; i++) py[i] = px[i] + b;
        }
    }

    /// <summary>Σ x, accumulated in float vectors then double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Sum(ReadOnlySpan<float> x)
    {
        fixed (float* p = x)
        {
            int n = x.Length, i = 0, w = Width();
            double s = 0;
            // Blocks of 1024 keep the float partial sums short before they join the double total.
            while (i < n)
            {
                int end = Math.Min(n, i + 1024);
                if (w == 16)
                {
                    var acc = Vector512<float>.Zero;
                    for (; i <= end - 16; i += 16) acc += Vector512.Load(p + i);
                    s += Vector512.Sum(acc);
                }
                else if (w == 8)
                {
                    var acc = Vector256<float>.Zero;
                    for (; i <= end - 8; i += 8) acc += Vector256.Load(p + i);
                    s += Vector256.Sum(acc);
                }
                for (; i < end; i++) s += p[i];
            }
            return s;
        }
    }

    /// <summary>y = max(x, 0) (NaN stays NaN, like torch.relu).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSame(x.Length, y.Length);
        fixed (float* px = x) fixed (float* py = y)
        {
            int n = x.Length, i = 0, w = Width();
            // x > 0 ? x : (x is NaN ? x : 0): keep x where !(x <= 0).
            if (w == 16) for (; i <= n - 16; i += 16) { var v = Vector512.Load(px + i); Vector512.ConditionalSelect(Vector512.LessThanOrEqual(v, Vector512<float>.Zero), Vector512<float>.Zero, v).Store(py + i); }
            else if (w == 8) for (; i <= n - 8; i += 8) { var v = Vector256.Load(px + i); Vector256.ConditionalSelect(Vector256.LessThanOrEqual(v, Vector256<float>.Zero), Vector256<float>.Zero, v).Store(py + i); }
            for (; i < n; i++) { float v = px[i]; py[i] = v <= 0f ? 0f : v; }
        }
    }

    /// <summary>dx = y &gt; 0 ? dy : 0, from the ReLU output y (PyTorch's threshold_backward).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckSame(y.Length, dy.Length); CheckSame(y.Length, dx.Length);
        fixed (float* py = y) fixed (float* pdy = dy) fixed (float* pdx = dx)
        {
            int n = y.Length, i = 0, w = Width();
            if (w == 16) for (; i <= n - 16; i += 16) Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.Load(py + i), Vector512<float>.Zero), Vector512.Load(pdy + i), Vector512<float>.Zero).Store(pdx + i);
            else if (w == 8) for (; i <= n - 8; i += 8) Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.Load(py + i), Vector256<float>.Zero), Vector256.Load(pdy + i), Vector256<float>.Zero).Store(pdx + i);
            for (; i < n; i++) pdx[i] = py[i] > 0f ? pdy[i] : 0f;
        }
    }

    /// <summary>y = 1 / (1 + e^(−x)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSame(x.Length, y.Length);
        fixed (float* px = x) fixed (float* py = y)
        {
            int n = x.Length, i = 0, w = Width();
            if (w == 16) { var one = Vector512<float>.One; for (; i <= n - 16; i += 16) (one / (one + Exp(-Vector512.Load(px + i)))).Store(py + i); }
            else if (w == 8) { var one = Vector256<float>.One; for (; i <= n - 8; i += 8) (one / (one + Exp(-Vector256.Load(px + i)))).Store(py + i); }
            for (; i < n; i++) py[i] = 1f / (1f + MathF.Exp(-px[i]));
        }
    }

    /// <summary>dx = dy · y · (1 − y), from the sigmoid output y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckSame(y.Length, dy.Length); CheckSame(y.Length, dx.Length);
        fixed (float* py = y) fixed (float* pdy = dy) fixed (float* pdx = dx)
        {
            int n = y.Length, i = 0, w = Width();
            if (w == 16) for (; i <= n - 16; i += 16) { var v = Vector512.Load(py + i); (Vector512.Load(pdy + i) * (v * (Vector512<float>.One - v))).Store(pdx + i); }
            else if (w == 8) for (; i <= n - 8; i += 8) { var v = Vector256.Load(py + i); (Vector256.Load(pdy + i) * (v * (Vector256<float>.One - v))).Store(pdx + i); }
            for (; i < n; i++) { float v = py[i]; pdx[i] = pdy[i] * (v * (1f - v)); }
        }
    }

    /// <summary>y = tanh(x) (scalar MathF.Tanh: full relative accuracy near 0).</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSame(x.Length, y.Length);
        for (int i = 0; i < x.Length; i++) y[i] = MathF.Tanh(x[i]);
    }

    /// <summary>dx = dy · (1 − y²), from the tanh output y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckSame(y.Length, dy.Length); CheckSame(y.Length, dx.Length);
        fixed (float* py = y) fixed (float* pdy = dy) fixed (float* pdx = dx)
        {
            int n = y.Length, i = 0, w = Width();
            if (w == 16) for (; i <= n - 16; i += 16) { var v = Vector512.Load(py + i); (Vector512.Load(pdy + i) * (Vector512<float>.One - v * v)).Store(pdx + i); }
            else if (w == 8) for (; i <= n - 8; i += 8) { var v = Vector256.Load(py + i); (Vector256.Load(pdy + i) * (Vector256<float>.One - v * v)).Store(pdx + i); }
            for (; i < n; i++) { float v = py[i]; pdx[i] = pdy[i] * (1f - v * v); }
        }
    }

    /// <summary>d = a − b; returns Σ d² in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double DiffAndSumSquares(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d)
    {
        CheckSame(a.Length, b.Length); CheckSame(a.Length, d.Length);
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pd = d)
        {
            int n = a.Length, i = 0, w = Width();
            double s = 0;
            while (i < n)
            {
                int end = Math.Min(n, i + 1024);
                if (w == 16)
                {
                    var acc = Vector512<float>.Zero;
                    for (; i <= end - 16; i += 16) { var v = Vector512.Load(pa + i) - Vector512.Load(pb + i); v.Store(pd + i); acc += v * v; }
                    s += Vector512.Sum(acc);
                }
                else if (w == 8)
                {
                    var acc = Vector256<float>.Zero;
                    for (; i <= end - 8; i += 8) { var v = Vector256.Load(pa + i) - Vector256.Load(pb + i); v.Store(pd + i); acc += v * v; }
                    s += Vector256.Sum(acc);
                }
                for (; i < end; i++) { float v = pa[i] - pb[i]; pd[i] = v; s += (double)v * v; }
            }
            return s;
        }
    }

    /// <summary>y = x·scale + shift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaleShift(ReadOnlySpan<float> x, float scale, float shift, Span<float> y)
    {
        CheckSame(x.Length, y.Length);
        fixed (float* px = x) fixed (float* py = y)
        {
            int n = x.Length, i = 0, w = Width();
            if (w == 16) { var a = Vector512.Create(scale); var b = Vector512.Create(shift); for (; i <= n - 16; i += 16) (Vector512.Load(px + i) * a + b).Store(py + i); }
            else if (w == 8) { var a = Vector256.Create(scale); var b = Vector256.Create(shift); for (; i <= n - 8; i += 8) (Vector256.Load(px + i) * a + b).Store(py + i); }
            for (; i < n; i++) py[i] = px[i] * scale + shift;
        }
    }

    /// <summary>Σ (x − c)², float vector partial sums joined in double every 1024 values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SumSquaredDeviations(ReadOnlySpan<float> x, float c)
    {
        fixed (float* p = x)
        {
            int n = x.Length, i = 0, w = Width();
            double s = 0;
            while (i < n)
            {
                int end = Math.Min(n, i + 1024);
                if (w == 16)
                {
                    var acc = Vector512<float>.Zero; var vc = Vector512.Create(c);
                    for (; i <= end - 16; i += 16) { var d = Vector512.Load(p + i) - vc; acc += d * d; }
                    s += Vector512.Sum(acc);
                }
                else if (w == 8)
                {
                    var acc = Vector256<float>.Zero; var vc = Vector256.Create(c);
                    for (; i <= end - 8; i += 8) { var d = Vector256.Load(p + i) - vc; acc += d * d; }
                    s += Vector256.Sum(acc);
                }
                for (; i < end; i++) { double d = p[i] - c; s += d * d; }
            }
            return s;
        }
    }

    /// <summary>Returns (Σ dy, Σ (x − c)·dy), float vector partial sums joined in double every 1024 values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double SumDy, double Dot) SumAndCenteredDot(ReadOnlySpan<float> x, float c, ReadOnlySpan<float> dy)
    {
        CheckSame(x.Length, dy.Length);
        fixed (float* px = x) fixed (float* pd = dy)
        {
            int n = x.Length, i = 0, w = Width();
            double s = 0, dot = 0;
            while (i < n)
            {
                int end = Math.Min(n, i + 1024);
                if (w == 16)
                {
                    var a = Vector512<float>.Zero; var b = Vector512<float>.Zero; var vc = Vector512.Create(c);
                    for (; i <= end - 16; i += 16) { var g = Vector512.Load(pd + i); a += g; b += (Vector512.Load(px + i) - vc) * g; }
                    s += Vector512.Sum(a); dot += Vector512.Sum(b);
                }
                else if (w == 8)
                {
                    var a = Vector256<float>.Zero; var b = Vector256<float>.Zero; var vc = Vector256.Create(c);
                    for (; i <= end - 8; i += 8) { var g = Vector256.Load(pd + i); a += g; b += (Vector256.Load(px + i) - vc) * g; }
                    s += Vector256.Sum(a); dot += Vector256.Sum(b);
                }
                for (; i < end; i++) { s += pd[i]; dot += (double)(px[i] - c) * pd[i]; }
            }
            return (s, dot);
        }
    }

    /// <summary>dx = (dy − gradMean − (x − mean)·proj)·scale (BatchNorm's input gradient in training).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BatchNormInputGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, float mean, float gradMean, float proj, float scale, Span<float> dx)
    {
        CheckSame(x.Length, dy.Length); CheckSame(x.Length, dx.Length);
        fixed (float* px = x) fixed (float* pd = dy) fixed (float* po = dx)
        {
            int n = x.Length, i = 0, w = Width();
            if (w == 16)
            {
                var m = Vector512.Create(mean); var gm = Vector512.Create(gradMean); var pr = Vector512.Create(proj); var sc = Vector512.Create(scale);
                for (; i <= n - 16; i += 16) ((Vector512.Load(pd + i) - gm - (Vector512.Load(px + i) - m) * pr) * sc).Store(po + i);
            }
            else if (w == 8)
            {
                var m = Vector256.Create(mean); var gm = Vector256.Create(gradMean); var pr = Vector256.Create(proj); var sc = Vector256.Create(scale);
                for (; i <= n - 8; i += 8) ((Vector256.Load(pd + i) - gm - (Vector256.Load(px + i) - m) * pr) * sc).Store(po + i);
            }
            for (; i < n; i++) po[i] = (pd[i] - gradMean - (px[i] - mean) * proj) * scale;
        }
    }

    // e^x for float vectors (Cephes expf): x = n·ln2 + r with n = round(x·log2 e), |r| ≤ ln2/2, a degree-7
    // polynomial for e^r, times 2^n built in the exponent bits. Inputs are clamped to [−87, 88] (results
    // stay normal floats); max relative error about 2 ulp. The library's Vector512.Exp is far slower.
    private const float ExpLo = -87f, ExpHi = 88f, Log2E = 1.44269504088896341f, Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpLo)), Vector512.Create(ExpHi));
        var n = Vector512.Round(x * Vector512.Create(Log2E));
        var r = x - n * Vector512.Create(Ln2Hi) - n * Vector512.Create(Ln2Lo);
        var y = Vector512.Create(P0);
        y = y * r + Vector512.Create(P1);
        y = y * r + Vector512.Create(P2);
        y = y * r + Vector512.Create(P3);
        y = y * r + Vector512.Create(P4);
        y = y * r + Vector512.Create(P5);
        y = y * (r * r) + r + Vector512<float>.One;
        var pow2 = ((Vector512.ConvertToInt32(n) + Vector512.Create(127)) << 23).AsSingle();
        return y * pow2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(ExpLo)), Vector256.Create(ExpHi));
        var n = Vector256.Round(x * Vector256.Create(Log2E));
        var r = x - n * Vector256.Create(Ln2Hi) - n * Vector256.Create(Ln2Lo);
        var y = Vector256.Create(P0);
        y = y * r + Vector256.Create(P1);
        y = y * r + Vector256.Create(P2);
        y = y * r + Vector256.Create(P3);
        y = y * r + Vector256.Create(P4);
        y = y * r + Vector256.Create(P5);
        y = y * (r * r) + r + Vector256<float>.One;
        var pow2 = ((Vector256.ConvertToInt32(n) + Vector256.Create(127)) << 23).AsSingle();
        return y * pow2;
    }

    private static void CheckSame(int a, int b)
    {
        if (a != b) throw new ArgumentException($"length mismatch: {a} vs {b}");
    }
}
