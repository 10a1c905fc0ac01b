using System.Net;
using System.Net.Sockets;

namespace SecureTransmit.Lab.Experiments.Internal;

/// <summary>
/// A loopback TCP relay that forwards every connection to a target port and counts the bytes in each direction:
/// everything above TCP (TLS records and handshakes, HTTP/2 and gRPC framing, the payload).
/// </summary>
internal sealed class CountingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _accept;
    private readonly List<Task> _pipes = [];
    private long _up, _down;

    public CountingRelay(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accept = Task.Run(AcceptLoop);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Client → server bytes since the last <see cref="Reset"/>.</summary>
    public long Up => Interlocked.Read(ref _up);

    /// <summary>Server → client bytes since the last <see cref="Reset"/>.</summary>
    public long Down => Interlocked.Read(ref _down);

    public void Reset()
    {
        Interlocked.Exchange(ref _up, 0);
        Interlocked.Exchange(ref _down, 0);
    }

    private async Task AcceptLoop()
    {
        try
        {
            while (true)
            {
                var inbound = await _listener.AcceptTcpClientAsync(_cts.Token);
                var outbound = new TcpClient { NoDelay = true };
                inbound.NoDelay = true;
                await outbound.ConnectAsync(IPAddress.Loopback, _targetPort, _cts.Token);
                lock (_pipes)
                {
                    _pipes.Add(Pair(inbound, outbound));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException) when (_cts.IsCancellationRequested)
        {
        }
    }

    private async Task Pair(TcpClient inbound, TcpClient outbound)
    {
        using (inbound)
        using (outbound)
            await Task.WhenAll(Pump(inbound, outbound, up: true), Pump(outbound, inbound, up: false));
    }

    private async Task Pump(TcpClient from, TcpClient to, bool up)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            var src = from.GetStream();
            var dst = to.GetStream();
            while (true)
            {
                int n = await src.ReadAsync(buffer, _cts.Token);
                if (n == 0) break;
                Interlocked.Add(ref up ? ref _up : ref _down, n);
                await dst.WriteAsync(buffer.AsMemory(0, n), _cts.Token);
            }
            to.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            try { to.Close(); from.Close(); } catch (SocketException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _listener.Stop();
        await _accept;
        Task[] pipes;
        lock (_pipes) pipes = [.. _pipes];
        await Task.WhenAll(pipes);
        _cts.Dispose();
    }
}
