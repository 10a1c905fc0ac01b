using System.Security.Cryptography;

namespace SecureTransmit.Security;

/// <summary>
/// Remembers every accepted OpenSessionRequest (by the SHA-256 of its signature, which covers the sender's 32-byte
/// nonce and timestamp) until its timestamp can no longer pass the clock-skew check, so a captured request is accepted
/// at most once. Bounded by the skew window: an entry older than 2 × skew is dropped. Thread-safe.
/// </summary>
public sealed class HandshakeReplayCache
{
    /// <summary>Most entries held; past it the oldest are dropped first (a request that old is refused by the clock).</summary>
    public const int MaxEntries = 1 << 20;

    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, DateTimeOffset Timestamp)> _order = new();
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private readonly object _gate = new();

    public HandshakeReplayCache(TimeSpan maxClockSkew, TimeProvider? timeProvider = null)
    {
        if (maxClockSkew <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(maxClockSkew), maxClockSkew, "must be positive");
        _window = maxClockSkew * 2;
        _time = timeProvider ?? TimeProvider.System;
    }

    public int Count
    {
        get { lock (_gate) return _seen.Count; }
    }

    /// <summary>True the first time a signature is seen; false for every copy while it is remembered.</summary>
    public bool TryAdd(ReadOnlySpan<byte> signature, DateTimeOffset timestamp)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(signature));
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            while (_order.Count > 0 && (_order.Peek().Timestamp < now - _window || _order.Count >= MaxEntries))
                _seen.Remove(_order.Dequeue().Key);
            if (!_seen.TryAdd(key, timestamp)) return false;
            _order.Enqueue((key, timestamp));
            return true;
        }
    }
}
