namespace SecureTransmit.Neural.Models;

/// <summary>
/// Everything needed to build one autoencoder architecture by name: the tile it works on, the
/// shape of its latent per tile, and factories for fresh (randomly initialized) encoder and decoder
/// modules. Weights are loaded into the fresh modules by state_dict key (see <c>ModelFiles</c>).
/// </summary>
public sealed class ModelSpec
{
    private readonly Func<Init?, Module> _createEncoder;
    private readonly Func<Init?, Module> _createDecoder;
    private readonly int[] _latentShape;

    /// <param name="name">Registry name, e.g. "cae-compact" (lower case letters, digits and '-').</param>
    /// <param name="tileSize">Side of the square tile the encoder takes (32 for the CAEs, 8 for the SAEs).</param>
    /// <param name="inputChannels">Channels of one encoder sample (3 = RGB tile; 1 = one colour plane of a patch).</param>
    /// <param name="latentShape">Shape of the latent of one sample, without the batch axis.</param>
    /// <param name="createEncoder">Builds an encoder: [N, inputChannels, tile, tile] → [N, latentShape...].</param>
    /// <param name="createDecoder">Builds a decoder: [N, latentShape...] → [N, inputChannels, tile, tile].</param>
    /// <param name="description">Human-readable layer list with every shape.</param>
    public ModelSpec(string name, int tileSize, int inputChannels, int[] latentShape,
                     Func<Module> createEncoder, Func<Module> createDecoder, string description)
        : this(name, tileSize, inputChannels, latentShape,
               Wrap(createEncoder, nameof(createEncoder)), Wrap(createDecoder, nameof(createDecoder)), description)
    {
    }

    /// <summary>As the other constructor, with factories that take the generator to initialize from (null = <see cref="Init.Default"/>).</summary>
    public ModelSpec(string name, int tileSize, int inputChannels, int[] latentShape,
                     Func<Init?, Module> createEncoder, Func<Init?, Module> createDecoder, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            throw new ArgumentException($"model name '{name}' must use only a-z, 0-9 and '-'", nameof(name));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tileSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentNullException.ThrowIfNull(latentShape);
        if (latentShape.Length == 0 || latentShape.Any(d => d <= 0))
            throw new ArgumentException($"latent shape [{string.Join(",", latentShape)}] must be non-empty and positive", nameof(latentShape));
        Name = name;
        TileSize = tileSize;
        InputChannels = inputChannels;
        _latentShape = (int[])latentShape.Clone();
        _createEncoder = createEncoder ?? throw new ArgumentNullException(nameof(createEncoder));
        _createDecoder = createDecoder ?? throw new ArgumentNullException(nameof(createDecoder));
        Description = description ?? "";
    }

    public string Name { get; }

    /// <summary>Side of the square tile one sample covers, in pixels.</summary>
    public int TileSize { get; }

    /// <summary>Channels of one encoder sample.</summary>
    public int InputChannels { get; }

    /// <summary>Latent shape of one sample (no batch axis).</summary>
    public IReadOnlyList<int> LatentShape => _latentShape;

    /// <summary>Number of latent values per sample.</summary>
    public int LatentSize => _latentShape.Aggregate(1, (a, b) => a * b);

    /// <summary>Shape of one encoder input sample: [InputChannels, TileSize, TileSize].</summary>
    public int[] SampleShape => [InputChannels, TileSize, TileSize];

    /// <summary>Values per sample divided by latent values per sample.</summary>
    public double CompressionRatio => (double)InputChannels * TileSize * TileSize / LatentSize;

    public string Description { get; }

    /// <summary>
    /// A fresh encoder, initialized from <paramref name="init"/> (default <see cref="Init.Default"/>, the global
    /// generator <see cref="Init.ManualSeed"/> seeds; specs built from parameterless factories always use it).
    /// </summary>
    public Module CreateEncoder(Init? init = null) => _createEncoder(init);

    /// <summary>A fresh decoder, initialized like <see cref="CreateEncoder"/>.</summary>
    public Module CreateDecoder(Init? init = null) => _createDecoder(init);

    private static Func<Init?, Module> Wrap(Func<Module> f, string name)
    {
        ArgumentNullException.ThrowIfNull(f, name);
        return _ => f();
    }

    public override string ToString() => Name;
}
