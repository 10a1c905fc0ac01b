using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural.Layers;

/// <summary>
/// 2-D convolution, stride 1, padding "same" (PyTorch <c>nn.Conv2d(in, out, k, padding="same")</c>):
/// input [N, C_in, H, W] → output [N, C_out, H, W]. For an even kernel the extra row/column of zeros
/// goes at the bottom/right, as in PyTorch and Keras (top/left padding = (k−1)/2 rounded down).
/// <para>
/// Parameters: <c>weight</c> [C_out, C_in, k, k], <c>bias</c> [C_out] (when <c>bias</c> is true).
/// Initialization: PyTorch's default, U(−1/√fan_in, 1/√fan_in) with fan_in = C_in·k·k.
/// </para>
/// <para>
/// Forward is implicit-im2col GEMM per image (<see cref="ConvEngine"/>), images split over the cores.
/// Backward: dW = Σ_n dY_n·col_nᵀ, db = Σ dY; dX is the same "same" convolution of dY with the
/// kernel flipped in space and transposed in channels (padding k−1−pad), so it reuses the forward engine.
/// </para>
/// </summary>
public sealed unsafe class Conv2d : WeightedLayer
{
    private float[]? _paddedCache, _phaseCache, _phaseOutCache;

    public Conv2d(int inChannels, int outChannels, int kernelSize, bool bias = true, Init? init = null)
        : base([outChannels, inChannels, kernelSize, kernelSize], inChannels * kernelSize * kernelSize, bias, init)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Padding = (kernelSize - 1) / 2;
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }

    /// <summary>Zero rows/columns added at the top/left; k−1−Padding go at the bottom/right.</summary>
    public int Padding { get; }

    private protected override Tensor Forward(Tensor input, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input[1] != InChannels)
            throw new ArgumentException($"Conv2d({InChannels}→{OutChannels}) expects [N,{InChannels},H,W], got {input.ShapeString}");
        int n = input[0], h = input[2], w = input[3];
        var output = Buffers.Uninitialized(BufferReuse, ref _outCache, n, OutChannels, h, w);
        fixed (float* wp = _weight.Value.Data) fixed (float* bp = _bias?.Value.Data) fixed (float* xp = input.Data) fixed (float* yp = output.Data)
            ConvEngine.ForwardBatch(xp, n, InChannels, h, w, KernelSize, wp, OutChannels, bp, Padding, yp, transposeFlip: false, relu);
        _input = Training ? input : null;
        return output;
    }

    /// <summary>
    /// Inference only: this 3×3 convolution applied to the ×2 nearest upsampling of <paramref name="lowRes"/>
    /// [N, C_in, H, W] → [N, C_out, 2H, 2W], without making the upsampled map and with 16 instead of 36 multiply-adds
    /// per input channel and low-resolution pixel. Each output pixel (2i+a, 2j+b) sees, through the upsampling, only a
    /// 2×2 block of low-resolution pixels: rows i+a−1 and i+a, columns j+b−1 and j+b, where taps of the 3×3 kernel that
    /// land on the same low-resolution pixel add up (for a = 0 the top tap row alone, then the other two summed; for
    /// a = 1 the top two summed, then the bottom one). So the four phases (a, b) are four 2×2 kernels, run as one
    /// convolution with 4·C_out outputs over the input padded by one zero row/column on every side, whose
    /// (H+1)×(W+1) results are interleaved into the output. Used by <see cref="Sequential"/> in eval mode.
    /// </summary>
    internal Tensor ForwardAfterUpsample2(Tensor lowRes, bool relu)
    {
        ArgumentNullException.ThrowIfNull(lowRes);
        if (KernelSize != 3) throw new InvalidOperationException("the fused upsample path needs a 3×3 kernel");
        if (lowRes.Rank != 4 || lowRes[1] != InChannels)
            throw new ArgumentException($"Conv2d({InChannels}→{OutChannels}) after Upsample expects [N,{InChannels},H,W], got {lowRes.ShapeString}");
        int n = lowRes[0], c = InChannels, o = OutChannels, h = lowRes[2], w = lowRes[3], hp = h + 1, wp = w + 1;

        // Phase kernels [4·C_out, C_in, 2, 2], phase p = 2a + b; tap s of phase a covers kernel rows
        // a = 0: s0 → {0}, s1 → {1, 2};  a = 1: s0 → {0, 1}, s1 → {2}  (the same for columns with b).
        var phase = Buffers.Uninitialized(true, ref _phaseCache, 4 * o * c * 4 + 4 * o);
        var weight = _weight.Value.Span;
        var k4 = phase.Span[..(4 * o * c * 4)];
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                for (int oc = 0; oc < o; oc++)
                    for (int ic = 0; ic < c; ic++)
                    {
                        var src = weight.Slice((oc * c + ic) * 9, 9);
                        var dst = k4.Slice((((2 * a + b) * o + oc) * c + ic) * 4, 4);
                        for (int s = 0; s < 2; s++)
                            for (int t = 0; t < 2; t++)
                            {
                                float sum = 0;
                                for (int ky = RowFrom(a, s); ky <= RowTo(a, s); ky++)
                                    for (int kx = RowFrom(b, t); kx <= RowTo(b, t); kx++)
                                        sum += src[ky * 3 + kx];
                                dst[s * 2 + t] = sum;
                            }
                    }
        var bias4 = phase.Span.Slice(4 * o * c * 4, 4 * o);
        if (_bias != null) for (int p = 0; p < 4; p++) _bias.Value.Span.CopyTo(bias4.Slice(p * o, o));

        // The input with one extra zero row and column at the bottom/right; the engine's padding adds the top/left.
        var padded = Buffers.Uninitialized(BufferReuse, ref _paddedCache, n, c, hp, wp);
        var xs = lowRes.Data; var ps = padded.Data;
        Parallelism.For(n * c, Parallelism.WorkersFor(n * c, hp * wp), (st, e, _) =>
        {
            for (int pl = st; pl < e; pl++)
            {
                for (int y = 0; y < h; y++)
                {
                    xs.AsSpan(pl * h * w + y * w, w).CopyTo(ps.AsSpan(pl * hp * wp + y * wp, w));
                    ps[pl * hp * wp + y * wp + w] = 0;
                }
                ps.AsSpan(pl * hp * wp + h * wp, wp).Clear();
            }
        });

        var phases = Buffers.Uninitialized(BufferReuse, ref _phaseOutCache, n, 4 * o, hp, wp);
        fixed (float* kp = k4) fixed (float* bp = _bias != null ? bias4 : default) fixed (float* xp = ps) fixed (float* zp = phases.Data)
            ConvEngine.ForwardBatch(xp, n, c, hp, wp, 2, kp, 4 * o, _bias != null ? bp : null, 1, zp, transposeFlip: false, relu);

        // Interleave: y[o, 2i+a, 2j+b] = z[(2a+b)·C_out + o, i+a, j+b].
        var output = Buffers.Uninitialized(BufferReuse, ref _outCache, n, o, 2 * h, 2 * w);
        var zs = phases.Data; var ys = output.Data;
        Parallelism.For(n * o, Parallelism.WorkersFor(n * o, 4 * h * w), (st, e, _) =>
        {
            fixed (float* zBase = zs) fixed (float* yBase = ys)
                for (int pl = st; pl < e; pl++)
                {
                    int img = pl / o, oc = pl % o;
                    for (int a = 0; a < 2; a++)
                    {
                        // Output row 2i+a takes its even columns from phase (a, 0), its odd ones from phase (a, 1).
                        float* even = zBase + ((img * 4 * o) + (2 * a) * o + oc) * (long)hp * wp + a * wp;
                        float* odd = zBase + ((img * 4 * o) + (2 * a + 1) * o + oc) * (long)hp * wp + a * wp + 1;
                        for (int i = 0; i < h; i++)
                            Interleave(even + i * wp, odd + i * wp, yBase + pl * 4L * h * w + (2 * i + a) * 2L * w, w);
                    }
                }
        });
        _input = null;
        return output;
    }

    /// <summary>y[2j] = even[j], y[2j+1] = odd[j] for j &lt; count.</summary>
    private static void Interleave(float* even, float* odd, float* y, int count)
    {
        int j = 0;
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
            for (; j + 4 <= count; j += 4)
            {
                var e4 = System.Runtime.Intrinsics.X86.Sse.LoadVector128(even + j);
                var o4 = System.Runtime.Intrinsics.X86.Sse.LoadVector128(odd + j);
                System.Runtime.Intrinsics.X86.Sse.Store(y + 2 * j, System.Runtime.Intrinsics.X86.Sse.UnpackLow(e4, o4));
                System.Runtime.Intrinsics.X86.Sse.Store(y + 2 * j + 4, System.Runtime.Intrinsics.X86.Sse.UnpackHigh(e4, o4));
            }
        for (; j < count; j++)
        {
            y[2 * j] = even[j];
            y[2 * j + 1] = odd[j];
        }
    }

    private static int RowFrom(int phase, int tap) => phase == 0 ? (tap == 0 ? 0 : 1) : (tap == 0 ? 0 : 2);

    private static int RowTo(int phase, int tap) => phase == 0 ? (tap == 0 ? 0 : 2) : (tap == 0 ? 1 : 2);

    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var x = _input ?? throw new InvalidOperationException("Conv2d.Backward needs a Forward in training mode first");
        int n = x[0], h = x[2], w = x[3];
        if (gradOutput.Rank != 4 || gradOutput[0] != n || gradOutput[1] != OutChannels || gradOutput[2] != h || gradOutput[3] != w)
            throw new ArgumentException($"Conv2d gradient must be [{n},{OutChannels},{h},{w}], got {gradOutput.ShapeString}");
        var gradInput = InputGradientRequired ? Buffers.Uninitialized(BufferReuse, ref _gradCache, n, InChannels, h, w) : new Tensor(0);
        fixed (float* wp = _weight.Value.Data) fixed (float* dyp = gradOutput.Data) fixed (float* dxp = gradInput.Data)
        {
            // dX: "same" conv of dY with the flipped, channel-transposed kernel.
            if (InputGradientRequired)
                ConvEngine.ForwardBatch(dyp, n, OutChannels, h, w, KernelSize, wp, InChannels, null, KernelSize - 1 - Padding, dxp, transposeFlip: true);
            fixed (float* xp = x.Data) fixed (float* gw = _weight.Grad.Data) fixed (float* gb = _bias?.Grad.Data)
                ConvEngine.WeightGradientsBatch(xp, dyp, n, InChannels, OutChannels, h, w, KernelSize, Padding, gw, gb);
        }
        return gradInput;
    }

    public override string ToString() => $"Conv2d({InChannels}, {OutChannels}, kernel_size={KernelSize}, padding=same)";
}
