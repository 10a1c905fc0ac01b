using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural.Layers;

/// <summary>
/// Fully connected layer, y = x·Wᵀ + b (PyTorch <c>nn.Linear(in, out)</c>): input [..., in] (any number
/// of leading axes, usually [N, in]) → [..., out].
/// <para>
/// Parameters: <c>weight</c> [out, in], <c>bias</c> [out]. A Keras Dense kernel is [in, out], the
/// transpose of <c>weight</c>. Initialization: PyTorch's default, U(−1/√in, 1/√in) for both.
/// </para>
/// </summary>
public sealed unsafe class Linear : LinearBase
{
    public Linear(int inFeatures, int outFeatures, bool bias = true, Init? init = null)
        : base(inFeatures, outFeatures, bias, init)
    {
    }

    private protected override Tensor Forward(Tensor input, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 1 || input[-1] != InFeatures)
            throw new ArgumentException($"Linear({InFeatures}→{OutFeatures}) expects [..., {InFeatures}], got {input.ShapeString}");
        int rows = input.Length / InFeatures;
        var shape = (int[])input.Shape.Clone();
        shape[^1] = OutFeatures;
        var output = Buffers.Uninitialized(BufferReuse, ref _outCache, shape);
        fixed (float* x = input.Data) fixed (float* w = _weight.Value.Data) fixed (float* y = output.Data)
        {
            var path = Simd.Active;
            Gemm.Sgemm(false, true, rows, OutFeatures, InFeatures, 1f, x, InFeatures, w, InFeatures, 0f, y, OutFeatures, path);
            if (_bias != null)
            {
                var b = _bias.Value.Span;
                for (int r = 0; r < rows; r++) Elementwise.Add(b, output.Data.AsSpan(r * OutFeatures, OutFeatures));
            }
            if (relu) Elementwise.Relu(output.Span, output.Span);
        }
        _input = Training ? input : null;
        return output;
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var x = _input ?? throw new InvalidOperationException("Linear.Backward needs a Forward in training mode first");
        int rows = x.Length / InFeatures;
        if (gradOutput.Rank != x.Rank || gradOutput[-1] != OutFeatures || gradOutput.Length != rows * OutFeatures)
            throw new ArgumentException($"Linear gradient must be [..., {OutFeatures}] matching the input's leading axes, got {gradOutput.ShapeString}");
        var gradInput = InputGradientRequired ? Buffers.Uninitialized(BufferReuse, ref _gradCache, x.Shape) : new Tensor(0);
        var path = Simd.Active;
        fixed (float* xp = x.Data) fixed (float* dy = gradOutput.Data) fixed (float* w = _weight.Value.Data)
        fixed (float* gw = _weight.Grad.Data) fixed (float* dx = gradInput.Data)
        {
            // dW[out, in] += dYᵀ·X ; dX = dY·W
            Gemm.Sgemm(true, false, OutFeatures, InFeatures, rows, 1f, dy, OutFeatures, xp, InFeatures, 1f, gw, InFeatures, path);
            if (InputGradientRequired)
                Gemm.Sgemm(false, false, rows, InFeatures, OutFeatures, 1f, dy, OutFeatures, w, InFeatures, 0f, dx, InFeatures, path);
        }
        if (_bias != null)
        {
            var gb = _bias.Grad.Span;
            var dys = gradOutput.Data;
            for (int r = 0; r < rows; r++) Elementwise.Add(dys.AsSpan(r * OutFeatures, OutFeatures), gb);
        }
        return gradInput;
    }

    public override string ToString() => $"Linear(in_features={InFeatures}, out_features={OutFeatures}, bias={_bias != null})";
}
