namespace SecureTransmit.Neural.Layers;

/// <summary>
/// A layer that can apply a following ReLU itself, while its output is still in cache (saves a full pass
/// over the activation). <see cref="Sequential"/> uses it for "layer, ReLU" pairs; the ReLU module then
/// adopts the rectified output, so Backward and the state dict are unchanged and results are identical.
/// </summary>
internal interface IReluFusable
{
    /// <summary>Forward, then ReLU in place on the output.</summary>
    Tensor ForwardRelu(Tensor input);
}
