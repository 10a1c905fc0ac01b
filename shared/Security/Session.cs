namespace SecureTransmit.Security;

/// <summary>Which side of the handshake this session object belongs to.</summary>
public enum SessionRole
{
    /// <summary>The sender (it called OpenSession).</summary>
    Initiator,

    /// <summary>The receiver.</summary>
    Responder,
}

/// <summary>
/// An authenticated session: the result of a handshake on either side. Both sides hold equal
/// <see cref="Keys"/>. The responder keeps it in a <see cref="SessionStore"/>; <see cref="Replay"/>
/// tracks the packet sequence numbers seen on it.
/// </summary>
public sealed class Session
{
    private readonly byte[] _sessionId;
    private readonly byte[] _modelId;
    private readonly byte[] _transcriptHash;

    internal Session(SessionRole role, ReadOnlySpan<byte> sessionId, SessionKeys keys, PublicIdentity peer,
        string modelName, ReadOnlySpan<byte> modelId, string cipherMode, DateTimeOffset expires, uint maxImagePixels,
        ReadOnlySpan<byte> transcriptHash)
    {
        Role = role;
        _sessionId = sessionId.ToArray();
        SessionIdHex = Convert.ToHexStringLower(_sessionId);
        Keys = keys;
        Peer = peer;
        ModelName = modelName;
        _modelId = modelId.ToArray();
        CipherMode = cipherMode;
        Expires = expires;
        MaxImagePixels = maxImagePixels;
        _transcriptHash = transcriptHash.ToArray();
        Replay = new ReplayWindow();
    }

    public SessionRole Role { get; }

    /// <summary>The 16-byte session id (a copy).</summary>
    public byte[] SessionId => (byte[])_sessionId.Clone();

    /// <summary>The session id as 32 lowercase hex digits (for logs and dictionary keys).</summary>
    public string SessionIdHex { get; }

    /// <summary>Keys for <see cref="IImageCipher"/>.</summary>
    public SessionKeys Keys { get; }

    /// <summary>The other side's long-term identity (verified by signature).</summary>
    public PublicIdentity Peer { get; }

    public Fingerprint PeerFingerprint => Peer.Fingerprint;

    public string ModelName { get; }

    /// <summary>SHA-256 of the decoder weights agreed in the handshake (a copy).</summary>
    public byte[] ModelId => (byte[])_modelId.Clone();

    /// <summary>"logistic" or "aes-256-gcm"; both sides signed it.</summary>
    public string CipherMode { get; }

    /// <summary>The cipher for <see cref="CipherMode"/>.</summary>
    public IImageCipher Cipher => CipherModes.Get(CipherMode);

    /// <summary>After this instant (receiver clock) the session is refused.</summary>
    public DateTimeOffset Expires { get; }

    public uint MaxImagePixels { get; }

    /// <summary>SHA-256 of the full handshake transcript (a copy): a channel binding both sides share.</summary>
    public byte[] TranscriptHash => (byte[])_transcriptHash.Clone();

    /// <summary>Sequence numbers already accepted on this session (1024-packet window).</summary>
    public ReplayWindow Replay { get; }

    public bool IsExpired(DateTimeOffset now) => now >= Expires;

    private readonly ReplayWindow _calls = new();

    /// <summary>
    /// Accepts an upload hello's call counter once: a counter seen before on this session (a replayed hello), or one
    /// too far below the highest seen (outside the <see cref="ReplayWindow"/>), is refused. Calls opened in parallel may
    /// arrive out of order. Thread-safe.
    /// </summary>
    public bool TryAdvanceCallCounter(ulong counter)
    {
        lock (_calls) return _calls.TryAccept(counter) == ReplayVerdict.Accepted;
    }

    internal ReadOnlySpan<byte> SessionIdSpan => _sessionId;

    public override string ToString() => $"Session {SessionIdHex} ({Role}, peer {Peer.Fingerprint.Short}, {CipherMode}, expires {Expires:O})";
}
