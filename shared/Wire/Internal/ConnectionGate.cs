using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;

namespace SecureTransmit.Wire.Internal;

/// <summary>
/// Kestrel connection middleware (first in the chain, before TLS): counts open connections per remote IP address and
/// closes one over <see cref="ServerLimits.MaxConnectionsPerAddress"/> at once, with one (rate-limited) log line.
/// </summary>
internal sealed class ConnectionGate(ServerLimits limits, Func<RefusalLog?> log)
{
    private readonly ConcurrentDictionary<IPAddress, int> _open = new();

    public int OpenFrom(IPAddress address) => _open.TryGetValue(address, out var n) ? n : 0;

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (address is null)
        {
            await next(connection);
            return;
        }
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        int now = _open.AddOrUpdate(address, 1, (_, n) => n + 1);
        try
        {
            if (now > limits.MaxConnectionsPerAddress)
            {
                log()?.Refused(address.ToString(), "too many connections",
                    $"{now - 1} already open from this address (limit {limits.MaxConnectionsPerAddress})");
                connection.Abort(new ConnectionAbortedException("too many connections from this address"));
                return;
            }
            await next(connection);
        }
        finally
        {
            _open.AddOrUpdate(address, 0, (_, n) => n - 1);
            _open.TryRemove(new KeyValuePair<IPAddress, int>(address, 0));
        }
    };
}
