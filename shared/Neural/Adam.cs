using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SecureTransmit.Neural;

/// <summary>
/// Hyper-parameters of <see cref="Adam"/>. Defaults are torch.optim.Adam's. Values are doubles, like the Python
/// floats PyTorch receives; they are rounded to float exactly where PyTorch does (tensor arithmetic).
/// </summary>
public sealed class AdamOptions
{
    /// <summary>Step size (default 1e-3, &gt; 0).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decay of the first-moment average (default 0.9, in [0, 1)).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Decay of the second-moment average (default 0.999, in [0, 1)).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Denominator guard (default 1e-8, ≥ 0). Where it is added depends on <see cref="KerasEpsilon"/>.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>L2 penalty added to the gradient, g += wd·θ, as PyTorch Adam (default 0, ≥ 0).</summary>
    public double WeightDecay { get; init; }

    /// <summary>
    /// False (default): PyTorch's form, θ −= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε).
    /// True: Keras's form, θ −= lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε), i.e. ε is the "epsilon hat" of the
    /// Adam paper's §2 footnote, added to the uncorrected √v; it equals PyTorch's form with
    /// ε_torch = ε/√(1−β2ᵗ). (Keras's default ε is 1e-7; pass it explicitly.) Moments are identical.
    /// </summary>
    public bool KerasEpsilon { get; init; }

    public void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be positive and finite");
        if (!(Beta1 is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "beta1 must be in [0, 1)");
        if (!(Beta2 is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "beta2 must be in [0, 1)");
        if (!(Epsilon >= 0) || double.IsInfinity(Epsilon)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "epsilon must be ≥ 0 and finite");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "weight decay must be ≥ 0 and finite");
    }
}

/// <summary>
/// Adam, step for step as <c>torch.optim.Adam</c> (single-tensor path, amsgrad off): per parameter,
/// t += 1; g += wd·θ; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
/// θ −= (lr/(1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε), the bias corrections computed in double as Python does.
/// See <see cref="AdamOptions.KerasEpsilon"/> for Keras's placement of ε.
/// <para>
/// State per parameter, named as PyTorch's optimizer state: <c>exp_avg</c>, <c>exp_avg_sq</c> (shaped as
/// the parameter) and <c>step</c> (a scalar). <see cref="StateDict"/> keys them "{parameter}.{state}".
/// </para>
/// </summary>
public sealed class Adam
{
    private readonly Entry[] _entries;

    public Adam(Module module, AdamOptions? options = null) : this(module?.NamedParameters() ?? throw new ArgumentNullException(nameof(module)), options) { }

