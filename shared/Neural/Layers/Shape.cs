namespace SecureTransmit.Neural.Layers;

/// <summary>
/// [N, d1, d2, ...] → [N, d1·d2·...] (PyTorch <c>nn.Flatten()</c>, start_dim 1). Row-major, so on NCHW input
/// the features come in C, H, W order (Keras flattens NHWC in H, W, C order). Shares the input's data.
/// </summary>
public sealed class Flatten : Module
{
    private int[]? _inputShape;

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 1) throw new ArgumentException("Flatten needs a batch axis");
        _inputShape = (int[])input.Shape.Clone();
        int n = input[0];
        return input.Reshape(n, n == 0 ? 0 : input.Length / n);
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var shape = _inputShape ?? throw new InvalidOperationException("Flatten.Backward needs a Forward first");
        return gradOutput.Reshape(shape);
    }

    public override string ToString() => "Flatten()";
}

/// <summary>
/// Reshapes each sample: [N, ...] → [N, shape...] (Keras <c>Reshape(shape)</c>, PyTorch
/// <c>nn.Unflatten(1, shape)</c> after a flat input). One entry may be −1. Shares the input's data.
/// </summary>
public sealed class Reshape : Module
{
    private readonly int[] _shape;
    private int[]? _inputShape;

    public Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0 || shape.Count(d => d == -1) > 1 || shape.Any(d => d == 0 || d < -1))
            throw new ArgumentException($"Reshape target [{string.Join(",", shape)}] must be positive sizes with at most one -1", nameof(shape));
        _shape = (int[])shape.Clone();
    }

    /// <summary>Target shape of one sample (no batch axis).</summary>
    public IReadOnlyList<int> TargetShape => _shape;

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 1) throw new ArgumentException("Reshape needs a batch axis");
        int n = input[0];
        int per = n == 0 ? 0 : input.Length / n;
        int known = _shape.Where(d => d != -1).Aggregate(1, (a, b) => a * b);
        if (_shape.Contains(-1) ? per % known != 0 : per != known)
            throw new ArgumentException($"Reshape cannot turn {input.ShapeString} into [N,{string.Join(",", _shape)}]");
        _inputShape = (int[])input.Shape.Clone();
        return input.Reshape([n, .. _shape.Select(d => d == -1 ? per / known : d)]);
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var shape = _inputShape ?? throw new InvalidOperationException("Reshape.Backward needs a Forward first");
        return gradOutput.Reshape(shape);
    }

    public override string ToString() => $"Reshape({string.Join(", ", _shape)})";
}
