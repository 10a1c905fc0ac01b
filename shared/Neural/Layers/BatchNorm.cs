using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural.Layers;

/// <summary>
/// Batch normalization over the channel axis 1 (shared by <see cref="BatchNorm2d"/> and
/// <see cref="BatchNorm1d"/>), numerically as PyTorch:
/// <list type="bullet">
/// <item>training: per channel, mean and biased variance over every other axis normalize the batch,
/// y = (x − mean)/√(var + eps)·weight + bias; then running_mean ← (1−momentum)·running_mean + momentum·mean
/// and running_var ← (1−momentum)·running_var + momentum·var·M/(M−1) (the unbiased variance, M values
/// per channel); num_batches_tracked += 1;</item>
/// <item>evaluation: the running statistics replace the batch ones.</item>
/// </list>
/// Parameters <c>weight</c> [C] (ones) and <c>bias</c> [C] (zeros); buffers <c>running_mean</c> [C]
/// (zeros), <c>running_var</c> [C] (ones), <c>num_batches_tracked</c> (a scalar, kept as float here and
/// written as int64 to weight files, as PyTorch stores it).
/// </summary>
public abstract class BatchNormBase : Module, IReluFusable
{
    private readonly Parameter _weight, _bias;
    private readonly Tensor _runningMean, _runningVar, _numBatches;
    private Tensor? _input;
    private float[]? _mean, _invStd;
    private bool _batchStats;
    private float[]? _outCache, _gradCache;

