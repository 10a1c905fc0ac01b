using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural.Layers;

/// <summary>
/// What <see cref="Linear"/> and <see cref="PointwiseLinear"/> share: a <c>weight</c> [out, in] and an optional
/// <c>bias</c> [out] in PyTorch's Linear layout (a Keras Dense kernel is [in, out], the transpose of <c>weight</c>),
/// initialized as PyTorch initializes Linear: U(−1/√in, 1/√in) for both. The subclasses differ in the axis they mix.
/// </summary>
public abstract class LinearBase : Module, IReluFusable
{
    private protected readonly Parameter _weight;
    private protected readonly Parameter? _bias;
    private protected Tensor? _input;
    private protected float[]? _outCache, _gradCache;

    private protected LinearBase(int inFeatures, int outFeatures, bool bias, Init? init)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        init ??= Init.Default;
        _weight = new Parameter(new Tensor(outFeatures, inFeatures));
        init.KaimingUniformDefault(_weight.Value, inFeatures);
        if (bias)
        {
            _bias = new Parameter(new Tensor(outFeatures));
            init.BiasDefault(_bias.Value, inFeatures);
        }
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Parameter Weight => _weight;
    public Parameter? Bias => _bias;

    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters()
    {
        yield return ("weight", _weight);
        if (_bias != null) yield return ("bias", _bias);
    }

    public override Tensor Forward(Tensor input) => Forward(input, relu: false);

    Tensor IReluFusable.ForwardRelu(Tensor input) => Forward(input, relu: true);

    /// <summary>The forward pass, with a ReLU applied in place when <paramref name="relu"/> (fused by Sequential).</summary>
    private protected abstract Tensor Forward(Tensor input, bool relu);
}
