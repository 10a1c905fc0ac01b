using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace SecureTransmit.Integration.Tests.Reliability.Support;

/// <summary>
/// What a peer without any key can do to a receiver, run the way an attacker runs it: many HTTP/2 connections (each
/// from a chosen local address, so a per-address limit sees several peers), several gRPC calls on each, all at once.
/// Each call is a hand-framed request (an attacker does not use a well-behaved client) of one of four kinds, by index:
/// 0: an Upload message declaring 16 MiB, then 60 KiB of it, then silence (the H1 attack of the review);
/// 1: an Upload message declaring the largest size the receiver accepts, then all but 4 KiB of it, then silence;
/// 2: an OpenSession message declaring 4 KiB, then 3 KiB, then silence;
/// 3: an Upload call with headers only, never a byte of body (an idle call).
/// Shared by tests/Integration.Tests (the test) and bench/Wire (unauth_rss_growth_mb).
/// </summary>
public static class UnauthenticatedFlood
{
    public sealed record Outcome(int Calls, int EndedByServer, int StillOpen, long BytesSent, string Endings)
    {
        public override string ToString() => $"{Calls} calls: {EndedByServer} ended by the receiver, {StillOpen} still open, {BytesSent:N0} bytes sent; endings: {Endings}";
    }

    /// <summary>Opens the calls, keeps them for <paramref name="hold"/> (or until the receiver ends them), then drops everything.</summary>
    public static async Task<Outcome> RunAsync(Uri target, int connections, int callsPerConnection, TimeSpan hold,
        Func<int, IPAddress?>? localAddress = null, Func<int, int>? kindOf = null, int maxUploadMessage = 64 * 1024 + 1024)
    {
        kindOf ??= i => i % 4;
        using var stop = new CancellationTokenSource(hold);
        long sent = 0;
        int ended = 0, open = 0;
        var endings = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var handlers = new List<SocketsHttpHandler>();
        var calls = new List<Task>();
        int index = 0;
        for (int c = 0; c < connections; c++)
        {
            var local = localAddress?.Invoke(c);
            var handler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = false,
                UseProxy = false,
                ConnectCallback = async (ctx, ct) =>
                {
                    var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    if (local is not null) s.Bind(new IPEndPoint(local, 0));
                    await s.ConnectAsync(ctx.DnsEndPoint, ct);
                    return new NetworkStream(s, ownsSocket: true);
                },
            };
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true; // an attacker pins nothing
            handlers.Add(handler);
            var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            for (int k = 0; k < callsPerConnection; k++)
            {
                int kind = kindOf(index++);
                calls.Add(Task.Run(async () =>
                {
                    var (path, declared, body) = kind switch
                    {
                        0 => ("/securetransmit.v2.Transmit/Upload", 16 << 20, 60 * 1024),
                        1 => ("/securetransmit.v2.Transmit/Upload", maxUploadMessage, maxUploadMessage - 4096),
                        2 => ("/securetransmit.v2.Handshake/OpenSession", 4096, 3072),
                        _ => ("/securetransmit.v2.Transmit/Upload", -1, 0),
                    };
                    var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target, path))
                    {
                        Version = HttpVersion.Version20,
                        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                        Content = new StallingContent(declared, body, stop.Token, n => Interlocked.Add(ref sent, n)),
                    };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
                    request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
                    try
                    {
                        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, stop.Token);
                        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var v) ? v.First()
                            : response.Headers.TryGetValues("grpc-status", out var h) ? h.First() : $"HTTP {(int)response.StatusCode}";
                        endings.AddOrUpdate("grpc-status " + status, 1, (_, n) => n + 1);
                        Interlocked.Increment(ref ended);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref open);
                    }
                    catch (HttpRequestException e)
                    {
                        // reset or refused by the receiver: ended too
                        endings.AddOrUpdate((e.InnerException ?? e).Message.Split('.')[0], 1, (_, n) => n + 1);
                        Interlocked.Increment(ref ended);
                    }
                }));
            }
        }
        await Task.WhenAll(calls).WaitAsync(hold + TimeSpan.FromSeconds(60));
        foreach (var h in handlers) h.Dispose();
        return new Outcome(calls.Count, ended, open, Interlocked.Read(ref sent), string.Join("; ", endings.Select(kv => $"{kv.Key} ×{kv.Value}")));
    }

    /// <summary>A request body: a gRPC message prefix declaring <c>declared</c> bytes, then <c>body</c> bytes, then nothing until cancelled.</summary>
    private sealed class StallingContent(int declared, int body, CancellationToken stop, Action<long> count) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            if (declared >= 0)
            {
                var prefix = new byte[5];
                BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), (uint)declared);
                await stream.WriteAsync(prefix, stop);
                await stream.FlushAsync(stop);
                var chunk = new byte[4096];
                Random.Shared.NextBytes(chunk);
                for (int done = 0; done < body; done += chunk.Length)
                {
                    int n = Math.Min(chunk.Length, body - done);
                    await stream.WriteAsync(chunk.AsMemory(0, n), stop);
                    count(n + (done == 0 ? 5 : 0));
                }
                await stream.FlushAsync(stop);
            }
            else
            {
                await stream.FlushAsync(stop); // SocketsHttpHandler sends the HEADERS frame with the first flush
            }
            await Task.Delay(Timeout.Infinite, stop);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