    private protected BatchNormBase(int numFeatures, float eps, float momentum)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numFeatures);
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be positive");
        if (!(momentum is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1]");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        _weight = new Parameter(new Tensor(numFeatures));
        _weight.Value.Span.Fill(1f);
        _bias = new Parameter(new Tensor(numFeatures));
        _runningMean = new Tensor(numFeatures);
        _runningVar = new Tensor(numFeatures);
        _runningVar.Span.Fill(1f);
        _numBatches = new Tensor(Array.Empty<int>());
    }

    public int NumFeatures { get; }
    public float Eps { get; }
    public float Momentum { get; }
    public Parameter Weight => _weight;
    public Parameter Bias => _bias;
    public Tensor RunningMean => _runningMean;
    public Tensor RunningVar => _runningVar;
    public Tensor NumBatchesTracked => _numBatches;

    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters()
    {
        yield return ("weight", _weight);
        yield return ("bias", _bias);
    }

    protected override IEnumerable<(string Name, Tensor Buffer)> LocalBuffers()
    {
        yield return ("running_mean", _runningMean);
        yield return ("running_var", _runningVar);
        yield return ("num_batches_tracked", _numBatches);
    }

    private protected abstract void CheckInput(Tensor input);

    public override Tensor Forward(Tensor input) => Forward(input, relu: false);

    Tensor IReluFusable.ForwardRelu(Tensor input) => Forward(input, relu: true);

    private Tensor Forward(Tensor input, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input);
        int n = input[0], c = NumFeatures, len = input.Length / Math.Max(1, n * c);
        long m = (long)n * len;
        var output = Buffers.Uninitialized(BufferReuse, ref _outCache, input.Shape);
        var mean = new float[c];
        var invStd = new float[c];
        var x = input.Data; var y = output.Data;
        bool batchStats = Training;
        if (batchStats && m < 2)
            throw new ArgumentException($"{GetType().Name} in training needs more than one value per channel, got input {input.ShapeString}");
        var w = _weight.Value.Data; var b = _bias.Value.Data;
        var rm = _runningMean.Data; var rv = _runningVar.Data;
        Parallelism.For(c, Parallelism.WorkersFor(c, m), (s, e, _) =>
        {
            for (int ch = s; ch < e; ch++)
            {
                double mu, variance;
                if (batchStats)
                {
                    double sum = 0;
                    for (int i = 0; i < n; i++) sum += Elementwise.Sum(x.AsSpan((i * c + ch) * len, len));
                    mu = sum / m;
                    double sq = 0;
                    for (int i = 0; i < n; i++) sq += Elementwise.SumSquaredDeviations(x.AsSpan((i * c + ch) * len, len), (float)mu);
                    variance = sq / m;
                    rm[ch] = (float)((1 - Momentum) * rm[ch] + Momentum * mu);
                    rv[ch] = (float)((1 - Momentum) * rv[ch] + Momentum * (sq / (m - 1)));
                }
                else
                {
                    mu = rm[ch];
                    variance = rv[ch];
                }
                float inv = (float)(1.0 / Math.Sqrt(variance + Eps));
                mean[ch] = (float)mu;
                invStd[ch] = inv;
                float scale = w[ch] * inv, shift = b[ch] - (float)mu * scale;
                for (int i = 0; i < n; i++)
                {
                    var dst = y.AsSpan((i * c + ch) * len, len);
                    Elementwise.ScaleShift(x.AsSpan((i * c + ch) * len, len), scale, shift, dst);
                    if (relu) Elementwise.Relu(dst, dst);
                }
            }
        });
        if (batchStats) _numBatches.Data[0] += 1;
        _batchStats = batchStats;
        _mean = mean;
        _invStd = invStd;
        _input = Training ? input : null;
        return output;
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var xT = _input ?? throw new InvalidOperationException($"{GetType().Name}.Backward needs a Forward in training mode first");
        if (!gradOutput.Shape.SequenceEqual(xT.Shape))
            throw new ArgumentException($"{GetType().Name} gradient must be {xT.ShapeString}, got {gradOutput.ShapeString}");
        int n = xT[0], c = NumFeatures, len = xT.Length / Math.Max(1, n * c);
        long m = (long)n * len;
        var gradInput = Buffers.Uninitialized(BufferReuse, ref _gradCache, xT.Shape);
        var x = xT.Data; var dy = gradOutput.Data; var dx = gradInput.Data;
        var w = _weight.Value.Data; var gw = _weight.Grad.Data; var gb = _bias.Grad.Data;
        var mean = _mean!; var invStd = _invStd!; bool batchStats = _batchStats;
        Parallelism.For(c, Parallelism.WorkersFor(c, m), (s, e, _) =>
        {
            for (int ch = s; ch < e; ch++)
            {
                float mu = mean[ch], inv = invStd[ch];
                double sumDy = 0, dot = 0; // Σdy, Σ(x−mean)·dy
                for (int i = 0; i < n; i++)
                {
                    var (sd, dt) = Elementwise.SumAndCenteredDot(x.AsSpan((i * c + ch) * len, len), mu, dy.AsSpan((i * c + ch) * len, len));
                    sumDy += sd;
                    dot += dt;
                }
                gw[ch] += (float)(dot * inv);
                gb[ch] += (float)sumDy;
                float wi = w[ch] * inv;
                if (batchStats)
                {
                    float gradMean = (float)(sumDy / m);
                    float proj = (float)(dot / m * inv * inv);
                    for (int i = 0; i < n; i++)
                        Elementwise.BatchNormInputGradient(x.AsSpan((i * c + ch) * len, len), dy.AsSpan((i * c + ch) * len, len),
                                                           mu, gradMean, proj, wi, dx.AsSpan((i * c + ch) * len, len));
                }
                else
                {
                    for (int i = 0; i < n; i++)
                        Elementwise.ScaleShift(dy.AsSpan((i * c + ch) * len, len), wi, 0f, dx.AsSpan((i * c + ch) * len, len));
                }
            }
        });
        return gradInput;
    }
}

/// <summary>PyTorch <c>nn.BatchNorm2d(C, eps=1e-5, momentum=0.1)</c> on [N, C, H, W]. See <see cref="BatchNormBase"/>.</summary>
public sealed class BatchNorm2d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f) : BatchNormBase(numFeatures, eps, momentum)
{
    private protected override void CheckInput(Tensor input)
    {
        if (input.Rank != 4 || input[1] != NumFeatures)
            throw new ArgumentException($"BatchNorm2d({NumFeatures}) expects [N,{NumFeatures},H,W], got {input.ShapeString}");
    }

    public override string ToString() => $"BatchNorm2d({NumFeatures}, eps={Eps}, momentum={Momentum})";
}

/// <summary>PyTorch <c>nn.BatchNorm1d(C, eps=1e-5, momentum=0.1)</c> on [N, C] or [N, C, L]. See <see cref="BatchNormBase"/>.</summary>
public sealed class BatchNorm1d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f) : BatchNormBase(numFeatures, eps, momentum)
{
    private protected override void CheckInput(Tensor input)
    {
        if (input.Rank is not (2 or 3) || input[1] != NumFeatures)
            throw new ArgumentException($"BatchNorm1d({NumFeatures}) expects [N,{NumFeatures}] or [N,{NumFeatures},L], got {input.ShapeString}");
    }

    public override string ToString() => $"BatchNorm1d({NumFeatures}, eps={Eps}, momentum={Momentum})";
}
