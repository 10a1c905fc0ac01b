using System.Buffers;
using System.Security.Cryptography;
using SecureTransmit.Security.Internal;

namespace SecureTransmit.Security;

/// <summary>
/// The "logistic" mode: the paper's XOR-with-a-logistic-map-sequence, done with proper keys.
/// Per image: nonce = 16 random bytes; K_img = HKDF-SHA256(IKM = K_logistic || SHA-256(latent),
/// salt = nonce, info = "securetransmit/v1 logistic" || session_id); x0 and r from K_img
/// (<see cref="LogisticKeystream"/>); ciphertext = latent XOR keystream. The receiver cannot recompute
/// K_img (it has no latent), so the key block carries it wrapped: wrap_nonce (12) || AES-256-GCM(K_wrap,
/// wrap_nonce, K_img, aad = "securetransmit/v1 key-wrap" || session_id) (32 + 16). Tag = first 16 bytes
/// of HMAC-SHA256(K_mac, ...header, key block, ciphertext...), see <c>PacketMac</c>. Open verifies the tag
/// (constant time) before anything else.
/// </summary>
public sealed class LogisticImageCipher : IImageCipher
{
    private const int WrapNonceLength = 12;
    private const int WrapTagLength = 16;

    public static LogisticImageCipher Instance { get; } = new();

    private LogisticImageCipher() { }

    public string Name => CipherModes.Logistic;

    public int KeyBlockLength => ProtocolConstants.LogisticKeyBlockLength;

    public int TagLength => ProtocolConstants.TagLength;

    public byte[] CreateKeyBlock(SessionKeys keys, ReadOnlySpan<byte> plaintext)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Span<byte> nonce = stackalloc byte[ProtocolConstants.LogisticNonceLength];
        RandomNumberGenerator.Fill(nonce);
        var imageKey = DeriveImageKey(keys, nonce, plaintext);
        try
        {
            return WrapImageKey(keys, imageKey, RandomNumberGenerator.GetBytes(WrapNonceLength));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(imageKey);
        }
    }

    public void Seal(SessionKeys keys, ReadOnlySpan<byte> keyBlock, ReadOnlySpan<byte> header, ReadOnlySpan<byte> plaintext,
        Span<byte> ciphertext, Span<byte> tag)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keyBlock.Length != KeyBlockLength)
            throw new ArgumentException($"a logistic key block is {KeyBlockLength} bytes, got {keyBlock.Length}", nameof(keyBlock));
        if (ciphertext.Length != plaintext.Length)
            throw new ArgumentException($"ciphertext span is {ciphertext.Length} bytes for {plaintext.Length} bytes of plaintext", nameof(ciphertext));
        if (tag.Length != TagLength) throw new ArgumentException($"the tag span must be {TagLength} bytes", nameof(tag));
        if (!TryUnwrapImageKey(keys, keyBlock, out var imageKey))
            throw new ArgumentException("the key block was not created by CreateKeyBlock with these session keys", nameof(keyBlock));
        try
        {
            ApplyKeystream(imageKey, plaintext, ciphertext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(imageKey);
        }
        PacketMac.Compute(keys.PacketMac, header, keyBlock, ciphertext, tag);
    }

    public void Open(SessionKeys keys, ReadOnlySpan<byte> keyBlock, ReadOnlySpan<byte> header, ReadOnlySpan<byte> ciphertext,
        ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (plaintext.Length != ciphertext.Length)
            throw new ArgumentException($"plaintext span is {plaintext.Length} bytes for {ciphertext.Length} bytes of ciphertext", nameof(plaintext));
        if (tag.Length != TagLength) throw new IntegrityException($"the packet tag must be {TagLength} bytes, got {tag.Length}");
        if (keyBlock.Length != KeyBlockLength)
            throw new IntegrityException($"the logistic key block must be {KeyBlockLength} bytes, got {keyBlock.Length}");
        Span<byte> expected = stackalloc byte[ProtocolConstants.TagLength];
        PacketMac.Compute(keys.PacketMac, header, keyBlock, ciphertext, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag))
            throw new IntegrityException("packet authentication failed: the header, key block, ciphertext or tag was modified, " +
                                         "or the packet belongs to another session");
        if (!TryUnwrapImageKey(keys, keyBlock, out var imageKey))
            throw new IntegrityException("the image key block does not authenticate under this session");
        try
        {
            ApplyKeystream(imageKey, ciphertext, plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(imageKey);
        }
    }

    /// <summary>K_img = HKDF-SHA256(IKM = K_logistic || SHA-256(latent), salt = nonce, info = label || session_id).</summary>
    internal static byte[] DeriveImageKey(SessionKeys keys, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> latent)
    {
        Span<byte> ikm = stackalloc byte[64];
        keys.Logistic.CopyTo(ikm);
        SHA256.HashData(latent, ikm[32..]);
        Span<byte> info = stackalloc byte[Labels.LogisticImageInfo.Length + ProtocolConstants.SessionIdLength];
        Labels.LogisticImageInfo.CopyTo(info);
        keys.SessionIdSpan.CopyTo(info[Labels.LogisticImageInfo.Length..]);
        var imageKey = new byte[ProtocolConstants.KeyLength];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, imageKey, nonce, info);
        CryptographicOperations.ZeroMemory(ikm);
        return imageKey;
    }

    internal static byte[] WrapImageKey(SessionKeys keys, ReadOnlySpan<byte> imageKey, ReadOnlySpan<byte> wrapNonce)
    {
        var block = new byte[ProtocolConstants.LogisticKeyBlockLength];
        wrapNonce.CopyTo(block);
        using var gcm = new AesGcm(keys.KeyWrap, WrapTagLength);
        gcm.Encrypt(wrapNonce, imageKey, block.AsSpan(WrapNonceLength, ProtocolConstants.KeyLength),
            block.AsSpan(WrapNonceLength + ProtocolConstants.KeyLength, WrapTagLength), WrapAad(keys));
        return block;
    }

    internal static bool TryUnwrapImageKey(SessionKeys keys, ReadOnlySpan<byte> keyBlock, out byte[] imageKey)
    {
        imageKey = new byte[ProtocolConstants.KeyLength];
        try
        {
            using var gcm = new AesGcm(keys.KeyWrap, WrapTagLength);
            gcm.Decrypt(keyBlock[..WrapNonceLength], keyBlock.Slice(WrapNonceLength, ProtocolConstants.KeyLength),
                keyBlock.Slice(WrapNonceLength + ProtocolConstants.KeyLength, WrapTagLength), imageKey, WrapAad(keys));
            return true;
        }
        catch (CryptographicException)
        {
            CryptographicOperations.ZeroMemory(imageKey);
            return false;
        }
    }

    private static byte[] WrapAad(SessionKeys keys) => [.. Labels.KeyWrapAad, .. keys.SessionIdSpan];

    private static void ApplyKeystream(ReadOnlySpan<byte> imageKey, ReadOnlySpan<byte> input, Span<byte> output)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, input.Length));
        var keystream = rented.AsSpan(0, input.Length);
        try
        {
            LogisticKeystream.Generate(imageKey, keystream);
            Xor.Apply(input, keystream, output);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keystream);
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
