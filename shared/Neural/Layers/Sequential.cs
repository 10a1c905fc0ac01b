namespace SecureTransmit.Neural.Layers;

/// <summary>
/// Runs children in order (PyTorch <c>nn.Sequential</c>). Children are named "0", "1", ... by position,
/// or given explicit names (e.g. "encoder", "decoder"), which become state_dict key prefixes.
/// Backward runs them in reverse.
/// </summary>
public sealed class Sequential : Module
{
    private readonly List<(string Name, Module Module)> _children = [];

    /// <summary>An empty container; add children with <see cref="Add(Module)"/>.</summary>
    public Sequential() { }

    public Sequential(params Module[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules) Add(m);
    }

    public Sequential(params (string Name, Module Module)[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var (n, m) in modules) Add(n, m);
    }

    /// <summary>Appends a child named by its position.</summary>
    public Sequential Add(Module module) => Add(_children.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);

    /// <summary>Appends a named child.</summary>
    public Sequential Add(string name, Module module)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(module);
        if (name.Contains('.')) throw new ArgumentException($"child name '{name}' must not contain '.'", nameof(name));
        if (_children.Any(c => c.Name == name)) throw new ArgumentException($"duplicate child name '{name}'", nameof(name));
        _children.Add((name, module));
        if (!Training) module.Eval();
        if (BufferReuse) module.ReuseBuffers();
        return this;
    }

    public int Count => _children.Count;

    public Module this[int index] => _children[index].Module;

    public Module this[string name] => _children.FirstOrDefault(c => c.Name == name).Module
        ?? throw new KeyNotFoundException($"Sequential has no child '{name}'");

    protected override IEnumerable<(string Name, Module Module)> Children() => _children;

    /// <summary>Skips the input gradient of this container, i.e. of its first child (whose input is ours).</summary>
    public override Module SkipInputGradient(bool skip = true)
    {
        base.SkipInputGradient(skip);
        if (_children.Count > 0) _children[0].Module.SkipInputGradient(skip);
        return this;
    }

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < _children.Count; i++)
        {
            var m = _children[i].Module;
            // Inference: ×2 nearest upsampling into a 3×3 convolution (and its ReLU) runs as one sub-pixel convolution,
            // where it pays: it computes (H+1)×(W+1) positions for H×W inputs, so on maps under 6×6 the saved work is lost.
            if (m is Upsample { ScaleFactor: 2, Training: false } && i + 1 < _children.Count
                && _children[i + 1].Module is Conv2d { KernelSize: 3, Training: false } conv
                && x.Rank == 4 && x[2] >= 6 && x[3] >= 6)
            {
                bool fuseRelu = i + 2 < _children.Count && _children[i + 2].Module is ReLU { Training: false };
                x = conv.ForwardAfterUpsample2(x, fuseRelu);
                i += fuseRelu ? 2 : 1;
                continue;
            }
            if (m is IReluFusable f && i + 1 < _children.Count && _children[i + 1].Module is ReLU relu && relu.Training == m.Training)
            {
                x = relu.AdoptOutput(f.ForwardRelu(x));
                i++;
                continue;
            }
            x = m.Forward(x);
        }
        return x;
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        var g = gradOutput;
        for (int i = _children.Count - 1; i >= 0; i--) g = _children[i].Module.Backward(g);
        return g;
    }

    public override string ToString() =>
        "Sequential(\n" + string.Join("\n", _children.Select(c => $"  ({c.Name}): {c.Module.ToString()?.Replace("\n", "\n  ")}")) + "\n)";
}
