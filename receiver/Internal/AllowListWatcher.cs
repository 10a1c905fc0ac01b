using Microsoft.Extensions.Logging;
using SecureTransmit.Security;

namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// Applies `receiver allow/revoke` to a running receiver: before each handshake it compares the allow-list file's
/// modification time and length with those last loaded and, when they changed, reloads it into the responder. A file
/// that no longer parses (or became group/world-writable) is logged and the previous list stays in force.
/// </summary>
public sealed class AllowListWatcher(string path, HandshakeResponder responder, ILogger<AllowListWatcher> log)
{
    private readonly object _gate = new();
    private (DateTime, long) _stamp = Stamp(path);

    public void Refresh()
    {
        var now = Stamp(path);
        lock (_gate)
        {
            if (now == _stamp) return;
            try
            {
                var list = AllowList.Load(path);
                responder.ReplaceAllowList(list);
                log.LogInformation("allow-list {Path} reloaded: {Count} sender(s)", path, list.Count);
            }
            catch (KeyFileException e)
            {
                log.LogWarning("allow-list {Path} changed but was not applied: {Message}", path, e.Message);
            }
            _stamp = now;
        }
    }

    private static (DateTime, long) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
    }
}
