namespace SecureTransmit.Security;

/// <summary>Base of every error this library reports about keys, peers, sessions and packets.</summary>
public class SecureTransmitSecurityException : Exception
{
    public SecureTransmitSecurityException(string message) : base(message) { }

    public SecureTransmitSecurityException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>Why a handshake or a session lookup failed. Suggested gRPC mapping in brackets.</summary>
public enum HandshakeFailureReason
{
    /// <summary>A field has the wrong length or encoding, an unknown version or cipher mode [INVALID_ARGUMENT].</summary>
    Malformed,

    /// <summary>A transcript signature does not verify [UNAUTHENTICATED].</summary>
    BadSignature,

    /// <summary>The sender's identity is not on the receiver's allow-list [PERMISSION_DENIED].</summary>
    NotAllowed,

    /// <summary>The receiver's identity does not match the pinned fingerprint [UNAUTHENTICATED].</summary>
    WrongPeer,

    /// <summary>The session has expired [UNAUTHENTICATED].</summary>
    Expired,

    /// <summary>The request timestamp is too far from the receiver's clock [FAILED_PRECONDITION].</summary>
    Skew,

    /// <summary>No session with this id is known (never opened, evicted or removed) [UNAUTHENTICATED].</summary>
    UnknownSession,

    /// <summary>The same signed OpenSessionRequest was seen before (a replay) [UNAUTHENTICATED].</summary>
    Replayed,

    /// <summary>The sender already holds its most sessions, or the store is full of live sessions [RESOURCE_EXHAUSTED].</summary>
    TooManySessions,
}

/// <summary>A handshake or session lookup failed; <see cref="Reason"/> says why.</summary>
public sealed class HandshakeException : SecureTransmitSecurityException
{
    public HandshakeException(HandshakeFailureReason reason, string message) : base(message) => Reason = reason;

    public HandshakeException(HandshakeFailureReason reason, string message, Exception? innerException)
        : base(message, innerException) => Reason = reason;

    public HandshakeFailureReason Reason { get; }
}

/// <summary>
/// A sealed packet failed authentication (header, key block, ciphertext or tag changed, truncated, or
/// from another session). Nothing of the plaintext is returned. Suggested gRPC status: DATA_LOSS.
/// </summary>
public sealed class IntegrityException : SecureTransmitSecurityException
{
    public IntegrityException(string message) : base(message) { }

    public IntegrityException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>A packet sequence number was seen before or is older than the replay window.</summary>
public sealed class ReplayException : SecureTransmitSecurityException
{
    public ReplayException(ulong sequence, ReplayVerdict verdict)
        : base(verdict == ReplayVerdict.Duplicate
            ? $"packet sequence {sequence} was already received on this session (replay)"
            : $"packet sequence {sequence} is older than the replay window (replay or excessive reordering)")
    {
        Sequence = sequence;
        Verdict = verdict;
    }

    public ulong Sequence { get; }

    public ReplayVerdict Verdict { get; }
}

/// <summary>An identity, public-key or allow-list file is missing, unreadable, malformed or unsafe.</summary>
public sealed class KeyFileException : SecureTransmitSecurityException
{
    public KeyFileException(string path, string message, Exception? innerException = null)
        : base(message, innerException) => Path = path;

    public string Path { get; }
}
