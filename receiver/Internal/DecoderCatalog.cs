using System.Security.Cryptography;
using SecureTransmit.Codec;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Receiver.Internal;

/// <summary>One servable model: its decoder half, ready to reconstruct.</summary>
public sealed record DecoderEntry(string Name, byte[] ModelId, IImageCodec Codec, string Path);

/// <summary>The decoders a receiver serves, by model id: every <c>*.decoder.safetensors</c> of the models folder.</summary>
public sealed class DecoderCatalog
{
    private readonly List<DecoderEntry> _entries;

    public DecoderCatalog(IEnumerable<DecoderEntry> entries) => _entries = [.. entries];

    public IReadOnlyList<DecoderEntry> All => _entries;

    public static DecoderCatalog Load(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"models folder '{directory}' does not exist");
        var entries = new List<DecoderEntry>();
        foreach (var path in Directory.EnumerateFiles(directory, "*" + ModelFiles.DecoderSuffix).Order(StringComparer.Ordinal))
        {
            var (codec, id) = CodecFiles.LoadDecoder(path);
            entries.Add(new DecoderEntry(codec.ModelName, Convert.FromHexString(id), codec, path));
        }
        if (entries.Count == 0) throw new FileNotFoundException($"models folder '{directory}' holds no *{ModelFiles.DecoderSuffix} file");
        return new DecoderCatalog(entries);
    }

    public bool TryGet(ReadOnlySpan<byte> modelId, out DecoderEntry entry)
    {
        foreach (var e in _entries)
            if (modelId.Length == e.ModelId.Length && CryptographicOperations.FixedTimeEquals(modelId, e.ModelId)) { entry = e; return true; }
        entry = null!;
        return false;
    }

    public string Describe() => string.Join(", ", _entries.Select(e => $"{e.Name} ({Convert.ToHexStringLower(e.ModelId)[..12]})"));
}
