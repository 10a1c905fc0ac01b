using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SecureTransmit.Wire.Tests.Infrastructure;

namespace SecureTransmit.Wire.Tests;

/// <summary>
/// Our server seen through a plain HttpClient (no gRPC code on the client side), so that the bytes and headers on
/// the wire are checked against PROTOCOL-HTTP2.md directly. Also checks how our client maps non-gRPC HTTP responses.
/// </summary>
public sealed class RawProtocolTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly EchoService _echo = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false });
    private WireTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await WireTestServer.StartAsync(_echo.Build(), configure: app =>
        {
            // Plain HTTP endpoints answering like a proxy or a non-gRPC server would.
            app.MapPost("/wiretest.Http/S{code:int}", (HttpContext http, int code) =>
            {
                http.Response.StatusCode = code;
                return Task.CompletedTask;
            });
            app.MapPost("/wiretest.Http/TextPlain", (HttpContext http) =>
            {
                http.Response.ContentType = "text/plain";
                return http.Response.WriteAsync("hello");
            });
            app.MapPost("/wiretest.Http/NoStatus", async (HttpContext http) =>
            {
                http.Response.ContentType = "application/grpc";
                await http.Response.Body.WriteAsync(Frame("x"u8.ToArray()));
            });
        });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Unary_response_has_grpc_content_type_one_frame_and_status_in_trailers()
    {
        (HttpResponseMessage response, byte[] body) = await SendAsync("/wiretest.Echo/Unary", Frame("AB"u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(2, 0), response.Version);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 2, (byte)'A', (byte)'B' }, body);
        Assert.False(response.Headers.Contains("grpc-status"));
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json")]
    [InlineData("application/grpcx")]
    public async Task Non_grpc_content_type_is_415(string contentType)
    {
        (HttpResponseMessage response, _) = await SendAsync("/wiretest.Echo/Unary", Frame([1]), contentType);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("13", response.Headers.GetValues("grpc-status").Single());
    }

    [Theory]
    [InlineData("application/grpc+proto")]
    [InlineData("application/grpc;charset=utf-8")]
    public async Task Grpc_content_type_variants_are_accepted(string contentType)
    {
        (HttpResponseMessage response, byte[] body) = await SendAsync("/wiretest.Echo/Unary", Frame([7]), contentType);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Frame([7]), body);
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
    }

    [Fact]
    public async Task Get_is_405()
    {
        (HttpResponseMessage response, _) = await SendAsync("/wiretest.Echo/Unary", null, method: HttpMethod.Get);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Unknown_method_is_a_trailers_only_unimplemented_response()
    {
        (HttpResponseMessage response, byte[] body) = await SendAsync("/wiretest.Echo/Missing", Frame([]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("12", response.Headers.GetValues("grpc-status").Single());
        Assert.Equal("Method is unimplemented.", response.Headers.GetValues("grpc-message").Single());
        Assert.Empty(body);
        Assert.False(response.TrailingHeaders.Contains("grpc-status"));

        (HttpResponseMessage service, _) = await SendAsync("/nosuch.Service/Missing", Frame([]));
        Assert.Equal("12", service.Headers.GetValues("grpc-status").Single());
        Assert.Equal("Service is unimplemented.", service.Headers.GetValues("grpc-message").Single());
    }

    [Fact]
    public async Task Non_grpc_request_to_unknown_path_is_404()
    {
        (HttpResponseMessage response, _) = await SendAsync("/some/page", [1, 2], "text/plain");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Grpc_message_is_percent_encoded_on_the_wire()
    {
        // Per the spec: UTF-8, then bytes outside 0x20-0x7E and '%' itself become %XX.
        (HttpResponseMessage response, _) = await SendAsync("/wiretest.Echo/Fail", Frame(Encoding.UTF8.GetBytes("3|a%b ö\n~")));
        Assert.Equal("3", response.Headers.GetValues("grpc-status").Single());
        Assert.Equal("a%25b %C3%B6%0A~", response.Headers.GetValues("grpc-message").Single());
        // Custom trailers of a Trailers-Only response travel in the headers; -bin values are base64 without padding.
        Assert.Equal("yes", response.Headers.GetValues("fail-info").Single());
        Assert.Equal("AP8", response.Headers.GetValues("fail-info-bin").Single());
    }

    [Fact]
    public async Task Grpc_timeout_alone_makes_the_server_end_the_call_with_deadline_exceeded()
    {
        var watch = Stopwatch.StartNew();
        (HttpResponseMessage response, _) = await SendAsync("/wiretest.Echo/Sleep", Frame("10000"u8.ToArray()),
            configure: r => r.Headers.TryAddWithoutValidation("grpc-timeout", "200m"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal("4", Status(response));
        await _echo.SleepCancelled.Task.WaitAsync(Timeout);
    }

    [Theory]
    [InlineData("3S", 3_000)]
    [InlineData("3000m", 3_000)]
    [InlineData("3000000u", 3_000)]
    [InlineData("99999999n", 100)]
    [InlineData("1M", 60_000)]
    [InlineData("1H", 3_600_000)]
    public async Task Every_grpc_timeout_unit_is_understood(string header, long expectedMs)
    {
        (_, byte[] body) = await SendAsync("/wiretest.Echo/Deadline", Frame([]),
            configure: r => r.Headers.TryAddWithoutValidation("grpc-timeout", header));
        long ms = long.Parse(Encoding.ASCII.GetString(body.AsSpan(5)));
        Assert.InRange(ms, expectedMs - 2000, expectedMs);
    }

    [Theory]
    [InlineData("123456789S")] // 9 digits: the spec allows at most 8
    [InlineData("5s")]         // unknown unit
    [InlineData("S")]
    [InlineData("-5S")]
    public async Task Malformed_grpc_timeout_is_ignored(string header)
    {
        (_, byte[] body) = await SendAsync("/wiretest.Echo/Deadline", Frame([]),
            configure: r => r.Headers.TryAddWithoutValidation("grpc-timeout", header));
        Assert.Equal("none", Encoding.ASCII.GetString(body.AsSpan(5)));
    }

    [Fact]
    public async Task Body_arriving_one_byte_per_data_frame_is_reassembled()
    {
        byte[] payload = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        byte[] frames = [.. Frame(payload), .. Frame([9, 9])];
        (HttpResponseMessage response, byte[] body) = await SendAsync("/wiretest.Echo/ClientStream", null,
            configure: r => r.Content = new TrickleContent(frames));
        Assert.Equal("0", Status(response));
        Assert.Equal(EchoService.ClientStreamSummary([payload, [9, 9]]), Encoding.ASCII.GetString(body.AsSpan(5)));
    }

    [Fact]
    public async Task Several_messages_in_one_data_frame_are_split()
    {
        byte[] frames = [.. Frame("a"u8.ToArray()), .. Frame([]), .. Frame("bc"u8.ToArray())];
        (_, byte[] body) = await SendAsync("/wiretest.Echo/ClientStream", frames);
        Assert.Equal(EchoService.ClientStreamSummary(["a"u8.ToArray(), [], "bc"u8.ToArray()]), Encoding.ASCII.GetString(body.AsSpan(5)));
    }

    [Fact]
    public async Task Truncated_message_is_internal()
    {
        byte[] truncated = [0, 0, 0, 0, 10, 1, 2, 3];
        (HttpResponseMessage response, _) = await SendAsync("/wiretest.Echo/Unary", truncated);
        Assert.Equal("13", Status(response));
    }

    [Fact]
    public async Task Two_messages_for_a_unary_method_is_internal()
    {
        (HttpResponseMessage response, _) = await SendAsync("/wiretest.Echo/Unary", [.. Frame([1]), .. Frame([2])]);
        Assert.Equal("13", Status(response));
    }

    [Fact]
    public async Task No_message_for_a_unary_method_is_internal()
    {
        (HttpResponseMessage response, _) = await SendAsync("/wiretest.Echo/Unary", []);
        Assert.Equal("13", Status(response));
    }

    [Fact]
    public async Task Compressed_flag_without_grpc_encoding_is_internal()
    {
        byte[] frame = Frame(Gzip("hello"u8.ToArray()));
        frame[0] = 1;
        (HttpResponseMessage response, _) = await SendAsync("/wiretest.Echo/Unary", frame);
        Assert.Equal("13", Status(response));
    }

    [Fact]
    public async Task Invalid_compressed_flag_value_is_internal()
    {
        byte[] frame = Frame([1, 2]);
        frame[0] = 2;
        (HttpResponseMessage response, _) = await SendAsync("/wiretest.Echo/Unary", frame);
        Assert.Equal("13", Status(response));
    }

    [Fact]
    public async Task Gzip_request_is_decompressed()
    {
        byte[] plain = Encoding.ASCII.GetBytes(new string('z', 5000));
        byte[] frame = Frame(Gzip(plain));
        frame[0] = 1;
        (HttpResponseMessage response, byte[] body) = await SendAsync("/wiretest.Echo/Unary", frame,
            configure: r => r.Headers.TryAddWithoutValidation("grpc-encoding", "gzip"));
        Assert.Equal("0", Status(response));
        Assert.Equal(Frame(plain), body);
    }

    [Fact]
    public async Task Gzip_bomb_is_stopped_at_the_receive_limit()
    {
        byte[] frame = Frame(Gzip(new byte[5 * 1024 * 1024])); // ~5 KiB compressed, 5 MiB inflated > 4 MiB
        frame[0] = 1;
        (HttpResponseMessage response, _) = await SendAsync("/wiretest.Echo/Unary", frame,
            configure: r => r.Headers.TryAddWithoutValidation("grpc-encoding", "gzip"));
        Assert.Equal("8", Status(response));
    }

    [Fact]
    public async Task Unsupported_grpc_encoding_is_unimplemented_and_lists_what_is_accepted()
    {
        (HttpResponseMessage response, _) = await SendAsync("/wiretest.Echo/Unary", Frame([1]),
            configure: r => r.Headers.TryAddWithoutValidation("grpc-encoding", "deflate"));
        Assert.Equal("12", Status(response));
        Assert.Contains("gzip", response.Headers.GetValues("grpc-accept-encoding").Single());
    }

    [Theory]
    [InlineData(400, StatusCode.Internal)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(429, StatusCode.Unavailable)]
    [InlineData(502, StatusCode.Unavailable)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(504, StatusCode.Unavailable)]
    [InlineData(500, StatusCode.Unknown)]
    [InlineData(418, StatusCode.Unknown)]
    public async Task Our_client_maps_http_status_without_grpc_status(int httpStatus, StatusCode expected)
    {
        using var client = new GrpcClient(_server.Address);
        var method = new Method<byte[], byte[]>(MethodType.Unary, "wiretest.Http", $"S{httpStatus}", Marshallers.Bytes, Marshallers.Bytes);
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(method, [1]).WaitAsync(Timeout));
        Assert.Equal(expected, ex.StatusCode);
        Assert.Contains(httpStatus.ToString(), ex.Status.Detail);
    }

    [Fact]
    public async Task Our_client_rejects_a_non_grpc_content_type_and_a_missing_grpc_status()
    {
        using var client = new GrpcClient(_server.Address);
        var text = new Method<byte[], byte[]>(MethodType.Unary, "wiretest.Http", "TextPlain", Marshallers.Bytes, Marshallers.Bytes);
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(text, [1]).WaitAsync(Timeout));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Contains("text/plain", ex.Status.Detail);

        var noStatus = new Method<byte[], byte[]>(MethodType.Unary, "wiretest.Http", "NoStatus", Marshallers.Bytes, Marshallers.Bytes);
        ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(noStatus, [1]).WaitAsync(Timeout));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Contains("grpc-status", ex.Status.Detail);
    }

    private async Task<(HttpResponseMessage Response, byte[] Body)> SendAsync(string path, byte[]? body,
        string contentType = "application/grpc", HttpMethod? method = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Post, new Uri(_server.Address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        configure?.Invoke(request);
        if (request.Content is TrickleContent)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        HttpResponseMessage response = await _http.SendAsync(request).WaitAsync(Timeout);
        byte[] bytes = await response.Content.ReadAsByteArrayAsync().WaitAsync(Timeout);
        return (response, bytes);
    }

    /// <summary>grpc-status from the trailers, or from the headers of a Trailers-Only response.</summary>
    private static string Status(HttpResponseMessage response)
        => response.TrailingHeaders.TryGetValues("grpc-status", out IEnumerable<string>? t) ? t.Single()
            : response.Headers.GetValues("grpc-status").Single();

    /// <summary>A Length-Prefixed-Message written out by hand: flag 0, big-endian length, payload.</summary>
    internal static byte[] Frame(byte[] payload)
    {
        byte[] frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Sends its bytes one at a time, flushing after each, so that each becomes its own DATA frame.</summary>
    private sealed class TrickleContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            foreach (byte b in bytes)
            {
                await stream.WriteAsync(new[] { b });
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
