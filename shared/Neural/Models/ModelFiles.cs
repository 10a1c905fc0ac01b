using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SecureTransmit.Neural.Models;

/// <summary>
/// Weight files of a model, split so the sender needs only the encoder and the receiver only the decoder:
/// <c>NAME.encoder.safetensors</c> (keys "encoder.*") and <c>NAME.decoder.safetensors</c> (keys "decoder.*"),
/// each with metadata <c>architecture</c> (the <see cref="ModelZoo"/> name), <c>part</c> ("encoder" or
/// "decoder") and <c>model_id</c>, which both files share.
/// <para>
/// model_id = lower-case hex SHA-256 over every tensor of both parts in ordinal key order, each as
/// <code>
/// u32 LE  byte length of the UTF-8 key      then the key bytes ("encoder.0.weight")
/// u32 LE  rank                              then rank × u32 LE dimensions
/// f32 LE  every element, row-major          (integer buffers hashed as their float value)
/// </code>
/// so the id names the exact weights, independent of file layout and dtype on disk.
/// </para>
/// </summary>
public static class ModelFiles
{
    public const string EncoderSuffix = ".encoder.safetensors";
    public const string DecoderSuffix = ".decoder.safetensors";
    public const string EncoderPrefix = "encoder.";
    public const string DecoderPrefix = "decoder.";

    public static string EncoderPath(string directory, string name) => Path.Combine(directory, name + EncoderSuffix);

    public static string DecoderPath(string directory, string name) => Path.Combine(directory, name + DecoderSuffix);

    /// <summary>The model id of an encoder/decoder pair (see the class remarks).</summary>
    public static string ComputeModelId(Module encoder, Module decoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(decoder);
        return ComputeModelId(encoder.StateDict(EncoderPrefix).Concat(decoder.StateDict(DecoderPrefix)));
    }

