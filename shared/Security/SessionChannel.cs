using System.Buffers.Binary;
using System.Security.Cryptography;
using SecureTransmit.Security.Internal;

namespace SecureTransmit.Security;

/// <summary>
/// What sender and receiver say to each other inside a session besides the sealed packets (SECURITY.md, "Upload"):
/// the upload hello that proves the session key before the receiver reads anything else, the sealed per-image
/// metadata (file name, sizes, demo original) and the sealed receipts. Keys are session subkeys (K_upload, K_meta,
/// K_receipt); nothing here is readable or changeable without the session key.
/// </summary>
public static class SessionChannel
{
    /// <summary>Length of the upload hello MAC (HMAC-SHA256).</summary>
    public const int HelloMacLength = 32;

    /// <summary>AES-256-GCM nonce: u32be(purpose) || u64be(sequence).</summary>
    public const int NonceLength = 12;

    /// <summary>AES-256-GCM tag appended to sealed metadata and receipts.</summary>
    public const int TagLength = 16;

    private const uint MetadataPurpose = 0;
    private const uint ReceiptPurpose = 1;

    /// <summary>mac = HMAC-SHA256(K_upload, "securetransmit/v2 upload" || session_id || u64be(call_counter)).</summary>
    public static byte[] HelloMac(Session session, ulong callCounter)
    {
        ArgumentNullException.ThrowIfNull(session);
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(counter, callCounter);
        byte[] message = [.. Labels.UploadHello, .. session.Keys.SessionIdSpan, .. counter];
        return HMACSHA256.HashData(session.Keys.Upload, message);
    }

    /// <summary>True when <paramref name="mac"/> is this session's hello MAC for the counter (constant time).</summary>
    public static bool VerifyHello(Session session, ulong callCounter, ReadOnlySpan<byte> mac) =>
        mac.Length == HelloMacLength && CryptographicOperations.FixedTimeEquals(HelloMac(session, callCounter), mac);

    /// <summary>Seals serialized image metadata: ciphertext || tag, AAD = "securetransmit/v2 metadata" || packet header.</summary>
    public static byte[] SealMetadata(Session session, ulong sequence, ReadOnlySpan<byte> packetHeader, ReadOnlySpan<byte> plaintext) =>
        Seal(session.Keys.Metadata, MetadataPurpose, sequence, [.. Labels.MetadataAad, .. packetHeader], plaintext);

    /// <exception cref="IntegrityException">The metadata was changed, or belongs to another image or session.</exception>
    public static byte[] OpenMetadata(Session session, ulong sequence, ReadOnlySpan<byte> packetHeader, ReadOnlySpan<byte> sealedBytes) =>
        Open(session.Keys.Metadata, MetadataPurpose, sequence, [.. Labels.MetadataAad, .. packetHeader], sealedBytes, "image metadata");

    /// <summary>Seals a serialized receipt body: ciphertext || tag, AAD = "securetransmit/v2 receipt" || u64be(sequence).</summary>
    public static byte[] SealReceipt(Session session, ulong sequence, ReadOnlySpan<byte> plaintext) =>
        Seal(session.Keys.Receipt, ReceiptPurpose, sequence, ReceiptAad(sequence), plaintext);

    /// <exception cref="IntegrityException">The receipt was forged, changed, or is for another sequence.</exception>
    public static byte[] OpenReceipt(Session session, ulong sequence, ReadOnlySpan<byte> sealedBytes) =>
        Open(session.Keys.Receipt, ReceiptPurpose, sequence, ReceiptAad(sequence), sealedBytes, "receipt");

    private static byte[] ReceiptAad(ulong sequence)
    {
        var aad = new byte[Labels.ReceiptAad.Length + 8];
        Labels.ReceiptAad.CopyTo(aad);
        BinaryPrimitives.WriteUInt64BigEndian(aad.AsSpan(Labels.ReceiptAad.Length), sequence);
        return aad;
    }

    private static void Nonce(Span<byte> nonce, uint purpose, ulong sequence)
    {
        BinaryPrimitives.WriteUInt32BigEndian(nonce, purpose);
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], sequence);
    }

    private static byte[] Seal(byte[] key, uint purpose, ulong sequence, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        Nonce(nonce, purpose, sequence);
        var output = new byte[plaintext.Length + TagLength];
        using var gcm = new AesGcm(key, TagLength);
        gcm.Encrypt(nonce, plaintext, output.AsSpan(0, plaintext.Length), output.AsSpan(plaintext.Length), aad);
        return output;
    }

    private static byte[] Open(byte[] key, uint purpose, ulong sequence, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> sealedBytes, string what)
    {
        if (sealedBytes.Length < TagLength)
            throw new IntegrityException($"sealed {what} of {sealedBytes.Length} bytes is shorter than its {TagLength}-byte tag");
        Span<byte> nonce = stackalloc byte[NonceLength];
        Nonce(nonce, purpose, sequence);
        var plaintext = new byte[sealedBytes.Length - TagLength];
        using var gcm = new AesGcm(key, TagLength);
        try
        {
            gcm.Decrypt(nonce, sealedBytes[..plaintext.Length], sealedBytes[plaintext.Length..], plaintext, aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new IntegrityException($"the {what} failed authentication (forged, changed, or for another image or session)");
        }
        return plaintext;
    }
}
