using SecureTransmit.Codec.Entropy;
using SecureTransmit.Neural;
using SecureTransmit.Neural.Layers;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Codec;

/// <summary>The sender's half of a lic model: the analysis transform and the coding tables.</summary>
public sealed record LicEncoderPart(LicSpec Spec, Sequential Analysis, CdfTable[] Tables, string ModelId);

/// <summary>The receiver's half of a lic model: the synthesis transform and the coding tables.</summary>
public sealed record LicDecoderPart(LicSpec Spec, Sequential Synthesis, CdfTable[] Tables, string ModelId);

/// <summary>
/// Weight files of a lic model, in the same split as the tiled models (<see cref="ModelFiles"/>):
/// <c>NAME.encoder.safetensors</c> holds <c>encoder.g_a.*</c>, <c>NAME.decoder.safetensors</c> holds <c>decoder.g_s.*</c>,
/// and both hold the entropy model as integer coding tables, so that what the decoder parses with never depends on
/// floating-point arithmetic on the receiver's CPU:
/// <code>
/// PREFIX.entropy_bottleneck.cdf          I64 [M, L + 2]  channel c's cumulative frequencies (sum 65536, last interval
///                                                         = escape), padded with 65536 after its own length
/// PREFIX.entropy_bottleneck.cdf_length   I64 [M]         in-table symbols of channel c (1..4096)
/// PREFIX.entropy_bottleneck.cdf_offset   I64 [M]         the value of channel c's symbol 0
/// </code>
/// Metadata <c>architecture</c> (lic-N), <c>part</c>, <c>model_id</c> (SHA-256 over every tensor of both files, as
/// <see cref="ModelFiles.ComputeModelId(IEnumerable{ValueTuple{string, Tensor}})"/> defines it).
/// <para>
/// The tables come from the trained factorized prior at export: channel c covers the integers around its mass
/// until the mass left outside is below <see cref="TailMass"/> on each side (at most 4095 symbols); the mass of the
/// unit interval around each integer goes to <see cref="CdfTable.FromPmf"/>, the outside mass to the escape.
/// </para>
/// </summary>
public static class LicModelFiles
{
    /// <summary>Mass left outside a channel's table on each side (about 2⁻¹⁶: a symbol rarer than that costs the others more, by the frequency floor of 1, than its escape costs itself).</summary>
    public const double TailMass = 1.5e-5;
    private const string TablePrefix = "entropy_bottleneck.";

    /// <summary>Coding tables of a trained prior (deterministic given its parameters).</summary>
    public static CdfTable[] BuildTables(FactorizedPrior prior)
    {
        ArgumentNullException.ThrowIfNull(prior);
        var tables = new CdfTable[prior.Channels];
        for (int c = 0; c < prior.Channels; c++)
        {
            // The mixture's median, by bisection, is where each side's search starts.
            double lo = -1e4, hi = 1e4;
            for (int i = 0; i < 80; i++) { double mid = (lo + hi) / 2; if (prior.Cdf(c, mid) < 0.5) lo = mid; else hi = mid; }
            int median = (int)Math.Round(lo);
            int first = median, last = median;
            while (last - first + 1 < CdfTable.MaxSymbolCount - 1 && prior.Cdf(c, first - 0.5) > TailMass) first--;
            while (last - first + 1 < CdfTable.MaxSymbolCount - 1 && 1 - prior.Cdf(c, last + 0.5) > TailMass) last++;
            var pmf = new double[last - first + 1];
            for (int v = first; v <= last; v++) pmf[v - first] = Math.Max(0, prior.IntervalMass(c, v));
            double tail = Math.Max(0, prior.Cdf(c, first - 0.5)) + Math.Max(0, 1 - prior.Cdf(c, last + 0.5));
            tables[c] = CdfTable.FromPmf(pmf, first, tail);
        }
        return tables;
    }

