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
public sealed unsafe class Conv2d : Module, IReluFusable
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;
    private Tensor? _input;
    private float[]? _outCache, _gradCache;

    public Conv2d(int inChannels, int outChannels, int kernelSize, bool bias = true, Init? init = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Padding = (kernelSize - 1) / 2;
        init ??= Init.Default;
        int fanIn = inChannels * kernelSize * kernelSize;
        _weight = new Parameter(new Tensor(outChannels, inChannels, kernelSize, kernelSize));
        init.KaimingUniformDefault(_weight.Value, fanIn);
        if (bias)
        {
            _bias = new Parameter(new Tensor(outChannels));
            init.BiasDefault(_bias.Value, fanIn);
        }
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }

    /// <summary>Zero rows/columns added at the top/left; k−1−Padding go at the bottom/right.</summary>
    public int Padding { get; }

    public Parameter Weight => _weight;
    public Parameter? Bias => _bias;

    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters()
    {
        yield return ("weight", _weight);
        if (_bias != null) yield return ("bias", _bias);
    }

    public override Tensor Forward(Tensor input) => Forward(input, relu: false);

    Tensor IReluFusable.ForwardRelu(Tensor input) => Forward(input, relu: true);

    private Tensor Forward(Tensor input, bool relu)
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
