using System.Buffers.Binary;
using System.Security.Cryptography;
using SecureTransmit.Codec.Entropy;
using SecureTransmit.Imaging;
using SecureTransmit.Neural;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Codec;

/// <summary>
/// image → g_a → rounding → range coder (sender) and range decoder → g_s → image (receiver) for a lic model. Any size:
/// the image is padded to a multiple of 16 by edge replication and the reconstruction cropped back. No tiles show:
/// large images run through the transforms in regions of <see cref="RegionLatent"/>² latent pixels with a halo of
/// <see cref="HaloLatent"/> latent pixels of real neighbours on every side (more than either transform's reach), so a
/// region's kept centre is what the whole image would give, and memory stays bounded (about 250 MB).
/// <para>
/// Payload (what the cipher seals): <c>checksum(8) ‖ bitstream</c>. The latent is coded channel by channel, each
/// channel's H/16 × W/16 values in row-major order, each with its channel's table. The checksum is the first 8 bytes
/// of SHA-256 over the latent values as int32 LE in the same order: the receiver recomputes it from what it decoded,
/// so a decoder that parsed differently from the encoder (tables or arithmetic that disagree) is caught and reported
/// instead of stored as a garbled image. The latent-keyed cipher derives its key from the same int32 LE values.
/// </para>
/// </summary>
public sealed class LicCodec : IImageCodec
{
    public const int ChecksumSize = 8;
    /// <summary>Side of the latent region one transform call covers (×16 pixels).</summary>
    public const int RegionLatent = 48;
    /// <summary>Latent pixels of context added on each side of a region.</summary>
    public const int HaloLatent = 4;

    private readonly LicEncoderPart? _encoder;
    private readonly LicDecoderPart? _decoder;

    public LicCodec(LicEncoderPart? encoder, LicDecoderPart? decoder)
    {
        if (encoder is null && decoder is null) throw new ArgumentException("a codec needs an encoder or a decoder");
        if (encoder != null && decoder != null && (encoder.Spec != decoder.Spec || encoder.ModelId != decoder.ModelId))
            throw new ArgumentException("encoder and decoder belong to different models");
        _encoder = encoder;
        _decoder = decoder;
        Spec = encoder?.Spec ?? decoder!.Spec;
        _encoder?.Analysis.ReuseBuffers();
        _decoder?.Synthesis.ReuseBuffers();
    }

    public LicSpec Spec { get; }
    public string ModelName => Spec.Name;
    public PayloadKind Kind => PayloadKind.EntropyCoded;
    public int Tile => LicSpec.Stride;
    public int LatentPerTile => Spec.M;
    public string ModelId => _encoder?.ModelId ?? _decoder!.ModelId;

    public EncodedImage Encode(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var enc = _encoder ?? throw new InvalidOperationException($"model {Spec.Name}: this codec has no encoder");
        var rgb = image.Channels == 3 ? image : image.ToRgb();
        int s = LicSpec.Stride, lh = (rgb.Height + s - 1) / s, lw = (rgb.Width + s - 1) / s, m = Spec.M;
        if ((long)m * lh * lw > int.MaxValue / 4) throw new CodecException("image too large");
        var padded = PaddedPlanar(rgb, lw * s, lh * s);
        var latent = new int[m * lh * lw];
        lock (enc)
        {
            foreach (var (ly0, ly1, lx0, lx1) in Regions(lh, lw))
            {
                // Input: the region with its halo, clipped to the padded image.
                int hy0 = Math.Max(0, ly0 - HaloLatent), hy1 = Math.Min(lh, ly1 + HaloLatent);
                int hx0 = Math.Max(0, lx0 - HaloLatent), hx1 = Math.Min(lw, lx1 + HaloLatent);
                int ph = (hy1 - hy0) * s, pw = (hx1 - hx0) * s, W = lw * s;
                var x = new Tensor(1, 3, ph, pw);
                for (int c = 0; c < 3; c++)
                    for (int r = 0; r < ph; r++)
                        padded.AsSpan((c * lh * s + hy0 * s + r) * W + hx0 * s, pw).CopyTo(x.Data.AsSpan((c * ph + r) * pw, pw));
                var y = enc.Analysis.Forward(x);
                int yh = hy1 - hy0, yw = hx1 - hx0;
                for (int c = 0; c < m; c++)
                    for (int r = ly0; r < ly1; r++)
                        for (int q = lx0; q < lx1; q++)
                        {
                            float v = y.Data[(c * yh + (r - hy0)) * yw + (q - hx0)];
                            if (!float.IsFinite(v) || Math.Abs(v) > 1 << 20) throw new CodecException($"model {Spec.Name}: latent value {v} out of range");
                            latent[(c * lh + r) * lw + q] = (int)MathF.Round(v);
                        }
            }
        }
        var coder = new RangeEncoder(latent.Length / 4 + 64);
        int plane = lh * lw;
        for (int c = 0; c < m; c++) coder.Encode(latent.AsSpan(c * plane, plane), enc.Tables[c]);
        var bitstream = coder.Finish();
        var keyMaterial = LatentBytes(latent);
        var payload = new byte[ChecksumSize + bitstream.Length];
        Checksum(keyMaterial, payload.AsSpan(0, ChecksumSize));
        bitstream.CopyTo(payload, ChecksumSize);
        return new EncodedImage(rgb.Width, rgb.Height, s, m, new Quantizer.Range(1f, 0f), payload)
        {
            Color = image.IsGray ? ColorType.Gray : ColorType.Rgb,
            Kind = PayloadKind.EntropyCoded,
            KeyMaterial = keyMaterial,
        };
    }

