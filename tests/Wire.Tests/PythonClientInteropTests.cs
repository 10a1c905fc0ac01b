using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using SecureTransmit.Wire.Tests.Infrastructure;

namespace SecureTransmit.Wire.Tests;

/// <summary>
/// python grpcio's client (python/echo_client.py) drives OUR Kestrel server, over h2c and over TLS with the test
/// certificate passed as its root. The script only records what it saw; every expectation is here.
/// </summary>
public sealed class PythonClientInteropTests
{
    // grpc status code numbers → grpcio's names (grpc/doc/statuscodes.md).
    private static readonly string[] s_codeNames =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
        "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Grpcio_client_against_our_server(bool tls)
    {
        PythonPeer.EnsureAvailable();
        using X509Certificate2? certificate = tls ? TestCertificates.Create() : null;
        using PemFiles? pem = certificate is null ? null : TestCertificates.WritePem(certificate);
        var echo = new EchoService();
        await using WireTestServer server = await WireTestServer.StartAsync(echo.Build(), certificate);

        var args = new List<string> { "--target", $"127.0.0.1:{server.Port}" };
        if (pem is not null)
        {
            args.AddRange(["--root-cert", pem.CertificatePath, "--server-name", "localhost"]);
        }

        (int exit, string stdout, string stderr) = await PythonPeer.RunAsync("echo_client.py", args, TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"echo_client.py exited with {exit}. stderr:\n{stderr}");
        string json = stdout.Trim().Split('\n')[^1];
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement r = doc.RootElement;

        // Unary, empty, gzip-compressed request (our server decompresses it).
        byte[] payload = Enumerable.Repeat(Enumerable.Range(0, 256).Select(i => (byte)i), 4).SelectMany(x => x).ToArray();
        Assert.Equal(Convert.ToHexStringLower(payload), Str(r, "unary", "hex"));
        Assert.Equal(0, r.GetProperty("unary_empty").GetProperty("len").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(new string('a', 100000)))), Str(r, "unary_gzip", "sha256"));
        Assert.Contains("gzip", echo.UnaryEncodings);

        // Streams.
        Assert.Equal(EchoService.ClientStreamSummary(["one"u8.ToArray(), "two"u8.ToArray(), "three"u8.ToArray()]),
            Str(r, "client_stream", "text"));
        int[][] messages = r.GetProperty("server_stream").GetProperty("messages").EnumerateArray()
            .Select(m => m.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
        Assert.Equal([[1000, 0], [1000, 1], [1000, 2]], messages);
        Assert.Equal(["ping 0", "ping 1", "ping 2", "ping 3", "ping 4"],
            r.GetProperty("bidi").GetProperty("echoes").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(0, r.GetProperty("bidi").GetProperty("rest").GetInt32());

        // Status code, non-ASCII/percent/control-character message and trailers.
        Assert.Equal("NOT_FOUND", Str(r, "fail", "code"));
        Assert.Equal("nö such thing: 100% ✓ \r\n", Str(r, "fail", "details"));
        string[][] failTrailers = Pairs(r.GetProperty("fail").GetProperty("trailers"));
        Assert.Contains(["fail-info", "yes"], failTrailers);
        Assert.Contains(["fail-info-bin", "00ff"], failTrailers);
        JsonElement codes = r.GetProperty("codes");
        for (int c = 1; c <= 16; c++)
        {
            Assert.Equal($"{s_codeNames[c]}|m{c}", codes.GetProperty(c.ToString()).GetString());
        }

        // Deadlines: grpcio's timeout reaches our handler as a cancelled token; grpc-timeout is parsed.
        Assert.Equal("DEADLINE_EXCEEDED", Str(r, "deadline_sleep", "code"));
        await echo.SleepCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // grpc core rounds the header up to its unit granularity (e.g. "5008m" for 5 s), so allow a little above 5000.
        int remaining = int.Parse(Str(r, "deadline_remaining", "ms"));
        Assert.InRange(remaining, 1000, 5100);

        // Metadata both ways, binary included.
        string[][] initial = Pairs(r.GetProperty("metadata").GetProperty("initial"));
        string[][] trailing = Pairs(r.GetProperty("metadata").GetProperty("trailing"));
        Assert.Contains(["x-ascii", "hello world"], initial);
        Assert.Contains(["x-data-bin", "0001feff"], initial);
        Assert.Contains(["t-x-ascii", "hello world"], trailing);
        Assert.Contains(["t-x-data-bin", "0001feff"], trailing);

        // Errors produced by the server itself.
        Assert.Equal("UNIMPLEMENTED", Str(r, "unimplemented_method", "code"));
        Assert.Equal("UNIMPLEMENTED", Str(r, "unimplemented_service", "code"));
        Assert.Equal("RESOURCE_EXHAUSTED", Str(r, "too_big", "code"));
        Assert.Equal("UNKNOWN", Str(r, "throw", "code"));
        Assert.DoesNotContain("hunter2", Str(r, "throw", "details"));
        Assert.Equal("Exception was thrown by handler.", Str(r, "throw", "details"));
    }

    private static string Str(JsonElement root, string scenario, string field)
    {
        JsonElement s = root.GetProperty(scenario);
        Assert.True(s.TryGetProperty(field, out JsonElement value), $"{scenario}: expected '{field}' but got {s}");
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : value.ToString();
    }

    private static string[][] Pairs(JsonElement array)
        => array.EnumerateArray().Select(p => p.EnumerateArray().Select(x => x.GetString()!).ToArray()).ToArray();
}

/// <summary>Our client against a grpcio server that gzip-compresses its responses.</summary>
public sealed class PythonGzipServerTests(PythonServerGzipTarget target) : IClassFixture<PythonServerGzipTarget>
{
    [Fact]
    public async Task Our_client_decompresses_gzip_responses()
    {
        long before = Interlocked.Read(ref Internal.WireDiagnostics.CompressedMessagesReceived);
        using AsyncServerStreamingCall<byte[]> call = target.Client.ServerStreaming(EchoMethods.ServerStream, "3,100000"u8.ToArray());
        var received = new List<byte[]>();
        while (await call.ResponseStream.MoveNext(default).WaitAsync(TimeSpan.FromSeconds(30)))
        {
            received.Add(call.ResponseStream.Current);
        }

        Assert.Equal(3, received.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(100000, received[i].Length);
            Assert.All(received[i], b => Assert.Equal((byte)i, b));
        }

        // The messages really arrived compressed (the counter only moves on gzip frames).
        Assert.True(Interlocked.Read(ref Internal.WireDiagnostics.CompressedMessagesReceived) - before >= 3);
    }
}
