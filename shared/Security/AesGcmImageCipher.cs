using System.Security.Cryptography;

namespace SecureTransmit.Security;

/// <summary>
/// The "aes-256-gcm" mode, the standard baseline: key K_aead from the session, a fresh random 12-byte
/// nonce per image (the key block), the packet header as associated data, 16-byte tag.
/// Random nonces: keep a session under 2^32 images (a session lasts hours and carries far fewer).
/// </summary>
public sealed class AesGcmImageCipher : IImageCipher
{
    public static AesGcmImageCipher Instance { get; } = new();

    private AesGcmImageCipher() { }

    public string Name => CipherModes.Aes256Gcm;

    public int KeyBlockLength => ProtocolConstants.AesGcmKeyBlockLength;

    public int TagLength => ProtocolConstants.TagLength;

    public byte[] CreateKeyBlock(SessionKeys keys, ReadOnlySpan<byte> plaintext)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return RandomNumberGenerator.GetBytes(KeyBlockLength);
    }

    public void Seal(SessionKeys keys, ReadOnlySpan<byte> keyBlock, ReadOnlySpan<byte> header, ReadOnlySpan<byte> plaintext,
        Span<byte> ciphertext, Span<byte> tag)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keyBlock.Length != KeyBlockLength)
            throw new ArgumentException($"an aes-256-gcm key block (nonce) is {KeyBlockLength} bytes, got {keyBlock.Length}", nameof(keyBlock));
        if (ciphertext.Length != plaintext.Length)
            throw new ArgumentException($"ciphertext span is {ciphertext.Length} bytes for {plaintext.Length} bytes of plaintext", nameof(ciphertext));
        if (tag.Length != TagLength) throw new ArgumentException($"the tag span must be {TagLength} bytes", nameof(tag));
        using var gcm = new AesGcm(keys.AesGcm, TagLength);
        gcm.Encrypt(keyBlock, plaintext, ciphertext, tag, header);
    }

    public void Open(SessionKeys keys, ReadOnlySpan<byte> keyBlock, ReadOnlySpan<byte> header, ReadOnlySpan<byte> ciphertext,
        ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (plaintext.Length != ciphertext.Length)
            throw new ArgumentException($"plaintext span is {plaintext.Length} bytes for {ciphertext.Length} bytes of ciphertext", nameof(plaintext));
        if (tag.Length != TagLength) throw new IntegrityException($"the packet tag must be {TagLength} bytes, got {tag.Length}");
        if (keyBlock.Length != KeyBlockLength)
            throw new IntegrityException($"the aes-256-gcm key block (nonce) must be {KeyBlockLength} bytes, got {keyBlock.Length}");
        try
        {
            using var gcm = new AesGcm(keys.AesGcm, TagLength);
            gcm.Decrypt(keyBlock, ciphertext, tag, plaintext, header);
        }
        catch (CryptographicException e)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new IntegrityException("packet authentication failed (AES-256-GCM tag mismatch): the header, nonce, " +
                                         "ciphertext or tag was modified, or the packet belongs to another session", e);
        }
    }
}
