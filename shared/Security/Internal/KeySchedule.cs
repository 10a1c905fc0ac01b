using System.Security.Cryptography;

namespace SecureTransmit.Security.Internal;

/// <summary>HKDF-SHA256 key schedule (SECURITY.md, "Key schedule").</summary>
internal static class KeySchedule
{
    /// <summary>K_session = HKDF-SHA256(IKM = Z, salt = SHA-256(T), info = "securetransmit/v1 session keys", L = 32).</summary>
    public static byte[] DeriveSessionKey(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> fullTranscript)
    {
        Span<byte> salt = stackalloc byte[32];
        SHA256.HashData(fullTranscript, salt);
        var key = new byte[ProtocolConstants.KeyLength];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, sharedSecret, key, salt, Labels.SessionKeysInfo);
        return key;
    }

    /// <summary>K_purpose = HKDF-Expand(PRK = K_session, info = label || session_id, L = 32); the caller builds info.</summary>
    public static byte[] Subkey(ReadOnlySpan<byte> sessionKey, ReadOnlySpan<byte> info)
    {
        var key = new byte[ProtocolConstants.KeyLength];
        HKDF.Expand(HashAlgorithmName.SHA256, sessionKey, key, info);
        return key;
    }
}