    public Image Decode(EncodedImage encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var dec = _decoder ?? throw new InvalidOperationException($"model {Spec.Name}: this codec has no decoder");
        if (encoded.Kind != PayloadKind.EntropyCoded)
            throw new CodecException($"packet holds a tiled 8-bit latent, model {Spec.Name} takes an entropy-coded one");
        int s = LicSpec.Stride, m = Spec.M;
        if (encoded.Tile != s || encoded.LatentPerTile != m)
            throw new CodecException($"packet was made for a stride of {encoded.Tile} with {encoded.LatentPerTile} latent channels, model {Spec.Name} has {s} and {m}");
        if (encoded.Latent.Length < ChecksumSize) throw new CodecException("entropy-coded payload shorter than its checksum");
        int lh = (encoded.Height + s - 1) / s, lw = (encoded.Width + s - 1) / s, plane = lh * lw;
        if ((long)m * plane > int.MaxValue / 4) throw new CodecException("image too large");
        var latent = new int[m * plane];
        var decoder = new RangeDecoder(encoded.Latent.AsMemory(ChecksumSize));
        for (int c = 0; c < m; c++) decoder.Decode(latent.AsSpan(c * plane, plane), dec.Tables[c]);
        decoder.Finish();
        Span<byte> sum = stackalloc byte[ChecksumSize];
        Checksum(LatentBytes(latent), sum);
        if (!sum.SequenceEqual(encoded.Latent.AsSpan(0, ChecksumSize)))
            throw new DesyncException($"model {Spec.Name}: the decoded latent does not match the sender's checksum (the bitstream was parsed differently than it was written: coding tables or arithmetic disagree)");
        var rgb = new float[3L * lh * s * lw * s];
        int W = lw * s;
        lock (dec)
        {
            foreach (var (ly0, ly1, lx0, lx1) in Regions(lh, lw))
            {
                int hy0 = Math.Max(0, ly0 - HaloLatent), hy1 = Math.Min(lh, ly1 + HaloLatent);
                int hx0 = Math.Max(0, lx0 - HaloLatent), hx1 = Math.Min(lw, lx1 + HaloLatent);
                int yh = hy1 - hy0, yw = hx1 - hx0;
                var y = new Tensor(1, m, yh, yw);
                for (int c = 0; c < m; c++)
                    for (int r = 0; r < yh; r++)
                        for (int q = 0; q < yw; q++)
                            y.Data[(c * yh + r) * yw + q] = latent[(c * lh + hy0 + r) * lw + hx0 + q];
                var x = dec.Synthesis.Forward(y);
                int ph = yh * s, pw = yw * s;
                for (int c = 0; c < 3; c++)
                    for (int r = (ly0 - hy0) * s; r < (ly1 - hy0) * s; r++)
                        x.Data.AsSpan((c * ph + r) * pw + (lx0 - hx0) * s, (lx1 - lx0) * s)
                            .CopyTo(rgb.AsSpan((c * lh * s + hy0 * s + r) * W + lx0 * s));
            }
        }
        var full = Image.FromPlanarFloats(rgb, 3, W, lh * s);
        var cropped = full.Width == encoded.Width && full.Height == encoded.Height ? full : full.Crop(0, 0, encoded.Width, encoded.Height);
        return encoded.Color == ColorType.Gray ? cropped.ToGray() : cropped;
    }

    /// <summary>Latent regions [y0, y1) × [x0, x1) covering an h × w latent.</summary>
    private static IEnumerable<(int Y0, int Y1, int X0, int X1)> Regions(int h, int w)
    {
        for (int y = 0; y < h; y += RegionLatent)
            for (int x = 0; x < w; x += RegionLatent)
                yield return (y, Math.Min(h, y + RegionLatent), x, Math.Min(w, x + RegionLatent));
    }

    /// <summary>Planar [3, H, W] floats in [0, 1] of the image, its right and bottom edges replicated to W × H.</summary>
    private static float[] PaddedPlanar(Image rgb, int width, int height)
    {
        var chw = rgb.ToPlanarFloats();
        if (width == rgb.Width && height == rgb.Height) return chw;
        var p = new float[3L * width * height];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < height; y++)
            {
                int sy = Math.Min(y, rgb.Height - 1);
                var src = chw.AsSpan((c * rgb.Height + sy) * rgb.Width, rgb.Width);
                var dst = p.AsSpan((c * height + y) * width, width);
                src.CopyTo(dst);
                dst[rgb.Width..].Fill(src[^1]);
            }
        return p;
    }

    private static byte[] LatentBytes(int[] latent)
    {
        var b = new byte[latent.Length * 4];
        for (int i = 0; i < latent.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4 * i), latent[i]);
        return b;
    }

    private static void Checksum(ReadOnlySpan<byte> latentBytes, Span<byte> dst) => SHA256.HashData(latentBytes)[..ChecksumSize].CopyTo(dst);
}

/// <summary>The receiver decoded a bitstream into something else than the sender encoded (caught by the latent checksum).</summary>
public sealed class DesyncException(string message) : CodecException(message);
