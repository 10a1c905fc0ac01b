using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural.Layers;

/// <summary>
/// A Keras <c>Dense(out)</c> applied to a channels-last feature map, expressed on our NCHW tensors:
/// it mixes the channel axis at every pixel independently, i.e. a 1×1 convolution.
/// [N, in, H, W] → [N, out, H, W], y[n,:,h,w] = W·x[n,:,h,w] + b.
/// <para>
/// Parameters: <c>weight</c> [out, in] and <c>bias</c> [out] (PyTorch Linear layout; the Keras
/// kernel is [in, out], the transpose of <c>weight</c>). PyTorch equivalent:
/// <c>F.linear(x.permute(0,2,3,1), weight, bias).permute(0,3,1,2)</c>. Initialization as
/// <see cref="Linear"/>: U(−1/√in, 1/√in).
/// </para>
/// </summary>
public sealed unsafe class PointwiseLinear : LinearBase
{
    public PointwiseLinear(int inFeatures, int outFeatures, bool bias = true, Init? init = null)
        : base(inFeatures, outFeatures, bias, init)
    {
    }

    private protected override Tensor Forward(Tensor input, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input[1] != InFeatures)
            throw new ArgumentException($"PointwiseLinear({InFeatures}→{OutFeatures}) expects [N,{InFeatures},H,W], got {input.ShapeString}");
        int n = input[0], h = input[2], w = input[3];
        var output = Buffers.Uninitialized(BufferReuse, ref _outCache, n, OutFeatures, h, w);
        fixed (float* wp = _weight.Value.Data) fixed (float* bp = _bias?.Value.Data) fixed (float* xp = input.Data) fixed (float* yp = output.Data)
            ConvEngine.ForwardBatch(xp, n, InFeatures, h, w, 1, wp, OutFeatures, bp, 0, yp, transposeFlip: false, relu);
        _input = Training ? input : null;
        return output;
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var x = _input ?? throw new InvalidOperationException("PointwiseLinear.Backward needs a Forward in training mode first");
        int n = x[0], h = x[2], w = x[3];
        if (gradOutput.Rank != 4 || gradOutput[0] != n || gradOutput[1] != OutFeatures || gradOutput[2] != h || gradOutput[3] != w)
            throw new ArgumentException($"PointwiseLinear gradient must be [{n},{OutFeatures},{h},{w}], got {gradOutput.ShapeString}");
        var gradInput = InputGradientRequired ? Buffers.Uninitialized(BufferReuse, ref _gradCache, n, InFeatures, h, w) : new Tensor(0);
        fixed (float* wp = _weight.Value.Data) fixed (float* dyp = gradOutput.Data) fixed (float* dxp = gradInput.Data)
        fixed (float* xp = x.Data) fixed (float* gw = _weight.Grad.Data) fixed (float* gb = _bias?.Grad.Data)
        {
            if (InputGradientRequired)
                ConvEngine.ForwardBatch(dyp, n, OutFeatures, h, w, 1, wp, InFeatures, null, 0, dxp, transposeFlip: true);
            ConvEngine.WeightGradientsBatch(xp, dyp, n, InFeatures, OutFeatures, h, w, 1, 0, gw, gb);
        }
        return gradInput;
    }

    public override string ToString() => $"PointwiseLinear(in_features={InFeatures}, out_features={OutFeatures})";
}