    public Adam(IEnumerable<(string Name, Parameter Parameter)> parameters, AdamOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Options = options ?? new AdamOptions();
        Options.Validate();
        LearningRate = Options.LearningRate;
        var list = parameters.ToList();
        var dup = list.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup != null) throw new ArgumentException($"parameter name '{dup.Key}' appears twice");
        _entries = list.Select(p => new Entry(p.Name, p.Parameter)).ToArray();
    }

    public AdamOptions Options { get; }

    /// <summary>Current step size; starts at <see cref="AdamOptions.LearningRate"/>, may be changed by a schedule.</summary>
    public double LearningRate { get; set; }

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var e in _entries) e.Parameter.ZeroGrad();
    }

    /// <summary>Applies one update from the accumulated gradients.</summary>
    public void Step()
    {
        if (!(LearningRate > 0)) throw new InvalidOperationException($"learning rate {LearningRate} must be positive");
        var o = Options;
        Parallel.ForEach(_entries, new ParallelOptions { MaxDegreeOfParallelism = _entries.Length > 8 ? Environment.ProcessorCount : 1 }, e =>
        {
            float step = e.Step.Data[0] + 1;
            e.Step.Data[0] = step;
            double bc1 = 1 - Math.Pow(o.Beta1, step);
            double bc2 = 1 - Math.Pow(o.Beta2, step);
            if (o.KerasEpsilon)
                Update(e, o, (float)(LearningRate * Math.Sqrt(bc2) / bc1), 1f, (float)o.Epsilon);
            else
                Update(e, o, (float)(LearningRate / bc1), (float)Math.Sqrt(bc2), (float)o.Epsilon);
        });
    }

    /// <summary>θ −= stepSize · m / (√v / denomScale + eps) after the moment updates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Update(Entry e, AdamOptions o, float stepSize, float denomScale, float eps)
    {
        var p = e.Parameter.Value.Span;
        var g = e.Parameter.Grad.Span;
        var m = e.ExpAvg.Span;
        var v = e.ExpAvgSq.Span;
        float b1 = (float)o.Beta1, b2 = (float)o.Beta2, c1 = (float)(1 - o.Beta1), c2 = (float)(1 - o.Beta2), wd = (float)o.WeightDecay;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && p.Length >= 8)
        {
            var vb1 = Vector256.Create(b1); var vb2 = Vector256.Create(b2); var vc1 = Vector256.Create(c1); var vc2 = Vector256.Create(c2);
            var vwd = Vector256.Create(wd); var vs = Vector256.Create(stepSize); var vds = Vector256.Create(denomScale); var veps = Vector256.Create(eps);
            for (; i <= p.Length - 8; i += 8)
            {
                var pi = Vector256.Create(p.Slice(i, 8));
                var gi = Vector256.Create(g.Slice(i, 8));
                if (wd != 0f) gi += vwd * pi;
                var mi = Vector256.Create(m.Slice(i, 8)) * vb1 + vc1 * gi;
                var vi = Vector256.Create(v.Slice(i, 8)) * vb2 + vc2 * (gi * gi);
                var denom = Vector256.Sqrt(vi) / vds + veps;
                pi -= vs * (mi / denom);
                mi.CopyTo(m.Slice(i, 8)); vi.CopyTo(v.Slice(i, 8)); pi.CopyTo(p.Slice(i, 8));
            }
        }
        for (; i < p.Length; i++)
        {
            float gi = g[i];
            if (wd != 0f) gi += wd * p[i];
            float mi = m[i] * b1 + c1 * gi;
            float vi = v[i] * b2 + c2 * (gi * gi);
            m[i] = mi; v[i] = vi;
            p[i] -= stepSize * (mi / (MathF.Sqrt(vi) / denomScale + eps));
        }
    }

    /// <summary>Optimizer state for checkpoints: "{name}.exp_avg", "{name}.exp_avg_sq", "{name}.step" (live tensors).</summary>
    public IEnumerable<(string Name, Tensor Value)> StateDict()
    {
        foreach (var e in _entries)
        {
            yield return (e.Name + ".exp_avg", e.ExpAvg);
            yield return (e.Name + ".exp_avg_sq", e.ExpAvgSq);
            yield return (e.Name + ".step", e.Step);
        }
    }

    /// <summary>Restores state saved by <see cref="StateDict"/>; every key must be present with the right shape.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var (name, target) in StateDict())
        {
            if (!state.TryGetValue(name, out var t)) throw new WeightFileException($"optimizer state is missing '{name}'");
            if (t.Length != target.Length || (target.Rank > 0 && !t.Shape.SequenceEqual(target.Shape)))
                throw new WeightFileException($"optimizer state '{name}' has shape {t.ShapeString}, expected {target.ShapeString}");
            t.Span.CopyTo(target.Span);
        }
    }

    private sealed class Entry(string name, Parameter parameter)
    {
        public string Name { get; } = name;
        public Parameter Parameter { get; } = parameter;
        public Tensor ExpAvg { get; } = Tensor.Like(parameter.Value);
        public Tensor ExpAvgSq { get; } = Tensor.Like(parameter.Value);
        public Tensor Step { get; } = new(Array.Empty<int>());
    }
}
