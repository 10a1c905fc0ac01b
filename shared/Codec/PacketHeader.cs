using System.Buffers.Binary;

namespace SecureTransmit.Codec;

/// <summary>Which cipher sealed the packet's payload. Values are the header byte at offset 5.</summary>
public enum CipherMode : byte
{
    Logistic = 1,
    Aes256Gcm = 2,
}

/// <summary>What the decoded image is stored as. Values are the header byte at offset 78.</summary>
public enum ColorType : byte
{
    /// <summary>One gray channel: the sender's image was gray (its RGB encoding is decoded, then averaged to gray).</summary>
    Gray = 1,
    Rgb = 3,
}

/// <summary>How the sealed payload encodes the latent. Values are the header byte at offset 79.</summary>
public enum PayloadKind : byte
{
    /// <summary>The papers' tiled models: 8-bit affine-quantized latent, tile by tile; length = columns·rows·values per tile.</summary>
    TiledLatent = 1,
    /// <summary>The lic models: an 8-byte latent checksum, then the range-coded latent (variable length).</summary>
    EntropyCoded = 2,
}

/// <summary>
/// The fixed header of a sealed image packet, version 2. All integers big-endian. The whole header is the
/// AEAD/MAC associated data, so any change to it makes the packet fail authentication.
/// <code>
/// offset size field
///      0    4 magic "STX1" (53 54 58 31): the packet family
///      4    1 format version (2)
///      5    1 cipher mode (1 logistic, 2 aes-256-gcm)
///      6    2 flags (bit 0: the sender attached the original for a demo comparison; bit 1: the source's alpha was
///             composited onto white; bit 2: the source's 16-bit samples were rounded to 8 bits; others 0)
///      8   32 model id: SHA-256 of the model's weights (encoder and decoder)
///     40   16 session id (from OpenSession)
///     56    8 sequence number within the session (starts at 1)
///     64    4 image width in pixels
///     68    4 image height in pixels
///     72    2 tile side T in pixels (kind 1), or the transform's stride, 16 (kind 2)
///     74    2 tile columns = ceil(width / T)   (kind 2: latent width)
///     76    2 tile rows = ceil(height / T)     (kind 2: latent height)
///     78    1 colour type of the stored image (1 gray, 3 RGB); the latent always codes RGB
///     79    1 payload kind (1 tiled 8-bit latent, 2 entropy-coded latent)
///     80    4 latent values per tile (kind 1), or latent channels (kind 2)
///     84    4 quantization scale (IEEE-754 float32; kind 2: 1)
///     88    4 quantization offset (IEEE-754 float32; kind 2: 0)
///     92   16 image id (random, chosen once per source image and kept across retries, so the receiver
///             stores an image exactly once even when a receipt was lost)
///    108    2 key block length L (the cipher mode's: 60 for logistic, 12 for aes-256-gcm)
///    110    L key block: fresh per-image key material made by the cipher for every seal, a retry too
///             (logistic: 12-byte wrap nonce, the per-image key sealed under the session key, 16-byte tag;
///             aes-256-gcm: the 12-byte GCM nonce) — see SECURITY.md
///  110+L    4 ciphertext length: kind 1 exactly columns · rows · latent values per tile; kind 2 from 8 up to
///             <see cref="MaxEntropyCodedBytes"/>
/// </code>
/// The ciphertext follows on the wire in chunks, then a 16-byte tag (ImageEnd).
/// </summary>
public sealed record PacketHeader
{
    /// <summary>"STX1" as a big-endian uint32 at offset 0.</summary>
    public const uint Magic = 0x5354_5831;
    public const byte Version = 2;
    /// <summary>Bytes before the key block (offsets 0..109).</summary>
    public const int FixedPrefixSize = 110;
    /// <summary>Bytes after the key block (the ciphertext length).</summary>
    public const int SuffixSize = 4;
    public const int ModelIdSize = 32;
    public const int SessionIdSize = 16;
    public const int ImageIdSize = 16;
    public const int MaxKeyBlock = 1024;
    public const ushort FlagDemoOriginal = 0x0001;
    /// <summary>Flag bit 1: the source had transparency, composited onto white by the sender.</summary>
    public const ushort FlagAlphaComposited = 0x0002;
    /// <summary>Flag bit 2: the source had 16-bit samples, rounded to 8 bits by the sender.</summary>
    public const ushort FlagReduced16To8 = 0x0004;
    private const ushort KnownFlags = FlagDemoOriginal | FlagAlphaComposited | FlagReduced16To8;

