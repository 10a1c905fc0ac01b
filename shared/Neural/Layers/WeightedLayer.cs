using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural.Layers;

/// <summary>
/// What the layers with a <c>weight</c> and an optional <c>bias</c> share (<see cref="Conv2d"/>, <see cref="Linear"/>,
/// <see cref="PointwiseLinear"/>): the two parameters under PyTorch's names, PyTorch's default initialization
/// U(−1/√fan_in, 1/√fan_in) for both, the input kept for backward, output and gradient buffers, and a forward pass
/// that can apply a following ReLU in place (fused by <see cref="Sequential"/>).
/// </summary>
public abstract class WeightedLayer : Module, IReluFusable
{
    private protected readonly Parameter _weight;
    private protected readonly Parameter? _bias;
    private protected Tensor? _input;
    private protected float[]? _outCache, _gradCache;

    /// <param name="weightShape">PyTorch's weight shape: [out, in] or [out, in, k, k].</param>
    /// <param name="fanIn">Inputs per output (in, or in·k·k): the initialization's bound is 1/√fan_in.</param>
    /// <param name="bias">Whether the layer has a bias of weightShape[0] values.</param>
    /// <param name="init">Random source; null for <see cref="Init.Default"/>.</param>
    private protected WeightedLayer(int[] weightShape, int fanIn, bool bias, Init? init)
    {
        foreach (int d in weightShape) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(d, nameof(weightShape));
        init ??= Init.Default;
        _weight = new Parameter(new Tensor(weightShape));
        init.KaimingUniformDefault(_weight.Value, fanIn);
        if (bias)
        {
            _bias = new Parameter(new Tensor(weightShape[0]));
            init.BiasDefault(_bias.Value, fanIn);
        }
    }

    public Parameter Weight => _weight;
    public Parameter? Bias => _bias;

    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters()
    {
        yield return ("weight", _weight);
        if (_bias != null) yield return ("bias", _bias);
    }

    public override Tensor Forward(Tensor input) => Forward(input, relu: false);

    Tensor IReluFusable.ForwardRelu(Tensor input) => Forward(input, relu: true);

    /// <summary>The forward pass, with a ReLU applied in place when <paramref name="relu"/>.</summary>
    private protected abstract Tensor Forward(Tensor input, bool relu);
}

/// <summary>
/// What <see cref="Linear"/> and <see cref="PointwiseLinear"/> share: <c>weight</c> [out, in] in PyTorch's Linear
/// layout (a Keras Dense kernel is [in, out], the transpose of <c>weight</c>) and <c>bias</c> [out]. They differ in the
/// axis they mix.
/// </summary>
public abstract class LinearBase : WeightedLayer
{
    private protected LinearBase(int inFeatures, int outFeatures, bool bias, Init? init)
        : base([outFeatures, inFeatures], inFeatures, bias, init)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
}
