using System.Numerics;
using System.Runtime.CompilerServices;
using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural.Layers;

/// <summary>A layer whose parameters live in a constrained set; the trainer calls <see cref="Project"/> after each optimizer step.</summary>
public interface IConstrained
{
    /// <summary>Moves every parameter back into its allowed set (e.g. clamps to a lower bound).</summary>
    void Project();
}

/// <summary>
/// Generalized divisive normalization (Ballé, Laparra, Simoncelli 2016), per pixel across channels:
/// <c>norm_j = beta_j + Σ_i gamma[j, i] · x_i²</c>; GDN gives <c>y_j = x_j / √norm_j</c>, the inverse (IGDN, used in the
/// synthesis transform) <c>y_j = x_j · √norm_j</c>.
/// <para>
/// Parameters: <c>beta</c> [C] (init 1), <c>gamma</c> [C, C] (init 0.1·I), kept in the allowed set
/// <c>beta ≥ 1e-6</c>, <c>gamma ≥ 0</c> by <see cref="Project"/> after each optimizer step (projected gradient; the
/// PyTorch reference applies the same clamp). The sum over channels is a C×C GEMM on x², so the layer costs about
/// C multiply-adds per value.
/// </para>
/// <para>
/// Backward, with <c>s = norm^(−1/2)</c> and <c>t_j = ∂L/∂norm_j</c> (GDN: −½·dy_j·x_j·s_j³; IGDN: ½·dy_j·x_j·s_j):
/// <c>dx_i = dy_i·s_i (GDN) or dy_i/s_i (IGDN) + 2·x_i·Σ_j gamma[j, i]·t_j</c>, <c>dgamma[j, i] = Σ t_j·x_i²</c>,
/// <c>dbeta_j = Σ t_j</c> (sums over images and pixels).
/// </para>
/// </summary>
public sealed unsafe class Gdn : Module, IConstrained
{
    public const float BetaMin = 1e-6f;

    private readonly Parameter _beta, _gamma;
    private float[]? _outCache, _gradCache, _sCache, _scratch;
    private Tensor? _input;

    public Gdn(int channels, bool inverse = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        Channels = channels;
        Inverse = inverse;
        _beta = new Parameter(new Tensor(channels));
        _gamma = new Parameter(new Tensor(channels, channels));
        _beta.Value.Span.Fill(1f);
        for (int i = 0; i < channels; i++) _gamma.Value.Data[i * channels + i] = 0.1f;
    }

    public int Channels { get; }
    public bool Inverse { get; }
    public Parameter Beta => _beta;
    public Parameter Gamma => _gamma;

    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters()
    {
        yield return ("beta", _beta);
        yield return ("gamma", _gamma);
    }