    public required CipherMode Cipher { get; init; }
    public ushort Flags { get; init; }
    public required byte[] ModelId { get; init; }
    public required byte[] SessionId { get; init; }
    public required ulong Sequence { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int Tile { get; init; }
    public ColorType Color { get; init; } = ColorType.Rgb;
    public PayloadKind Kind { get; init; } = PayloadKind.TiledLatent;
    public required int LatentPerTile { get; init; }
    /// <summary>Kind 2 only: the ciphertext's length (kind 1 derives it from the tile grid).</summary>
    public long PayloadLength { get; init; }

    /// <summary>Bytes an entropy-coded payload may have for an image of <paramref name="pixels"/> pixels: 24 bits per pixel (more than raw 8-bit RGB) plus 4 KiB.</summary>
    public static long MaxEntropyCodedBytes(long pixels) => 3 * pixels + 4096;
    public required float QuantScale { get; init; }
    public required float QuantOffset { get; init; }
    public required byte[] ImageId { get; init; }
    public byte[] KeyBlock { get; init; } = [];

    public TileGrid Grid => TileGrid.For(Width, Height, Tile);
    public int Columns => (Width + Tile - 1) / Tile;
    public int Rows => (Height + Tile - 1) / Tile;
    public long CiphertextLength => Kind == PayloadKind.EntropyCoded ? PayloadLength : (long)Columns * Rows * LatentPerTile;
    public int Size => FixedPrefixSize + KeyBlock.Length + SuffixSize;

    public byte[] ToBytes()
    {
        Validate(maxPixels: long.MaxValue);
        var b = new byte[Size];
        var s = b.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(s, Magic);
        s[4] = Version;
        s[5] = (byte)Cipher;
        BinaryPrimitives.WriteUInt16BigEndian(s[6..], Flags);
        ModelId.CopyTo(s[8..]);
        SessionId.CopyTo(s[40..]);
        BinaryPrimitives.WriteUInt64BigEndian(s[56..], Sequence);
        BinaryPrimitives.WriteUInt32BigEndian(s[64..], (uint)Width);
        BinaryPrimitives.WriteUInt32BigEndian(s[68..], (uint)Height);
        BinaryPrimitives.WriteUInt16BigEndian(s[72..], (ushort)Tile);
        BinaryPrimitives.WriteUInt16BigEndian(s[74..], (ushort)Columns);
        BinaryPrimitives.WriteUInt16BigEndian(s[76..], (ushort)Rows);
        s[78] = (byte)Color;
        s[79] = (byte)Kind;
        BinaryPrimitives.WriteUInt32BigEndian(s[80..], (uint)LatentPerTile);
        BinaryPrimitives.WriteSingleBigEndian(s[84..], QuantScale);
        BinaryPrimitives.WriteSingleBigEndian(s[88..], QuantOffset);
        ImageId.CopyTo(s[92..]);
        BinaryPrimitives.WriteUInt16BigEndian(s[108..], (ushort)KeyBlock.Length);
        KeyBlock.CopyTo(s[110..]);
        BinaryPrimitives.WriteUInt32BigEndian(s[(110 + KeyBlock.Length)..], (uint)CiphertextLength);
        return b;
    }

    /// <summary>Parses and validates a header; throws <see cref="CodecException"/> naming the first bad field.</summary>
    public static PacketHeader Parse(ReadOnlySpan<byte> s, long maxPixels)
    {
        if (s.Length < FixedPrefixSize + SuffixSize) throw new CodecException($"packet header is {s.Length} bytes, shorter than the minimum {FixedPrefixSize + SuffixSize}");
        if (BinaryPrimitives.ReadUInt32BigEndian(s) != Magic) throw new CodecException("packet header: bad magic (expected \"STX1\")");
        if (s[4] != Version) throw new CodecException($"packet header: unsupported format version {s[4]}");
        int kb = BinaryPrimitives.ReadUInt16BigEndian(s[108..]);
        if (kb > MaxKeyBlock) throw new CodecException($"packet header: key block of {kb} bytes exceeds {MaxKeyBlock}");
        if (s.Length != FixedPrefixSize + kb + SuffixSize) throw new CodecException($"packet header: length {s.Length} does not match its key block length {kb}");
        var h = new PacketHeader
        {
            Cipher = (CipherMode)s[5],
            Flags = BinaryPrimitives.ReadUInt16BigEndian(s[6..]),
            ModelId = s.Slice(8, ModelIdSize).ToArray(),
            SessionId = s.Slice(40, SessionIdSize).ToArray(),
            Sequence = BinaryPrimitives.ReadUInt64BigEndian(s[56..]),
            Width = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(s[64..]), int.MaxValue),
            Height = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(s[68..]), int.MaxValue),
            Tile = BinaryPrimitives.ReadUInt16BigEndian(s[72..]),
            Color = (ColorType)s[78],
            Kind = (PayloadKind)s[79],
            LatentPerTile = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(s[80..]), int.MaxValue),
            QuantScale = BinaryPrimitives.ReadSingleBigEndian(s[84..]),
            QuantOffset = BinaryPrimitives.ReadSingleBigEndian(s[88..]),
            ImageId = s.Slice(92, ImageIdSize).ToArray(),
            KeyBlock = s.Slice(110, kb).ToArray(),
            PayloadLength = BinaryPrimitives.ReadUInt32BigEndian(s[(110 + kb)..]),
        };
        h.Validate(maxPixels);
        if (BinaryPrimitives.ReadUInt16BigEndian(s[74..]) != h.Columns || BinaryPrimitives.ReadUInt16BigEndian(s[76..]) != h.Rows)
            throw new CodecException("packet header: tile grid does not match the image size");
        if (BinaryPrimitives.ReadUInt32BigEndian(s[(110 + kb)..]) != h.CiphertextLength)
            throw new CodecException("packet header: ciphertext length does not match the tile grid");
        if (h.Kind == PayloadKind.EntropyCoded && (h.QuantScale != 1f || h.QuantOffset != 0f))
            throw new CodecException("packet header: an entropy-coded payload has no quantization range (scale 1, offset 0)");
        return h;
    }

    private void Validate(long maxPixels)
    {
        if (!Enum.IsDefined(Cipher)) throw new CodecException($"packet header: unknown cipher mode {(byte)Cipher}");
        if ((Flags & ~KnownFlags) != 0) throw new CodecException($"packet header: unknown flags 0x{Flags:x4}");
        if (ModelId is not { Length: ModelIdSize }) throw new CodecException("packet header: model id must be 32 bytes");
        if (SessionId is not { Length: SessionIdSize }) throw new CodecException("packet header: session id must be 16 bytes");
        if (ImageId is not { Length: ImageIdSize }) throw new CodecException("packet header: image id must be 16 bytes");
        if (Width <= 0 || Height <= 0) throw new CodecException($"packet header: empty image {Width}×{Height}");
        if ((long)Width * Height > maxPixels) throw new CodecException($"packet header: image {Width}×{Height} exceeds the limit of {maxPixels} pixels");
        if (Tile is <= 0 or > 1024) throw new CodecException($"packet header: tile size {Tile} out of range");
        if (Columns > ushort.MaxValue || Rows > ushort.MaxValue) throw new CodecException("packet header: tile grid too large");
        if (!Enum.IsDefined(Color)) throw new CodecException($"packet header: unknown colour type {(byte)Color}");
        if (!Enum.IsDefined(Kind)) throw new CodecException($"packet header: unknown payload kind {(byte)Kind}");
        if (Kind == PayloadKind.EntropyCoded && (PayloadLength < 8 || PayloadLength > MaxEntropyCodedBytes((long)Width * Height)))
            throw new CodecException($"packet header: entropy-coded payload of {PayloadLength} bytes outside 8..{MaxEntropyCodedBytes((long)Width * Height)}");
        if (LatentPerTile is <= 0 or > 1 << 20) throw new CodecException($"packet header: {LatentPerTile} latent values per tile out of range");
        if (CiphertextLength > uint.MaxValue) throw new CodecException("packet header: ciphertext too large");
        if (!float.IsFinite(QuantScale) || QuantScale <= 0 || !float.IsFinite(QuantOffset)) throw new CodecException("packet header: invalid quantization range");
        if (KeyBlock.Length > MaxKeyBlock) throw new CodecException("packet header: key block too large");
    }
}
