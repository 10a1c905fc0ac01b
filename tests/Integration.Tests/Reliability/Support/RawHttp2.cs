using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace SecureTransmit.Integration.Tests.Reliability.Support;

/// <summary>What a raw gRPC request got back: HTTP status, grpc-status (from headers or trailers) and the time taken.</summary>
public sealed record RawOutcome(HttpStatusCode Http, string? GrpcStatus, string? GrpcMessage, TimeSpan Elapsed, string? Error)
{
    public override string ToString() => $"HTTP {(int)Http}, grpc-status {GrpcStatus ?? "-"} ({GrpcMessage}) in {Elapsed.TotalMilliseconds:0} ms{(Error is null ? "" : ", " + Error)}";
}

/// <summary>
/// gRPC requests built by hand on a plain <see cref="HttpClient"/> over h2c (prior knowledge), so a test can send
/// frames no gRPC library would: truncated, lying length prefixes, wrong content types, bytes trickled one per second.
/// </summary>
public sealed class RawHttp2(Uri address) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = true })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    /// <summary>A Length-Prefixed-Message: flag byte, 4-byte big-endian length, payload.</summary>
    public static byte[] Frame(byte[] payload, uint? declaredLength = null, byte flag = 0)
    {
        var f = new byte[5 + payload.Length];
        f[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(1), declaredLength ?? (uint)payload.Length);
        payload.CopyTo(f, 5);
        return f;
    }

    /// <summary>Sends whole messages as one request body (every frame at once, then end of stream).</summary>
    public Task<RawOutcome> CallAsync(string path, IEnumerable<Google.Protobuf.IMessage> messages, TimeSpan? timeout = null) =>
        PostAsync(path, messages.SelectMany(m => Frame(Google.Protobuf.MessageExtensions.ToByteArray(m))).ToArray(), timeout: timeout);

    public Task<RawOutcome> PostAsync(string path, byte[] body, string contentType = "application/grpc", TimeSpan? timeout = null) =>
        PostAsync(path, new ByteArrayContent(body), contentType, timeout);

    /// <summary>Sends <paramref name="body"/> one byte every <paramref name="interval"/> (a slowloris client).</summary>
    public Task<RawOutcome> TrickleAsync(string path, byte[] body, TimeSpan interval, TimeSpan? timeout = null) =>
        PostAsync(path, new TrickleContent(body, interval), "application/grpc", timeout);

    private async Task<RawOutcome> PostAsync(string path, HttpContent content, string contentType, TimeSpan? timeout)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, path))
        {
            Content = content,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            string? status = Header(response.Headers, "grpc-status"), message = Header(response.Headers, "grpc-message");
            if (status is null)
            {
                await response.Content.CopyToAsync(Stream.Null, cts.Token);
                status = Header(response.TrailingHeaders, "grpc-status");
                message = Header(response.TrailingHeaders, "grpc-message");
            }
            return new RawOutcome(response.StatusCode, status, message, watch.Elapsed, null);
        }
        catch (Exception e) when (!cts.IsCancellationRequested && e is HttpRequestException or IOException)
        {
            // The receiver reset the stream or closed the connection: also a bounded answer.
            return new RawOutcome(0, null, null, watch.Elapsed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var v) ? string.Join(",", v) : null;

    public void Dispose() => _http.Dispose();

    private sealed class TrickleContent(byte[] body, TimeSpan interval) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            try
            {
                foreach (var b in body)
                {
                    await stream.WriteAsync(new[] { b });
                    await stream.FlushAsync();
                    await Task.Delay(interval);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or HttpRequestException)
            {
                // The receiver gave up on us, which is the point.
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
