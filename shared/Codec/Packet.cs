using System.Security.Cryptography;
using SecureTransmit.Security;

namespace SecureTransmit.Codec;

/// <summary>A sealed image: header (authenticated, in clear), ciphertext of the quantized latent, 16-byte tag.</summary>
public sealed record SealedPacket(PacketHeader Header, byte[] HeaderBytes, byte[] Ciphertext, byte[] Tag)
{
    /// <summary>Bytes this packet puts on the wire, before gRPC and protobuf framing.</summary>
    public long PayloadBytes => HeaderBytes.Length + Ciphertext.Length + Tag.Length;
}

/// <summary>
/// quantized latent → cipher → packet (sender) and packet → cipher⁻¹ → quantized latent (receiver).
/// The receiver checks, in this order: the header parses and is within limits; it names this session, this
/// session's model and cipher; the tag verifies (integrity); the sequence number is new (replay). Only an
/// authentic packet advances the replay window.
/// </summary>
public static class Packet
{
    public static CipherMode ModeOf(string cipherName) => cipherName switch
    {
        CipherModes.Logistic => CipherMode.Logistic,
        CipherModes.Aes256Gcm => CipherMode.Aes256Gcm,
        _ => throw new CodecException($"unknown cipher mode '{cipherName}'"),
    };

    public static string NameOf(CipherMode mode) => mode switch
    {
        CipherMode.Logistic => CipherModes.Logistic,
        CipherMode.Aes256Gcm => CipherModes.Aes256Gcm,
        _ => throw new CodecException($"unknown cipher mode {(byte)mode}"),
    };

    /// <summary>The 16-byte tag that follows the ciphertext (ImageEnd).</summary>
    public const int TagSize = 16;

    /// <summary>
    /// Bytes a packet adds to its payload on the wire (before gRPC and protobuf framing): the header with the cipher
    /// mode's key block, and the tag.
    /// </summary>
    public static int OverheadBytes(string cipherName) =>
        PacketHeader.FixedPrefixSize + CipherModes.Get(cipherName).KeyBlockLength + PacketHeader.SuffixSize + TagSize;

    /// <summary>A fresh random image id (keep it for retries of the same image).</summary>
    public static byte[] NewImageId() => RandomNumberGenerator.GetBytes(PacketHeader.ImageIdSize);

    public static SealedPacket Seal(Session session, EncodedImage image, ulong sequence, byte[] imageId, ushort flags = 0)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(image);
        var cipher = session.Cipher;
        var keyBlock = cipher.CreateKeyBlock(session.Keys, image.KeyMaterial ?? image.Latent);
        var header = new PacketHeader
        {
            Cipher = ModeOf(cipher.Name),
            Flags = flags,
            ModelId = session.ModelId,
            SessionId = session.SessionId,
            Sequence = sequence,
            Width = image.Width,
            Height = image.Height,
            Tile = image.Tile,
            LatentPerTile = image.LatentPerTile,
            Color = image.Color,
            Kind = image.Kind,
            PayloadLength = image.Latent.Length,
            QuantScale = image.Range.Scale,
            QuantOffset = image.Range.Offset,
            ImageId = imageId,
            KeyBlock = keyBlock,
        };
        var headerBytes = header.ToBytes();
        var sealedPayload = cipher.Seal(session.Keys, keyBlock, headerBytes, image.Latent);
        return new SealedPacket(header, headerBytes, sealedPayload.Ciphertext, sealedPayload.Tag);
    }

    /// <summary>Parses a header against a session before any ciphertext is accepted (so a stream can be refused early).</summary>
    public static PacketHeader ParseFor(Session session, ReadOnlySpan<byte> headerBytes, long maxPixels)
    {
        var h = PacketHeader.Parse(headerBytes, maxPixels);
        if (!CryptographicOperations.FixedTimeEquals(h.SessionId, session.SessionId))
            throw new CodecException("packet belongs to another session");
        if (!CryptographicOperations.FixedTimeEquals(h.ModelId, session.ModelId))
            throw new CodecException("packet names another model than the session's");
        if (NameOf(h.Cipher) != session.CipherMode)
            throw new CodecException($"packet uses cipher {NameOf(h.Cipher)}, the session negotiated {session.CipherMode}");
        if (h.KeyBlock.Length != session.Cipher.KeyBlockLength)
            throw new CodecException($"key block is {h.KeyBlock.Length} bytes, {session.CipherMode} needs {session.Cipher.KeyBlockLength}");
        return h;
    }

    /// <summary>
    /// Verifies and decrypts a packet already checked by <see cref="ParseFor"/>.
    /// Throws <see cref="IntegrityException"/> (tampering) or <see cref="ReplayException"/> (a sequence number seen before).
    /// </summary>
    public static EncodedImage Open(Session session, PacketHeader header, ReadOnlySpan<byte> headerBytes, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag)
    {
        if (ciphertext.Length != header.CiphertextLength)
            throw new IntegrityException($"ciphertext is {ciphertext.Length} bytes, the header announced {header.CiphertextLength}");
        var plain = new byte[ciphertext.Length];
        session.Cipher.Open(session.Keys, header.KeyBlock, headerBytes, ciphertext, tag, plain);
        var verdict = session.Replay.TryAccept(header.Sequence);
        if (verdict != ReplayVerdict.Accepted) throw new ReplayException(header.Sequence, verdict);
        return new EncodedImage(header.Width, header.Height, header.Tile, header.LatentPerTile,
            new Quantizer.Range(header.QuantScale, header.QuantOffset), plain) { Color = header.Color, Kind = header.Kind };
    }
}
