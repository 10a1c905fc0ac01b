using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural.Layers;

/// <summary>Base of the elementwise activations: keeps the output, from which each derivative follows.</summary>
public abstract class Activation : Module
{
    private Tensor? _output;
    private float[]? _outCache, _gradCache;

    public sealed override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var output = Buffers.Uninitialized(BufferReuse, ref _outCache, input.Shape);
        Apply(input, output);
        _output = Training ? output : null;
        return output;
    }

    public sealed override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var y = _output ?? throw new InvalidOperationException($"{GetType().Name}.Backward needs a Forward in training mode first");
        if (gradOutput.Length != y.Length)
            throw new ArgumentException($"{GetType().Name} gradient must be {y.ShapeString}, got {gradOutput.ShapeString}");
        var gradInput = Buffers.Uninitialized(BufferReuse, ref _gradCache, y.Shape);
        Derivative(y, gradOutput, gradInput);
        return gradInput;
    }

    /// <summary>
    /// Takes <paramref name="output"/> (already this activation of the previous layer's result, computed by a
    /// fused layer) as this module's output, exactly as if Forward had produced it.
    /// </summary>
    internal Tensor AdoptOutput(Tensor output)
    {
        _output = Training ? output : null;
        return output;
    }

    private protected abstract void Apply(Tensor x, Tensor y);

    private protected abstract void Derivative(Tensor y, Tensor dy, Tensor dx);

    /// <summary>Runs an elementwise kernel over large tensors on all cores.</summary>
    private protected static void Split(int length, Action<int, int> body)
    {
        const int chunk = 1 << 15;
        int workers = Parallelism.WorkersFor(Math.Max(1, length / chunk), chunk);
        Parallelism.For(length, workers, (s, e, _) => body(s, e - s));
    }
}

/// <summary>max(x, 0) (PyTorch <c>nn.ReLU</c>; the gradient at exactly 0 is 0, as in PyTorch).</summary>
public sealed class ReLU : Activation
{
    private protected override void Apply(Tensor x, Tensor y) =>
        Split(x.Length, (s, n) => Elementwise.Relu(x.Data.AsSpan(s, n), y.Data.AsSpan(s, n)));

    private protected override void Derivative(Tensor y, Tensor dy, Tensor dx) =>
        Split(y.Length, (s, n) => Elementwise.ReluBackward(y.Data.AsSpan(s, n), dy.Data.AsSpan(s, n), dx.Data.AsSpan(s, n)));

    public override string ToString() => "ReLU()";
}

/// <summary>1 / (1 + e^(−x)) (PyTorch <c>nn.Sigmoid</c>).</summary>
public sealed class Sigmoid : Activation
{
    private protected override void Apply(Tensor x, Tensor y) =>
        Split(x.Length, (s, n) => Elementwise.Sigmoid(x.Data.AsSpan(s, n), y.Data.AsSpan(s, n)));

    private protected override void Derivative(Tensor y, Tensor dy, Tensor dx) =>
        Split(y.Length, (s, n) => Elementwise.SigmoidBackward(y.Data.AsSpan(s, n), dy.Data.AsSpan(s, n), dx.Data.AsSpan(s, n)));

    public override string ToString() => "Sigmoid()";
}

/// <summary>tanh(x) (PyTorch <c>nn.Tanh</c>).</summary>
public sealed class Tanh : Activation
{
    private protected override void Apply(Tensor x, Tensor y) =>
        Split(x.Length, (s, n) => Elementwise.Tanh(x.Data.AsSpan(s, n), y.Data.AsSpan(s, n)));

    private protected override void Derivative(Tensor y, Tensor dy, Tensor dx) =>
        Split(y.Length, (s, n) => Elementwise.TanhBackward(y.Data.AsSpan(s, n), dy.Data.AsSpan(s, n), dx.Data.AsSpan(s, n)));

    public override string ToString() => "Tanh()";
}
