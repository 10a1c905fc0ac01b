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
            if (w == 16) { var one = Vector512<float>.One; for (; i <= n - 16; i += 16) (one / (one + Vector512.Exp(-Vector512.Load(px + i)))).Store(py + i); }
            else if (w == 8) { var one = Vector256<float>.One; for (; i <= n - 8; i += 8) (one / (one + Vector256.Exp(-Vector256.Load(px + i)))).Store(py + i); }
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

    private static void CheckSame(int a, int b)
    {
        if (a != b) throw new ArgumentException($"length mismatch: {a} vs {b}");
    }
}
