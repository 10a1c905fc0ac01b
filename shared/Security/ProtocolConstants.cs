namespace SecureTransmit.Security;

/// <summary>
/// Sizes of protocol version 2. SECURITY.md is the normative description; every length below is
/// checked on input and a mismatch is reported as <see cref="HandshakeFailureReason.Malformed"/>
/// (handshake) or <see cref="IntegrityException"/> (packets).
/// </summary>
public static class ProtocolConstants
{
    /// <summary>OpenSessionRequest.protocol_version.</summary>
    public const uint ProtocolVersion = 2;

    /// <summary>sender_nonce / receiver_nonce: 32 random bytes.</summary>
    public const int HandshakeNonceLength = 32;

    /// <summary>session_id: 16 random bytes chosen by the receiver.</summary>
    public const int SessionIdLength = 16;

    /// <summary>Ephemeral ECDH P-256 key, uncompressed SEC1 point: 0x04 || X (32, big-endian) || Y (32).</summary>
    public const int EphemeralKeyLength = 65;

    /// <summary>ECDSA P-256 SHA-256 signature, IEEE P1363: r (32, big-endian) || s (32).</summary>
    public const int SignatureLength = 64;

    /// <summary>model_id: SHA-256 of the decoder weights.</summary>
    public const int ModelIdLength = 32;

    /// <summary>Longest model_name / cipher_mode accepted, in UTF-8 bytes.</summary>
    public const int MaxNameLength = 128;

    /// <summary>Longest SubjectPublicKeyInfo DER accepted (a P-256 SPKI is 91 bytes).</summary>
    public const int MaxIdentityLength = 512;

    /// <summary>SHA-256 fingerprint of an SPKI.</summary>
    public const int FingerprintLength = 32;

    /// <summary>Session key and every subkey (HKDF-SHA256 output).</summary>
    public const int KeyLength = 32;

    /// <summary>Authentication tag of every packet, both modes (ImageEnd.tag).</summary>
    public const int TagLength = 16;

    /// <summary>Fresh per-image nonce of the logistic mode (sender side only, never transmitted).</summary>
    public const int LogisticNonceLength = 16;

    /// <summary>
    /// Logistic key block: wrap_nonce (12) || AES-256-GCM(K_wrap, K_img) (32) || GCM tag (16) = 60 bytes.
    /// </summary>
    public const int LogisticKeyBlockLength = 12 + KeyLength + 16;

    /// <summary>AES-256-GCM key block: the per-image GCM nonce (12 random bytes).</summary>
    public const int AesGcmKeyBlockLength = 12;
}