    public void Project()
    {
        foreach (ref float b in _beta.Value.Span) b = MathF.Max(b, BetaMin);
        foreach (ref float g in _gamma.Value.Span) g = MathF.Max(g, 0f);
    }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input[1] != Channels)
            throw new ArgumentException($"{Name}({Channels}) expects [N,{Channels},H,W], got {input.ShapeString}");
        int n = input[0], c = Channels, p = input[2] * input[3];
        var y = Buffers.Uninitialized(BufferReuse, ref _outCache, input.Shape);
        // s = norm^(-1/2) is kept for Backward while training.
        var s = Buffers.Uninitialized(BufferReuse || Training, ref _sCache, input.Shape);
        var x2 = Buffers.Uninitialized(true, ref _scratch, c, p);
        var path = Simd.Active;
        for (int img = 0; img < n; img++)
        {
            long off = (long)img * c * p;
            fixed (float* xp = &input.Data[off]) fixed (float* sp = &s.Data[off]) fixed (float* yp = &y.Data[off])
            fixed (float* x2p = x2.Data) fixed (float* gp = _gamma.Value.Data) fixed (float* bp = _beta.Value.Data)
            {
                Square(xp, x2p, c * p);
                Gemm.Sgemm(false, false, c, p, c, 1f, gp, c, x2p, p, 0f, sp, p, path);
                ForwardPointwise(xp, sp, yp, bp, c, p, Inverse);
            }
        }
        _input = Training ? input : null;
        return y;
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var x = _input ?? throw new InvalidOperationException($"{Name}.Backward needs a Forward in training mode first");
        if (!gradOutput.Shape.AsSpan().SequenceEqual(x.Shape))
            throw new ArgumentException($"{Name} gradient must be {x.ShapeString}, got {gradOutput.ShapeString}");
        int n = x[0], c = Channels, p = x[2] * x[3];
        var dx = Buffers.Uninitialized(BufferReuse, ref _gradCache, x.Shape);
        var scratch = Buffers.Uninitialized(true, ref _scratch, 2, c, p);
        var path = Simd.Active;
        var s = _sCache!;
        for (int img = 0; img < n; img++)
        {
            long off = (long)img * c * p;
            fixed (float* xp = &x.Data[off]) fixed (float* sp = &s[off]) fixed (float* dyp = &gradOutput.Data[off]) fixed (float* dxp = &dx.Data[off])
            fixed (float* tp = scratch.Data) fixed (float* gp = _gamma.Value.Data) fixed (float* dgp = _gamma.Grad.Data) fixed (float* dbp = _beta.Grad.Data)
            {
                float* x2p = tp + (long)c * p;
                // t = dL/dnorm; dx starts as the direct term.
                BackwardPointwise(xp, sp, dyp, tp, dxp, dbp, c, p, Inverse);
                Square(xp, x2p, c * p);
                Gemm.Sgemm(false, true, c, c, p, 1f, tp, p, x2p, p, 1f, dgp, c, path);
                // u = gammaᵀ·t into x2's buffer, then dx += 2·x·u.
                Gemm.Sgemm(true, false, c, p, c, 1f, gp, c, tp, p, 0f, x2p, p, path);
                AddTwoXU(xp, x2p, dxp, c * p);
            }
        }
        return dx;
    }

    private string Name => Inverse ? "IGDN" : "GDN";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Square(float* x, float* x2, int count)
    {
        Parallelism.For(count, Parallelism.WorkersFor(count, 1), (st, e, _) =>
        {
            int i = st;
            for (; i + Vector<float>.Count <= e; i += Vector<float>.Count)
            {
                var v = Unsafe.ReadUnaligned<Vector<float>>(x + i);
                Unsafe.WriteUnaligned(x2 + i, v * v);
            }
            for (; i < e; i++) x2[i] = x[i] * x[i];
        });
    }

    /// <summary>s holds gamma·x² on entry; adds beta, stores s = norm^(−1/2) and y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardPointwise(float* x, float* s, float* y, float* beta, int c, int p, bool inverse)
    {
        Parallelism.For(c, Parallelism.WorkersFor(c, p * 4L), (st, e, _) =>
        {
            for (int ch = st; ch < e; ch++)
            {
                float* xs = x + (long)ch * p, ss = s + (long)ch * p, ys = y + (long)ch * p;
                var vb = new Vector<float>(beta[ch]);
                int i = 0;
                for (; i + Vector<float>.Count <= p; i += Vector<float>.Count)
                {
                    var norm = Unsafe.ReadUnaligned<Vector<float>>(ss + i) + vb;
                    var r = Vector.SquareRoot(norm);
                    var xv = Unsafe.ReadUnaligned<Vector<float>>(xs + i);
                    Unsafe.WriteUnaligned(ss + i, Vector<float>.One / r);
                    Unsafe.WriteUnaligned(ys + i, inverse ? xv * r : xv / r);
                }
                for (; i < p; i++)
                {
                    float r = MathF.Sqrt(ss[i] + beta[ch]);
                    ss[i] = 1f / r;
                    ys[i] = inverse ? xs[i] * r : xs[i] / r;
                }
            }
        });
    }

    /// <summary>t = dL/dnorm, dx = direct term, dbeta += Σ t.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardPointwise(float* x, float* s, float* dy, float* t, float* dx, float* dbeta, int c, int p, bool inverse)
    {
        Parallelism.For(c, Parallelism.WorkersFor(c, p * 6L), (st, e, _) =>
        {
            var half = new Vector<float>(inverse ? 0.5f : -0.5f);
            for (int ch = st; ch < e; ch++)
            {
                long o = (long)ch * p;
                var acc = Vector<float>.Zero;
                int i = 0;
                for (; i + Vector<float>.Count <= p; i += Vector<float>.Count)
                {
                    var si = Unsafe.ReadUnaligned<Vector<float>>(s + o + i);
                    var g = Unsafe.ReadUnaligned<Vector<float>>(dy + o + i);
                    var xi = Unsafe.ReadUnaligned<Vector<float>>(x + o + i);
                    var ti = inverse ? half * g * xi * si : half * g * xi * si * si * si;
                    Unsafe.WriteUnaligned(t + o + i, ti);
                    Unsafe.WriteUnaligned(dx + o + i, inverse ? g / si : g * si);
                    acc += ti;
                }
                double sum = Vector.Sum(acc);
                for (; i < p; i++)
                {
                    float si = s[o + i], g = dy[o + i], xi = x[o + i];
                    float ti = inverse ? 0.5f * g * xi * si : -0.5f * g * xi * si * si * si;
                    t[o + i] = ti;
                    dx[o + i] = inverse ? g / si : g * si;
                    sum += ti;
                }
                dbeta[ch] += (float)sum;
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddTwoXU(float* x, float* u, float* dx, int count)
    {
        Parallelism.For(count, Parallelism.WorkersFor(count, 2), (st, e, _) =>
        {
            int i = st;
            var two = new Vector<float>(2f);
            for (; i + Vector<float>.Count <= e; i += Vector<float>.Count)
            {
                var v = Unsafe.ReadUnaligned<Vector<float>>(dx + i) + two * Unsafe.ReadUnaligned<Vector<float>>(x + i) * Unsafe.ReadUnaligned<Vector<float>>(u + i);
                Unsafe.WriteUnaligned(dx + i, v);
            }
            for (; i < e; i++) dx[i] += 2f * x[i] * u[i];
        });
    }

    public override string ToString() => $"{Name}({Channels})";
}