    /// <summary>Writes both files for a trained network; returns their paths and the model id.</summary>
    public static (string EncoderPath, string DecoderPath, string ModelId) Export(LicNetwork network, string directory)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var tables = TableTensors(BuildTables(network.Prior));
        var enc = network.Analysis.StateDict(ModelFiles.EncoderPrefix + "g_a.").Concat(tables.Select(t => (ModelFiles.EncoderPrefix + TablePrefix + t.Name, t.Value))).ToList();
        var dec = network.Synthesis.StateDict(ModelFiles.DecoderPrefix + "g_s.").Concat(tables.Select(t => (ModelFiles.DecoderPrefix + TablePrefix + t.Name, t.Value))).ToList();
        string id = ModelFiles.ComputeModelId(enc.Concat(dec));
        string encPath = ModelFiles.EncoderPath(directory, network.Spec.Name), decPath = ModelFiles.DecoderPath(directory, network.Spec.Name);
        SafeTensors.Save(encPath, Entries(enc), Metadata(network.Spec, "encoder", id));
        SafeTensors.Save(decPath, Entries(dec), Metadata(network.Spec, "decoder", id));
        return (encPath, decPath, id);
    }

    /// <summary>True when the file's metadata names a lic architecture (so the caller should load it with this class).</summary>
    public static bool IsLicFile(SafeTensorFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.Metadata.TryGetValue("architecture", out var arch) && LicZoo.TryGet(arch, out _);
    }

    public static LicEncoderPart LoadEncoder(string path, string? expectedArchitecture = null) =>
        LoadEncoder(SafeTensors.Load(path), path, expectedArchitecture);

    /// <summary>As <see cref="LoadEncoder(string, string?)"/>, from a file already read (so it is read once).</summary>
    public static LicEncoderPart LoadEncoder(SafeTensorFile file, string path, string? expectedArchitecture = null)
    {
        var (spec, id) = Check(file, path, "encoder", expectedArchitecture);
        var analysis = spec.CreateAnalysis(new Init(0));
        analysis.LoadStateDict(file.Tensors.Where(t => t.Key.StartsWith(ModelFiles.EncoderPrefix + "g_a.", StringComparison.Ordinal)).ToDictionary(),
            strict: true, source: path, prefix: ModelFiles.EncoderPrefix + "g_a.");
        analysis.Eval();
        return new LicEncoderPart(spec, analysis, ReadTables(file, ModelFiles.EncoderPrefix, spec, path), id);
    }

    public static LicDecoderPart LoadDecoder(string path, string? expectedArchitecture = null) =>
        LoadDecoder(SafeTensors.Load(path), path, expectedArchitecture);

    /// <summary>As <see cref="LoadDecoder(string, string?)"/>, from a file already read (so it is read once).</summary>
    public static LicDecoderPart LoadDecoder(SafeTensorFile file, string path, string? expectedArchitecture = null)
    {
        var (spec, id) = Check(file, path, "decoder", expectedArchitecture);
        var synthesis = spec.CreateSynthesis(new Init(0));
        synthesis.LoadStateDict(file.Tensors.Where(t => t.Key.StartsWith(ModelFiles.DecoderPrefix + "g_s.", StringComparison.Ordinal)).ToDictionary(),
            strict: true, source: path, prefix: ModelFiles.DecoderPrefix + "g_s.");
        synthesis.Eval();
        return new LicDecoderPart(spec, synthesis, ReadTables(file, ModelFiles.DecoderPrefix, spec, path), id);
    }

    /// <summary>Both halves from <paramref name="directory"/>, checked to belong together and to hash to their id.</summary>
    public static (LicEncoderPart Encoder, LicDecoderPart Decoder) LoadPair(string directory, string name)
    {
        string encPath = ModelFiles.EncoderPath(directory, name), decPath = ModelFiles.DecoderPath(directory, name);
        var encFile = SafeTensors.Load(encPath);
        var decFile = SafeTensors.Load(decPath);
        var e = LoadEncoder(encFile, encPath, name);
        var d = LoadDecoder(decFile, decPath, name);
        if (e.ModelId != d.ModelId)
            throw new WeightFileException($"weight files of '{name}' in {directory} do not belong together: encoder model_id {e.ModelId}, decoder model_id {d.ModelId}");
        string actual = ModelFiles.ComputeModelId(encFile.Tensors.Concat(decFile.Tensors).Select(t => (t.Key, t.Value)));
        if (actual != e.ModelId)
            throw new WeightFileException($"weight files of '{name}' in {directory}: the weights hash to {actual}, but the files claim model_id {e.ModelId}");
        return (e, d);
    }

    private static (LicSpec, string) Check(SafeTensorFile file, string path, string part, string? expectedArchitecture)
    {
        WeightFileException Bad(string why) => new($"weight file {path}: {why}");
        if (!file.Metadata.TryGetValue("architecture", out var arch)) throw Bad("no 'architecture' in its metadata (not a SecureTransmit model file)");
        if (!file.Metadata.TryGetValue("part", out var filePart)) throw Bad("no 'part' in its metadata (not a SecureTransmit model file)");
        if (filePart != part) throw Bad($"is the {filePart} of '{arch}', expected the {part}");
        if (expectedArchitecture != null && arch != expectedArchitecture) throw Bad($"holds architecture '{arch}', expected '{expectedArchitecture}'");
        if (!LicZoo.TryGet(arch, out var spec)) throw Bad($"architecture '{arch}' is not a lic model (known: {string.Join(", ", LicZoo.Names)})");
        if (!file.Metadata.TryGetValue("model_id", out var id) || id.Length != 64 || !id.All(char.IsAsciiHexDigitLower))
            throw Bad("metadata 'model_id' is missing or not 64 lower-case hex digits");
        return (spec, id);
    }

    private static CdfTable[] ReadTables(SafeTensorFile file, string prefix, LicSpec spec, string path)
    {
        WeightFileException Bad(string why) => new($"weight file {path}: {why}");
        Tensor Get(string name) => file.Tensors.TryGetValue(prefix + TablePrefix + name, out var t) ? t : throw Bad($"no tensor '{prefix + TablePrefix + name}'");
        var cdf = Get("cdf"); var length = Get("cdf_length"); var offset = Get("cdf_offset");
        if (cdf.Rank != 2 || cdf[0] != spec.M || length.Length != spec.M || offset.Length != spec.M)
            throw Bad($"coding tables must be [{spec.M}, L] with {spec.M} lengths and offsets, got {cdf.ShapeString}, {length.ShapeString}, {offset.ShapeString}");
        var tables = new CdfTable[spec.M];
        int width = cdf[1];
        for (int c = 0; c < spec.M; c++)
        {
            float n = length.Span[c];
            if (!(n >= 1) || n + 2 > width || n != MathF.Floor(n)) throw Bad($"channel {c}: table length {n} does not fit its row of {width}");
            var row = new int[(int)n + 2];
            for (int i = 0; i < row.Length; i++) row[i] = (int)cdf.Span[c * width + i];
            try { tables[c] = CdfTable.FromCdf((int)offset.Span[c], row); }
            catch (CodecException ex) { throw Bad($"channel {c}: {ex.Message}"); }
        }
        return tables;
    }

    private static List<(string Name, Tensor Value)> TableTensors(CdfTable[] tables)
    {
        int width = tables.Max(t => t.Cdf.Length);
        var cdf = new Tensor(tables.Length, width);
        var length = new Tensor(tables.Length);
        var offset = new Tensor(tables.Length);
        for (int c = 0; c < tables.Length; c++)
        {
            var row = cdf.Span.Slice(c * width, width);
            row.Fill(CdfTable.Total);
            for (int i = 0; i < tables[c].Cdf.Length; i++) row[i] = tables[c].Cdf[i];
            length.Span[c] = tables[c].SymbolCount;
            offset.Span[c] = tables[c].Offset;
        }
        return [("cdf", cdf), ("cdf_length", length), ("cdf_offset", offset)];
    }

    private static IEnumerable<SafeTensorEntry> Entries(IEnumerable<(string Name, Tensor Value)> tensors) =>
        tensors.Select(t => new SafeTensorEntry(t.Name, t.Value, t.Name.Contains(TablePrefix, StringComparison.Ordinal) ? SafeTensorDType.I64 : SafeTensorDType.F32));

    private static Dictionary<string, string> Metadata(LicSpec spec, string part, string id) => new()
    {
        ["architecture"] = spec.Name,
        ["part"] = part,
        ["model_id"] = id,
        ["description"] = spec.Description,
    };
}
