namespace SecureTransmit.Security;

/// <summary>Settings of a <see cref="SessionStore"/>; setters validate.</summary>
public sealed class SessionStoreOptions
{
    private int _capacity = 1024;
    private int _perSender = 8;
    private TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>Most sessions held at once. Default 1024; [1, 1 000 000].</summary>
    public int Capacity
    {
        get => _capacity;
        set => _capacity = value is >= 1 and <= 1_000_000 ? value
            : throw new ArgumentOutOfRangeException(nameof(Capacity), value, "must be in [1, 1000000]");
    }

    /// <summary>
    /// Most live sessions one sender (by fingerprint) holds. Default 8; [1, 1 000 000]. A sender opening one more
    /// loses its own oldest session, never anyone else's.
    /// </summary>
    public int MaxSessionsPerSender
    {
        get => _perSender;
        set => _perSender = value is >= 1 and <= 1_000_000 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxSessionsPerSender), value, "must be in [1, 1000000]");
    }

    /// <summary>Clock for expiry. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(TimeProvider));
    }
}

/// <summary>
/// The responder's open sessions by id, bounded and with expiry. Eviction respects owners: a sender over
/// <see cref="SessionStoreOptions.MaxSessionsPerSender"/> loses its own oldest session; when the whole store is full of
/// live sessions a new one is refused (<see cref="HandshakeFailureReason.TooManySessions"/>) rather than evicting
/// another sender's. Thread-safe.
/// </summary>
public sealed class SessionStore
{
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly SessionStoreOptions _options;

    public SessionStore(SessionStoreOptions? options = null) => _options = options ?? new SessionStoreOptions();

    public int Capacity => _options.Capacity;

    public int Count
    {
        get { lock (_gate) return _sessions.Count; }
    }

    /// <summary>Adds a session (replacing one with the same id), evicting as described above.</summary>
    /// <exception cref="HandshakeException"><see cref="HandshakeFailureReason.TooManySessions"/>: the store is full of
    /// other senders' live sessions.</exception>
    public void Add(Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var now = _options.TimeProvider.GetUtcNow();
        lock (_gate)
        {
            if (_sessions.ContainsKey(session.SessionIdHex))
            {
                _sessions[session.SessionIdHex] = session;
                return;
            }
            var own = _sessions.Values.Where(s => s.PeerFingerprint.Equals(session.PeerFingerprint)).ToList();
            if (own.Count >= _options.MaxSessionsPerSender)
            {
                PurgeExpiredLocked(now);
                own = own.Where(s => _sessions.ContainsKey(s.SessionIdHex)).ToList();
                while (own.Count >= _options.MaxSessionsPerSender)
                {
                    var oldest = own.MinBy(s => s.Expires)!;
                    _sessions.Remove(oldest.SessionIdHex);
                    own.Remove(oldest);
                }
            }
            if (_sessions.Count >= _options.Capacity)
            {
                PurgeExpiredLocked(now);
                if (_sessions.Count >= _options.Capacity)
                    throw new HandshakeException(HandshakeFailureReason.TooManySessions,
                        $"the receiver holds its most live sessions ({_options.Capacity}); try again later");
            }
            _sessions[session.SessionIdHex] = session;
        }
    }

    /// <summary>Live sessions of one sender.</summary>
    public int CountFor(Fingerprint sender)
    {
        lock (_gate) return _sessions.Values.Count(s => s.PeerFingerprint.Equals(sender));
    }

    /// <summary>The live session with this id; false when unknown or expired (an expired one is removed).</summary>
    public bool TryGet(ReadOnlySpan<byte> sessionId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Session? session)
    {
        session = null;
        try
        {
            session = Get(sessionId);
            return true;
        }
        catch (HandshakeException)
        {
            return false;
        }
    }

    /// <summary>The live session with this id.</summary>
    /// <exception cref="HandshakeException"><see cref="HandshakeFailureReason.UnknownSession"/>, or
    /// <see cref="HandshakeFailureReason.Expired"/> (the session is then removed).</exception>
    public Session Get(ReadOnlySpan<byte> sessionId)
    {
        if (sessionId.Length != ProtocolConstants.SessionIdLength)
            throw new HandshakeException(HandshakeFailureReason.Malformed,
                $"a session id is {ProtocolConstants.SessionIdLength} bytes, got {sessionId.Length}");
        var key = Convert.ToHexStringLower(sessionId);
        var now = _options.TimeProvider.GetUtcNow();
        lock (_gate)
        {
            if (!_sessions.TryGetValue(key, out var s))
                throw new HandshakeException(HandshakeFailureReason.UnknownSession, "unknown session; open a new session");
            if (s.IsExpired(now))
            {
                _sessions.Remove(key);
                throw new HandshakeException(HandshakeFailureReason.Expired, $"the session expired at {s.Expires:O}; open a new session");
            }
            return s;
        }
    }

    public bool Remove(ReadOnlySpan<byte> sessionId)
    {
        var key = Convert.ToHexStringLower(sessionId);
        lock (_gate) return _sessions.Remove(key);
    }

    /// <summary>Drops every expired session; returns how many.</summary>
    public int PurgeExpired()
    {
        var now = _options.TimeProvider.GetUtcNow();
        lock (_gate) return PurgeExpiredLocked(now);
    }

    private int PurgeExpiredLocked(DateTimeOffset now)
    {
        var expired = _sessions.Where(kv => kv.Value.IsExpired(now)).Select(kv => kv.Key).ToList();
        foreach (var k in expired) _sessions.Remove(k);
        return expired.Count;
    }
}
