using SecureTransmit.Neural;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Codec;

/// <summary>
/// Loads a model's weight files into a codec, whatever the family: the metadata's <c>architecture</c> says whether the
/// file is a tiled autoencoder of the <see cref="ModelZoo"/> or a lic codec of the <see cref="LicZoo"/>.
/// </summary>
public static class CodecFiles
{
    /// <summary>Every model name a codec can be loaded for.</summary>
    public static IEnumerable<string> Names => ModelZoo.Names.Concat(LicZoo.Names);

    /// <summary>The sender's half: an encode-only codec and the model id (hex).</summary>
    public static (IImageCodec Codec, string ModelId) LoadEncoder(string path, string? expectedArchitecture = null)
    {
        var file = SafeTensors.Load(path);
        if (LicModelFiles.IsLicFile(file))
        {
            var part = LicModelFiles.LoadEncoder(file, path, expectedArchitecture);
            return (new LicCodec(part, null), part.ModelId);
        }
        var (spec, encoder, id) = ModelFiles.LoadEncoder(path, expectedArchitecture);
        return (new ImageCodec(spec, encoder, decoder: null), id);
    }

    /// <summary>The receiver's half: a decode-only codec and the model id (hex).</summary>
    public static (IImageCodec Codec, string ModelId) LoadDecoder(string path, string? expectedArchitecture = null)
    {
        var file = SafeTensors.Load(path);
        if (LicModelFiles.IsLicFile(file))
        {
            var part = LicModelFiles.LoadDecoder(file, path, expectedArchitecture);
            return (new LicCodec(null, part), part.ModelId);
        }
        var (spec, decoder, id) = ModelFiles.LoadDecoder(path, expectedArchitecture);
        return (new ImageCodec(spec, encoder: null, decoder: decoder), id);
    }

    /// <summary>Both halves from <paramref name="directory"/>, checked to belong together.</summary>
    public static (IImageCodec Codec, string ModelId) LoadPair(string directory, string name)
    {
        if (LicZoo.TryGet(name, out _))
        {
            var (e, d) = LicModelFiles.LoadPair(directory, name);
            return (new LicCodec(e, d), e.ModelId);
        }
        var (spec, enc, dec, id) = ModelFiles.LoadPair(directory, name);
        return (new ImageCodec(spec, enc, dec), id);
    }
}
