namespace SecureTransmit.Security;

/// <summary>
/// Authenticated encryption of one image payload (the quantized latent bytes) under a session's keys.
/// The packet header belongs to the Codec; the cipher only needs it as authenticated data. Per image:
/// <list type="number">
/// <item><see cref="CreateKeyBlock"/> → fresh per-image key material (<see cref="KeyBlockLength"/> bytes)
/// that the Codec must put INSIDE the packet header;</item>
/// <item><see cref="Seal"/>(header, plaintext) → ciphertext (same length) and a 16-byte tag;</item>
/// <item>the receiver calls <see cref="Open"/> with the same header, key block, ciphertext and tag.</item>
/// </list>
/// Any change to header, key block, ciphertext or tag makes <see cref="Open"/> throw
/// <see cref="IntegrityException"/>. Implementations are stateless and thread-safe.
/// </summary>
public interface IImageCipher
{
    /// <summary>Wire name (OpenSessionRequest.cipher_mode): "logistic" or "aes-256-gcm".</summary>
    string Name { get; }

    /// <summary>Length of the key block this mode needs in the header (logistic 60, aes-256-gcm 12).</summary>
    int KeyBlockLength { get; }

    /// <summary>Tag length: 16.</summary>
    int TagLength { get; }

    /// <summary>
    /// Fresh per-image key material for the header. Never reuse one key block for two images.
    /// (The logistic mode derives the image key from the plaintext too, so pass the payload you will seal.)
    /// </summary>
    byte[] CreateKeyBlock(SessionKeys keys, ReadOnlySpan<byte> plaintext);

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (same length) and writes the tag.</summary>
    /// <param name="header">The complete packet header (containing the key block), authenticated, not encrypted.</param>
    /// <exception cref="ArgumentException">Wrong span lengths, or a key block not made by this mode for these keys.</exception>
    void Seal(SessionKeys keys, ReadOnlySpan<byte> keyBlock, ReadOnlySpan<byte> header, ReadOnlySpan<byte> plaintext,
        Span<byte> ciphertext, Span<byte> tag);

    /// <summary>Verifies and decrypts. Writes nothing useful to <paramref name="plaintext"/> on failure.</summary>
    /// <exception cref="IntegrityException">Authentication failed or a length is wrong.</exception>
    void Open(SessionKeys keys, ReadOnlySpan<byte> keyBlock, ReadOnlySpan<byte> header, ReadOnlySpan<byte> ciphertext,
        ReadOnlySpan<byte> tag, Span<byte> plaintext);
}

/// <summary>Ciphertext and tag of one sealed payload.</summary>
public sealed record SealedPayload(byte[] Ciphertext, byte[] Tag);

/// <summary>Array-returning conveniences over <see cref="IImageCipher"/>.</summary>
public static class ImageCipherExtensions
{
    public static SealedPayload Seal(this IImageCipher cipher, SessionKeys keys, ReadOnlySpan<byte> keyBlock,
        ReadOnlySpan<byte> header, ReadOnlySpan<byte> plaintext)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[cipher.TagLength];
        cipher.Seal(keys, keyBlock, header, plaintext, ciphertext, tag);
        return new SealedPayload(ciphertext, tag);
    }

    public static byte[] Open(this IImageCipher cipher, SessionKeys keys, ReadOnlySpan<byte> keyBlock,
        ReadOnlySpan<byte> header, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        var plaintext = new byte[ciphertext.Length];
        cipher.Open(keys, keyBlock, header, ciphertext, tag, plaintext);
        return plaintext;
    }
}

/// <summary>The cipher modes that may be negotiated on the wire.</summary>
public static class CipherModes
{
    /// <summary>Logistic-map keystream with HKDF-derived per-image keys and HMAC-SHA256 (opt-in on both sides).</summary>
    public const string Logistic = "logistic";

    /// <summary>AES-256-GCM: the default (a receiver accepts only it unless told otherwise with --ciphers).</summary>
    public const string Aes256Gcm = "aes-256-gcm";

    /// <summary>Every wire name, default first.</summary>
    public static IReadOnlyList<string> All { get; } = [Aes256Gcm, Logistic];

    public static string Default => Aes256Gcm;

    public static bool TryGet(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IImageCipher? cipher)
    {
        cipher = name switch
        {
            Logistic => LogisticImageCipher.Instance,
            Aes256Gcm => AesGcmImageCipher.Instance,
            _ => null,
        };
        return cipher is not null;
    }

    /// <exception cref="SecureTransmitSecurityException">Unknown name.</exception>
    public static IImageCipher Get(string name) =>
        TryGet(name, out var c) ? c
            : throw new SecureTransmitSecurityException($"unknown cipher mode '{name}' (known: {string.Join(", ", All)})");
}
