using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural;

/// <summary>
/// Mean squared error, PyTorch <c>nn.MSELoss()</c> (reduction "mean"): L = Σ(p − t)² / n over all n
/// elements, dL/dp = 2(p − t)/n. The sum is accumulated in double.
/// </summary>
public sealed class MSELoss
{
    private float[]? _gradCache;
    private Tensor? _gradient;

    /// <param name="reuseBuffers">Keep the gradient buffer between calls (it is then valid until the next Forward).</param>
    public MSELoss(bool reuseBuffers = false) => ReuseBuffers = reuseBuffers;

    public bool ReuseBuffers { get; }

    /// <summary>Returns the loss and keeps the gradient for <see cref="Backward"/>.</summary>
    public float Forward(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (!prediction.Shape.SequenceEqual(target.Shape))
            throw new ArgumentException($"MSELoss: prediction {prediction.ShapeString} and target {target.ShapeString} differ in shape");
        var grad = Buffers.Uninitialized(ReuseBuffers, ref _gradCache, prediction.Shape);
        int n = prediction.Length;
        if (n == 0) throw new ArgumentException("MSELoss of an empty tensor");
        double sum = Elementwise.DiffAndSumSquares(prediction.Span, target.Span, grad.Span);
        Elementwise.Scale(grad.Span, 2f / n);
        _gradient = grad;
        return (float)(sum / n);
    }

    /// <summary>dL/dprediction of the last <see cref="Forward"/>.</summary>
    public Tensor Backward() => _gradient ?? throw new InvalidOperationException("MSELoss.Backward needs a Forward first");

    /// <summary>Loss and gradient in one call (fresh tensors).</summary>
    public static (float Loss, Tensor Gradient) Compute(Tensor prediction, Tensor target)
    {
        var l = new MSELoss();
        float loss = l.Forward(prediction, target);
        return (loss, l.Backward());
    }
}
