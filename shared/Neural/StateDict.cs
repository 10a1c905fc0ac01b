namespace SecureTransmit.Neural;

/// <summary>Loading parameters and buffers into a module by PyTorch state_dict key.</summary>
public static class StateDictExtensions
{
    /// <summary>
    /// Copies tensors into <paramref name="module"/>'s parameters and buffers. The module's key K is looked
    /// up as <paramref name="prefix"/>+K. With <paramref name="strict"/>, keys of <paramref name="state"/> that
    /// start with the prefix but name nothing in the module are errors too. Every key is checked before
    /// anything is copied, so a failed load leaves the module unchanged.
    /// </summary>
    /// <param name="source">Named in messages ("weight file SOURCE: ..."); null gives "state dict: ...".</param>
    /// <exception cref="WeightFileException">Missing or unexpected keys, or a shape that differs.</exception>
    public static void LoadStateDict(this Module module, IReadOnlyDictionary<string, Tensor> state, bool strict = true,
                                     string? source = null, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(state);
        prefix ??= "";
        string where = source == null ? "state dict" : $"weight file {source}";
        var expected = module.StateDict().ToList();
        var problems = new List<string>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, target) in expected)
        {
            string key = prefix + name;
            known.Add(key);
            if (!state.TryGetValue(key, out var t))
                problems.Add($"tensor '{key}' is missing (model expects {target.ShapeString})");
            else if (!t.Shape.SequenceEqual(target.Shape))
                problems.Add($"tensor '{key}' has shape {t.ShapeString}, model expects {target.ShapeString}");
        }
        if (strict)
            foreach (var key in state.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !known.Contains(k)).Order(StringComparer.Ordinal))
                problems.Add($"tensor '{key}' is not part of the model");
        if (problems.Count > 0)
        {
            string more = problems.Count > 6 ? $"; and {problems.Count - 6} more" : "";
            throw new WeightFileException($"{where}: {string.Join("; ", problems.Take(6))}{more}");
        }
        foreach (var (name, target) in expected) state[prefix + name].Span.CopyTo(target.Span);
    }

    /// <summary>The module's state as a dictionary (live tensors, not copies).</summary>
    public static Dictionary<string, Tensor> StateDictionary(this Module module, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(module);
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (n, t) in module.StateDict(prefix)) d.Add(n, t);
        return d;
    }
}
