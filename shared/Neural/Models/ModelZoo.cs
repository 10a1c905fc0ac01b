namespace SecureTransmit.Neural.Models;

/// <summary>Every architecture known by name.</summary>
public static class ModelZoo
{
    private static readonly ModelSpec[] s_all =
    [
        Cae.Compact, Cae.Paper, Cae.PaperBatchNorm, Sae.Sae4, Sae.Sae16, CnnBiGru.Spec,
    ];

    /// <summary>All registered specs, in a stable order.</summary>
    public static IReadOnlyList<ModelSpec> All => s_all;

    public static IEnumerable<string> Names => s_all.Select(s => s.Name);

    public static bool TryGet(string name, out ModelSpec spec)
    {
        spec = s_all.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal))!;
        return spec != null;
    }

    /// <summary>The spec called <paramref name="name"/>; an <see cref="ArgumentException"/> lists the known names otherwise.</summary>
    public static ModelSpec Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryGet(name, out var spec) ? spec
            : throw new ArgumentException($"unknown model '{name}' (known: {string.Join(", ", Names)})", nameof(name));
    }
}
