namespace SecureTransmit.Neural;

/// <summary>A trainable tensor with its gradient, named as in a PyTorch state_dict (e.g. "weight").</summary>
public sealed class Parameter
{
    public Parameter(Tensor value) { Value = value; Grad = Tensor.Like(value); }
    public Tensor Value { get; }
    public Tensor Grad { get; }
    public void ZeroGrad() => Grad.Span.Clear();
}

/// <summary>
/// A layer or a composition of layers. Each layer has an explicit <see cref="Forward"/> and
/// <see cref="Backward"/>: Forward caches what Backward needs; Backward takes dLoss/dOutput,
/// accumulates parameter gradients into <see cref="Parameter.Grad"/> and returns dLoss/dInput.
/// Names of parameters and buffers mirror PyTorch, so weights move by state_dict key.
/// </summary>
public abstract class Module
{
    /// <summary>True while training (BatchNorm uses batch statistics; caches for Backward are kept).</summary>
    public bool Training { get; private set; } = true;

    public abstract Tensor Forward(Tensor input);

    public abstract Tensor Backward(Tensor gradOutput);

    /// <summary>Direct parameters of this module, by local name ("weight", "bias", "weight_ih_l0", ...).</summary>
    protected virtual IEnumerable<(string Name, Parameter Parameter)> LocalParameters() => [];

    /// <summary>Direct non-trainable state (BatchNorm running_mean, running_var, num_batches_tracked).</summary>
    protected virtual IEnumerable<(string Name, Tensor Buffer)> LocalBuffers() => [];

    /// <summary>Child modules by local name ("0", "1", "encoder", ...).</summary>
    protected virtual IEnumerable<(string Name, Module Module)> Children() => [];

    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (n, p) in LocalParameters()) yield return (prefix + n, p);
        foreach (var (cn, c) in Children())
            foreach (var item in c.NamedParameters(prefix + cn + ".")) yield return item;
    }

    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var (n, b) in LocalBuffers()) yield return (prefix + n, b);
        foreach (var (cn, c) in Children())
            foreach (var item in c.NamedBuffers(prefix + cn + ".")) yield return item;
    }

    /// <summary>Parameters and buffers, in PyTorch state_dict order and naming.</summary>
    public IEnumerable<(string Name, Tensor Value)> StateDict(string prefix = "")
    {
        foreach (var (n, p) in LocalParameters()) yield return (prefix + n, p.Value);
        foreach (var (n, b) in LocalBuffers()) yield return (prefix + n, b);
        foreach (var (cn, c) in Children())
            foreach (var item in c.StateDict(prefix + cn + ".")) yield return item;
    }

    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    public void ZeroGrad() { foreach (var p in Parameters()) p.ZeroGrad(); }

    public Module Train(bool on = true)
    {
        Training = on;
        foreach (var (_, c) in Children()) c.Train(on);
        return this;
    }

    public Module Eval() => Train(false);

    /// <summary>
    /// When true (see <see cref="ReuseBuffers"/>), layers write outputs and input gradients into buffers
    /// they keep between calls, so a steady training or inference loop allocates nothing: a tensor a
    /// module returns is then valid only until that module's next Forward (or Backward). Off by
    /// default: every call returns fresh tensors.
    /// </summary>
    public bool BufferReuse { get; private set; }

    /// <summary>Turns <see cref="BufferReuse"/> on or off for this module and all its children.</summary>
    public Module ReuseBuffers(bool on = true)
    {
        BufferReuse = on;
        foreach (var (_, c) in Children()) c.ReuseBuffers(on);
        return this;
    }

    /// <summary>
    /// False after <see cref="SkipInputGradient"/>: Backward then still accumulates parameter gradients
    /// but may skip dLoss/dInput, returning an empty tensor (shape [0]) instead. For a model whose input is
    /// data, as PyTorch skips the gradient of an input that does not require one. Layers with a costly input
    /// gradient (Conv2d, Linear, PointwiseLinear) honour it; a container passes it to its first child.
    /// </summary>
    public bool InputGradientRequired { get; private set; } = true;

    /// <summary>Sets <see cref="InputGradientRequired"/> to <c>!skip</c> (see there).</summary>
    public virtual Module SkipInputGradient(bool skip = true)
    {
        InputGradientRequired = !skip;
        return this;
    }

    /// <summary>Direct children, by local name, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => Children();
}