    /// <summary>The model id over full keys ("encoder.…", "decoder.…").</summary>
    public static string ComputeModelId(IEnumerable<(string Name, Tensor Value)> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> u32 = stackalloc byte[4];
        byte[] buffer = new byte[4096];
        foreach (var (name, t) in tensors.OrderBy(x => x.Name, StringComparer.Ordinal))
        {
            var key = Encoding.UTF8.GetBytes(name);
            BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)key.Length); sha.AppendData(u32);
            sha.AppendData(key);
            BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)t.Rank); sha.AppendData(u32);
            foreach (var d in t.Shape) { BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)d); sha.AppendData(u32); }
            var span = t.Span;
            for (int i = 0; i < span.Length; i += buffer.Length / 4)
            {
                int n = Math.Min(buffer.Length / 4, span.Length - i);
                for (int j = 0; j < n; j++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * j), span[i + j]);
                sha.AppendData(buffer, 0, 4 * n);
            }
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Writes both files into <paramref name="directory"/> (atomically each); returns their paths and the model id.</summary>
    public static (string EncoderPath, string DecoderPath, string ModelId) SaveSplit(ModelSpec spec, Module encoder, Module decoder, string directory)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        CheckFits(spec.CreateEncoder(new Init(0)), encoder, spec, "encoder");
        CheckFits(spec.CreateDecoder(new Init(0)), decoder, spec, "decoder");
        string id = ComputeModelId(encoder, decoder);
        string enc = EncoderPath(directory, spec.Name), dec = DecoderPath(directory, spec.Name);
        SafeTensors.Save(enc, Entries(encoder, EncoderPrefix), Metadata(spec, "encoder", id));
        SafeTensors.Save(dec, Entries(decoder, DecoderPrefix), Metadata(spec, "decoder", id));
        return (enc, dec, id);
    }

    /// <summary>Builds the encoder a file describes and loads its weights (in eval mode).</summary>
    /// <param name="expectedArchitecture">When given, a file for another architecture is an error.</param>
    /// <exception cref="WeightFileException">Unreadable, malformed, wrong part or architecture, or weights that do not fit.</exception>
    public static (ModelSpec Spec, Module Module, string ModelId) LoadEncoder(string path, string? expectedArchitecture = null) =>
        LoadPart(path, "encoder", expectedArchitecture);

    /// <summary>Builds the decoder a file describes and loads its weights (in eval mode).</summary>
    public static (ModelSpec Spec, Module Module, string ModelId) LoadDecoder(string path, string? expectedArchitecture = null) =>
        LoadPart(path, "decoder", expectedArchitecture);

    /// <summary>
    /// Loads NAME.encoder/decoder.safetensors from <paramref name="directory"/>, checks that both name the same
    /// architecture and model id, and that the id matches the weights (so neither file was swapped or altered).
    /// </summary>
    public static (ModelSpec Spec, Module Encoder, Module Decoder, string ModelId) LoadPair(string directory, string name)
    {
        var (spec, enc, encId) = LoadEncoder(EncoderPath(directory, name), name);
        var (_, dec, decId) = LoadDecoder(DecoderPath(directory, name), name);
        if (encId != decId)
            throw new WeightFileException($"weight files of '{name}' in {directory} do not belong together: encoder model_id {encId}, decoder model_id {decId}");
        string actual = ComputeModelId(enc, dec);
        if (actual != encId)
            throw new WeightFileException($"weight files of '{name}' in {directory}: the weights hash to {actual}, but the files claim model_id {encId}");
        return (spec, enc, dec, encId);
    }

    private static (ModelSpec, Module, string) LoadPart(string path, string part, string? expectedArchitecture)
    {
        var file = SafeTensors.Load(path);
        WeightFileException Bad(string why) => new($"weight file {path}: {why}");
        if (!file.Metadata.TryGetValue("architecture", out var arch))
            throw Bad("no 'architecture' in its metadata (not a SecureTransmit model file)");
        if (!file.Metadata.TryGetValue("part", out var filePart))
            throw Bad("no 'part' in its metadata (not a SecureTransmit model file)");
        if (filePart != part)
            throw Bad($"is the {filePart} of '{arch}', expected the {part}");
        if (expectedArchitecture != null && arch != expectedArchitecture)
            throw Bad($"holds architecture '{arch}', expected '{expectedArchitecture}'");
        if (!ModelZoo.TryGet(arch, out var spec))
            throw Bad($"architecture '{arch}' is unknown (known: {string.Join(", ", ModelZoo.Names)})");
        if (!file.Metadata.TryGetValue("model_id", out var id) || id.Length != 64 || !id.All(char.IsAsciiHexDigitLower))
            throw Bad("metadata 'model_id' is missing or not 64 lower-case hex digits");
        // A private generator: loading must not advance Init.Default (weights are overwritten anyway).
        var module = part == "encoder" ? spec.CreateEncoder(new Init(0)) : spec.CreateDecoder(new Init(0));
        string prefix = part == "encoder" ? EncoderPrefix : DecoderPrefix;
        var foreign = file.Tensors.Keys.FirstOrDefault(k => !k.StartsWith(prefix, StringComparison.Ordinal));
        if (foreign != null) throw Bad($"tensor '{foreign}' does not belong to the {part} (keys must start with '{prefix}')");
        module.LoadStateDict(file.Tensors, strict: true, source: path, prefix: prefix);
        module.Eval();
        return (spec, module, id);
    }

    private static IEnumerable<SafeTensorEntry> Entries(Module module, string prefix) =>
        module.StateDict(prefix).Select(t => new SafeTensorEntry(t.Name, t.Value,
            t.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? SafeTensorDType.I64 : SafeTensorDType.F32));

    private static Dictionary<string, string> Metadata(ModelSpec spec, string part, string id) => new()
    {
        ["architecture"] = spec.Name,
        ["part"] = part,
        ["model_id"] = id,
    };

    private static void CheckFits(Module reference, Module actual, ModelSpec spec, string part)
    {
        var want = reference.StateDict().Select(t => (t.Name, t.Value.ShapeString)).ToList();
        var have = actual.StateDict().Select(t => (t.Name, t.Value.ShapeString)).ToList();
        if (!want.SequenceEqual(have))
            throw new ArgumentException($"the {part} given is not a '{spec.Name}' {part}: its state_dict keys or shapes differ from the spec's");
    }
}
