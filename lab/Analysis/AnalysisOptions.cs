using SecureTransmit.Security;

namespace SecureTransmit.Lab.Analysis;

/// <summary>The cipher forms <c>lab analyze</c> can examine.</summary>
internal static class AnalysisModes
{
    /// <summary>The deployed logistic mode (<see cref="LogisticImageCipher"/>).</summary>
    public const string Logistic = CipherModes.Logistic;

    /// <summary>The deployed AES-256-GCM baseline (<see cref="AesGcmImageCipher"/>).</summary>
    public const string Aes256Gcm = CipherModes.Aes256Gcm;

    /// <summary>Paper B's own construction (<see cref="PaperLogisticCipher"/>): analysis and attack demos only.</summary>
    public const string PaperLogistic = "paper-logistic";

    /// <summary>Every mode, in the order the help lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [Logistic, Aes256Gcm, PaperLogistic];
}

/// <summary>
/// Settings of one analysis run. Every property validates its value on init and documents its default;
/// a bad value throws <see cref="AnalysisException"/> naming the property.
/// </summary>
internal sealed class AnalysisOptions
{
    private string _mode = AnalysisModes.Logistic;
    private int _figureImages = 2;
    private int _figureCrop = 128;
    private int _scatterPairs = 1000;
    private int _orbitSamples = 16;
    private long _orbitIterations = 10_000_000;
    private int _keySamples = 8;
    private int _equivalenceSamples = 8;
    private int _threads = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Cipher form under test, one of <see cref="AnalysisModes.All"/>. Default "logistic".</summary>
    public string Mode
    {
        get => _mode;
        init => _mode = AnalysisModes.All.Contains(value)
            ? value
            : throw new AnalysisException($"unknown cipher '{value}' (known: {string.Join(", ", AnalysisModes.All)})");
    }

    /// <summary>
    /// Seed of every analysis-side random choice: the session key, local-entropy blocks, scatter samples,
    /// orbit and key-sensitivity samples, and the fixed nonces. The ciphers' own per-image nonces always
    /// come from the OS generator, so ciphertexts differ between runs. Default 1.
    /// </summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Subsample for a fast run: at most 6 images (evenly spaced), 10⁶ orbit iterations, a quarter of the
    /// orbit samples, at most two key-sensitivity and equivalent-key samples. Default false.
    /// </summary>
    public bool Quick { get; init; }

    /// <summary>Images (evenly spaced over the input) that get histogram, scatter and cipher-image figures. Default 2; 0..16.</summary>
    public int FigureImages
    {
        get => _figureImages;
        init => _figureImages = value is >= 0 and <= 16 ? value : throw new AnalysisException($"FigureImages must be 0..16 (got {value})");
    }

    /// <summary>Side of the top-left square crop saved as PNG for image figures (random-looking PNGs do not compress). Default 128; 32..1024.</summary>
    public int FigureCrop
    {
        get => _figureCrop;
        init => _figureCrop = value is >= 32 and <= 1024 ? value : throw new AnalysisException($"FigureCrop must be 32..1024 (got {value})");
    }

    /// <summary>Random adjacent pairs per series in the scatter figures (the statistics use every pair). Default 1000; 100..20000.</summary>
    public int ScatterPairs
    {
        get => _scatterPairs;
        init => _scatterPairs = value is >= 100 and <= 20_000 ? value : throw new AnalysisException($"ScatterPairs must be 100..20000 (got {value})");
    }

    /// <summary>
    /// (x0, r) samples whose double-precision orbits are searched for cycles (Brent). Default 16; 1..4096.
    /// The paper form's whole key space is only 256 values of x0, so it runs min(256, 16 × this) of them.
    /// </summary>
    public int OrbitSamples
    {
        get => _orbitSamples;
        init => _orbitSamples = value is >= 1 and <= 4096 ? value : throw new AnalysisException($"OrbitSamples must be 1..4096 (got {value})");
    }

    /// <summary>Iterations after which the cycle search of one orbit gives up ("no cycle within N"). Default 10⁷; 10..10¹⁰.</summary>
    public long OrbitIterations
    {
        get => _orbitIterations;
        init => _orbitIterations = value is >= 10 and <= 10_000_000_000 ? value : throw new AnalysisException($"OrbitIterations must be 10..1e10 (got {value})");
    }

    /// <summary>Random keys per perturbation in the key-sensitivity test. Default 8; 1..64.</summary>
    public int KeySamples
    {
        get => _keySamples;
        init => _keySamples = value is >= 1 and <= 64 ? value : throw new AnalysisException($"KeySamples must be 1..64 (got {value})");
    }

    /// <summary>
    /// Logistic mode: random (x0, r) whose post-warm-up equivalence class is counted by backward preimage search
    /// (seconds each). 0 skips the search (the key space is then the nominal count, an overestimate). Default 8; 0..256.
    /// </summary>
    public int EquivalenceSamples
    {
        get => _equivalenceSamples;
        init => _equivalenceSamples = value is >= 0 and <= 256 ? value : throw new AnalysisException($"EquivalenceSamples must be 0..256 (got {value})");
    }

    /// <summary>Images analysed in parallel. Default: the processor count; 1..256.</summary>
    public int Threads
    {
        get => _threads;
        init => _threads = value is >= 1 and <= 256 ? value : throw new AnalysisException($"Threads must be 1..256 (got {value})");
    }

    internal long EffectiveOrbitIterations => Quick ? Math.Min(_orbitIterations, 1_000_000) : _orbitIterations;

    internal int EffectiveOrbitSamples => Quick ? Math.Max(1, _orbitSamples / 4) : _orbitSamples;

    internal int EffectiveEquivalenceSamples => Quick ? Math.Min(2, _equivalenceSamples) : _equivalenceSamples;

    internal int EffectiveKeySamples => Quick ? Math.Min(2, _keySamples) : _keySamples;
}

/// <summary>A problem with the analysis input or options that the user can fix (one line, naming the problem).</summary>
internal sealed class AnalysisException(string message) : Exception(message);
