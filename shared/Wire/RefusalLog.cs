using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace SecureTransmit.Wire;

/// <summary>
/// One structured line per refused connection or call — "refused {Peer}: {Reason}" with the peer's address — rate
/// limited per (address, reason): at most one line per <see cref="Interval"/>, the next line saying how many were
/// suppressed. Thread-safe.
/// </summary>
public sealed class RefusalLog(ILogger logger)
{
    /// <summary>Shortest time between two lines for the same address and reason: 1 s.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private const int MaxKeys = 4096;
    private readonly ConcurrentDictionary<(string, string), Entry> _last = new();

    private sealed class Entry
    {
        public long LastTicks;
        public int Suppressed;
    }

    /// <summary>Logs (or counts) one refusal. <paramref name="peer"/> is an address (no port needed).</summary>
    public void Refused(string? peer, string reason, string detail)
    {
        peer = string.IsNullOrEmpty(peer) ? "unknown" : peer;
        if (_last.Count > MaxKeys) _last.Clear();
        var entry = _last.GetOrAdd((peer, reason), _ => new Entry { LastTicks = 0 });
        long now = Stopwatch.GetTimestamp();
        int suppressed;
        lock (entry)
        {
            if (entry.LastTicks != 0 && Stopwatch.GetElapsedTime(entry.LastTicks, now) < Interval)
            {
                entry.Suppressed++;
                return;
            }
            entry.LastTicks = now;
            suppressed = entry.Suppressed;
            entry.Suppressed = 0;
        }
        logger.LogWarning("refused {Peer}: {Reason}: {Detail} ({Suppressed} similar suppressed)", peer, reason, detail, suppressed);
    }

    /// <summary>The address part of a gRPC peer string such as "ipv4:127.0.0.1:5000" or "ipv6:[::1]:5000".</summary>
    public static string AddressOf(string? peer)
    {
        if (string.IsNullOrEmpty(peer)) return "unknown";
        var p = peer.StartsWith("ipv4:", StringComparison.Ordinal) || peer.StartsWith("ipv6:", StringComparison.Ordinal) ? peer[5..] : peer;
        int colon = p.LastIndexOf(':');
        return colon > 0 && !p.EndsWith(']') ? p[..colon].Trim('[', ']') : p;
    }
}
