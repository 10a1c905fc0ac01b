using System.Diagnostics;
using SecureTransmit.Imaging;

namespace SecureTransmit.Codec;

/// <summary>
/// What the cipher seals for one image. <see cref="Latent"/> is the plaintext payload: for a tiled model
/// (<see cref="PayloadKind.TiledLatent"/>) the 8-bit quantized latent, tile by tile (row-major tiles); for a lic model
/// (<see cref="PayloadKind.EntropyCoded"/>) an 8-byte checksum of the quantized latent followed by its range-coded
/// bitstream, with <see cref="Tile"/> the transform's stride and <see cref="LatentPerTile"/> the latent channels.
/// </summary>
public sealed record EncodedImage(int Width, int Height, int Tile, int LatentPerTile, Quantizer.Range Range, byte[] Latent)
{
    /// <summary>What the receiver stores: gray when the sender's image was gray.</summary>
    public ColorType Color { get; init; } = ColorType.Rgb;

    public PayloadKind Kind { get; init; } = PayloadKind.TiledLatent;

    /// <summary>
    /// The quantized latent as bytes, from which the latent-keyed cipher derives the per-image key (paper B keys the
    /// chaos from the latent). Null means <see cref="Latent"/> itself (tiled models, whose payload is the latent).
    /// </summary>
    public byte[]? KeyMaterial { get; init; }

    public TileGrid Grid => TileGrid.For(Width, Height, Tile);

    /// <summary>Bits per pixel of the payload: payload bytes × 8 / pixels.</summary>
    public double BitsPerPixel => Latent.Length * 8.0 / ((long)Width * Height);
}

/// <summary>
/// image → latent (sender) and latent → image (receiver) for one model, whatever its family: the papers' tiled
/// autoencoders (<see cref="ImageCodec"/>) or the learned lic codecs (<see cref="LicCodec"/>).
/// </summary>
public interface IImageCodec
{
    string ModelName { get; }

    /// <summary>How this model's packets carry the latent.</summary>
    PayloadKind Kind { get; }

    /// <summary>Tile side in pixels (tiled models) or the transform's stride (lic: 16).</summary>
    int Tile { get; }

    /// <summary>Latent values per tile (tiled models) or latent channels (lic).</summary>
    int LatentPerTile { get; }

    EncodedImage Encode(Image image);

    Image Decode(EncodedImage encoded);
}

public static class ImageCodecExtensions
{
    /// <summary>Encodes then decodes locally: what the receiver will reconstruct, without the wire.</summary>
    public static (EncodedImage Encoded, Image Reconstruction, double EncodeMs, double DecodeMs) RoundTrip(this IImageCodec codec, Image image)
    {
        ArgumentNullException.ThrowIfNull(codec);
        var sw = Stopwatch.StartNew();
        var e = codec.Encode(image);
        var encodeMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var r = codec.Decode(e);
        return (e, r, encodeMs, sw.Elapsed.TotalMilliseconds);
    }
}
