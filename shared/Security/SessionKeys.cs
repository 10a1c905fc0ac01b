using System.Security.Cryptography;
using SecureTransmit.Security.Internal;

namespace SecureTransmit.Security;

/// <summary>
/// The keys of one session, all derived from the 32-byte session key K_session by HKDF-Expand with a
/// purpose label followed by the session id (SECURITY.md, "Key schedule"): K_wrap (logistic key block), K_mac (logistic packet
/// tag), K_aead (aes-256-gcm), K_logistic (mixed into every logistic image key). Key bytes are not
/// public; pass the object to an <see cref="IImageCipher"/>. Immutable, thread-safe.
/// </summary>
public sealed class SessionKeys
{
    private readonly byte[] _sessionId;

    private SessionKeys(ReadOnlySpan<byte> sessionKey, ReadOnlySpan<byte> sessionId)
    {
        SessionKey = sessionKey.ToArray();
        _sessionId = sessionId.ToArray();
        KeyWrap = KeySchedule.Subkey(sessionKey, [.. Labels.SubkeyKeyWrap, .. sessionId]);
        PacketMac = KeySchedule.Subkey(sessionKey, [.. Labels.SubkeyPacketMac, .. sessionId]);
        AesGcm = KeySchedule.Subkey(sessionKey, [.. Labels.SubkeyAesGcm, .. sessionId]);
        Logistic = KeySchedule.Subkey(sessionKey, [.. Labels.SubkeyLogistic, .. sessionId]);
        Upload = KeySchedule.Subkey(sessionKey, [.. Labels.SubkeyUpload, .. sessionId]);
        Metadata = KeySchedule.Subkey(sessionKey, [.. Labels.SubkeyMetadata, .. sessionId]);
        Receipt = KeySchedule.Subkey(sessionKey, [.. Labels.SubkeyReceipt, .. sessionId]);
    }

    /// <summary>
    /// Keys from a known 32-byte session key and 16-byte session id (tests, benchmarks, offline analysis;
    /// the handshake calls this with the HKDF output).
    /// </summary>
    public static SessionKeys FromSessionKey(ReadOnlySpan<byte> sessionKey, ReadOnlySpan<byte> sessionId)
    {
        if (sessionKey.Length != ProtocolConstants.KeyLength)
            throw new ArgumentException($"the session key is {ProtocolConstants.KeyLength} bytes, got {sessionKey.Length}", nameof(sessionKey));
        if (sessionId.Length != ProtocolConstants.SessionIdLength)
            throw new ArgumentException($"the session id is {ProtocolConstants.SessionIdLength} bytes, got {sessionId.Length}", nameof(sessionId));
        return new SessionKeys(sessionKey, sessionId);
    }

    /// <summary>Keys from a random session key and id: for tests and benchmarks that need no handshake.</summary>
    public static SessionKeys CreateRandom() =>
        new(RandomNumberGenerator.GetBytes(ProtocolConstants.KeyLength), RandomNumberGenerator.GetBytes(ProtocolConstants.SessionIdLength));

    /// <summary>The 16-byte session id these keys belong to (a copy).</summary>
    public byte[] SessionId => (byte[])_sessionId.Clone();

    internal ReadOnlySpan<byte> SessionIdSpan => _sessionId;
    internal byte[] SessionKey { get; }
    internal byte[] KeyWrap { get; }
    internal byte[] PacketMac { get; }
    internal byte[] AesGcm { get; }
    internal byte[] Logistic { get; }
    internal byte[] Upload { get; }
    internal byte[] Metadata { get; }
    internal byte[] Receipt { get; }
}
