using System.Net;
using System.Text.Json.Nodes;
using Google.Protobuf;
using SecureTransmit.Codec;
using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Integration.Tests.Reliability.Support;
using SecureTransmit.Protos.V2;
using SecureTransmit.Security;
using Grpc.Core;
using SecureTransmit.Sender;
using Xunit.Abstractions;

namespace SecureTransmit.Integration.Tests.Reliability;

/// <summary>
/// One receiver process (h2c, --image-timeout 2, --unary-timeout 3) against hostile clients: python grpcio sending
/// raw bytes, hand-built HTTP/2 requests, and packet headers with lying claims from an authenticated sender. Every
/// call must end with the right status (or a reset) within a bounded time, the receiver's memory must stay bounded
/// (VmRSS and VmHWM from /proc), and an honest sender must succeed afterwards.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output)
{
    private const string Upload = "/securetransmit.v2.Transmit/Upload";
    private const string Open = "/securetransmit.v2.Handshake/OpenSession";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const double ImageTimeoutS = 2, UnaryTimeoutS = 3;
    /// <summary>Slack over a configured timeout for a loaded 2-core CI machine.</summary>
    private const double SlackS = 8;

    [Fact]
    public async Task Hostile_clients_get_bounded_answers_memory_stays_bounded_and_an_honest_sender_then_succeeds()
    {
        using var world = World.Create();
        var honestImages = world.MakeImages("honest", 3, seed: 77);
        await using var rx = await ReceiverProcess.StartAsync(world, extraArgs:
            ["--image-timeout", $"{ImageTimeoutS}", "--unary-timeout", $"{UnaryTimeoutS}"]);
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        using var client = sender.Client(rx.Address);
        var session = await sender.OpenSessionAsync(client).WaitAsync(Timeout);
        ulong seq = 0;

        // Warm up (JIT, pools, first decodes) so the memory baseline is the steady state.
        for (int i = 0; i < 4; i++)
        {
            var p = Packet.Seal(session, LibrarySender.Encode(World.Synthetic(64, 64, 500 + i)), ++seq, Packet.NewImageId());
            Assert.Equal(StatusCode.OK, (await LibrarySender.UploadAsync(client, LibrarySender.Call(session, p), Timeout)).Status);
        }
        long rssBefore = rx.RssBytes;

        await PythonAttacks(world, rx, session, ++seq);
        await RawHttp2Attacks(rx);
        await LyingHeaders(client, session, ++seq);

        long rssAfter = rx.RssBytes, peak = rx.PeakRssBytes;
        output.WriteLine($"receiver VmRSS before {ProcStatus.Mb(rssBefore)}, after {ProcStatus.Mb(rssAfter)}, peak (VmHWM) {ProcStatus.Mb(peak)}");
        Assert.True(rssAfter - rssBefore < 256L << 20, $"VmRSS grew by {ProcStatus.Mb(rssAfter - rssBefore)}");
        Assert.True(peak < 1L << 30, $"VmHWM reached {ProcStatus.Mb(peak)}");
        Assert.False(rx.Child.HasExited, "the receiver died");

        // Nothing but honest images reached the output folder: 4 warm-up images and python's one honest copy.
        Assert.Equal(5, Directory.GetFiles(world.Out, "*.json").Length);
        Assert.Empty(Directory.GetFiles(world.Out, ".securetransmit-*"));

        var summary = world["honest.json"];
        var r = await ChildProcess.RunDotnetAsync(Repo.SenderDll,
            ["send", honestImages, "--to", rx.Address.ToString(), "--insecure-h2c", "--receiver", world.ReceiverFingerprint.Hex,
             "--key", world.SenderKey, "--models", World.Models, "--quiet", "--json", summary], TimeSpan.FromSeconds(120));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(3, JsonNode.Parse(File.ReadAllText(summary))!["images"]!.AsArray().Count);
        Assert.Equal(8, Directory.GetFiles(world.Out, "*.json").Length);
    }

    [Fact]
    public async Task Idle_and_half_open_connections_are_closed_while_a_slow_but_live_upload_is_not()
    {
        using var world = World.Create();
        await using var h2c = await HostedReceiver.StartAsync(world, configure: o => o.Limits.IdleConnectionTimeout = TimeSpan.FromSeconds(2));
        await using var tls = await HostedReceiver.StartAsync(world, h2c: false, configure: o => o.Limits.IdleConnectionTimeout = TimeSpan.FromSeconds(2));

        // Sockets that never complete a request: silent, the HTTP/2 preface alone, half a preface; a TLS handshake that stalls.
        byte[] preface = [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, 0, 0, 0, 4, 0, 0, 0, 0, 0];
        var probes = await Task.WhenAll(
            ClosedAfter(h2c.GrpcPort, []),
            ClosedAfter(h2c.GrpcPort, preface),
            ClosedAfter(h2c.GrpcPort, preface[..16]),
            ClosedAfter(tls.GrpcPort, [0x16, 0x03, 0x01, 0x00, 0x40])); // a TLS record header, then nothing
        output.WriteLine($"closed after {string.Join(", ", probes.Select(t => $"{t.TotalSeconds:0.0} s"))}");
        Assert.All(probes[..3], t => Assert.True(t.TotalSeconds <= 2 + SlackS, $"idle h2c connection held {t.TotalSeconds:0.0} s"));
        Assert.True(probes[3].TotalSeconds <= 10 + SlackS, $"stalled TLS handshake held {probes[3].TotalSeconds:0.0} s"); // Kestrel's 10 s handshake limit

        // An upload stream that pauses 3 s between images (longer than the idle limit) is a live call, not an idle connection.
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        using var client = sender.Client(HostedReceiver.Address(h2c));
        var session = await sender.OpenSessionAsync(client).WaitAsync(Timeout);
        var packets = Enumerable.Range(1, 2).Select(i => Packet.Seal(session, LibrarySender.Encode(World.Synthetic(64, 64, i)), (ulong)i, Packet.NewImageId())).ToList();
        var outcome = await LibrarySender.UploadAsync(client, Paced(), Timeout);
        Assert.Equal(StatusCode.OK, outcome.Status);
        Assert.Equal(2, outcome.Receipts.Count);

        IEnumerable<UploadRequest> Paced()
        {
            yield return TransmitClient.Hello(session);
            foreach (var m in LibrarySender.Chunks(session, packets[0])) yield return m;
            Thread.Sleep(3000);
            foreach (var m in LibrarySender.Chunks(session, packets[1])) yield return m;
        }
    }

    /// <summary>Connects, sends <paramref name="bytes"/>, and measures how long the receiver keeps the socket open.</summary>
    private static async Task<TimeSpan> ClosedAfter(int port, byte[] bytes)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        if (bytes.Length > 0) await socket.SendAsync(bytes);
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await socket.ReceiveAsync(buffer, cts.Token) > 0) { }
        }
        catch (System.Net.Sockets.SocketException)
        {
            // reset by the receiver: closed too
        }
        return watch.Elapsed;
    }

    private async Task PythonAttacks(World world, ReceiverProcess rx, Session session, ulong sequence)
    {
        var packet = Packet.Seal(session, LibrarySender.Encode(World.Synthetic(64, 64, 900)), sequence, Packet.NewImageId());
        var chunks = LibrarySender.Chunks(session, packet);
        Assert.Equal(3, chunks.Count); // begin, one data chunk, end
        var half = new UploadRequest { Data = ByteString.CopyFrom(packet.Ciphertext, 0, packet.Ciphertext.Length / 2) };
        var captured = world["captured.json"];
        var hellos = new JsonArray();
        for (int i = 0; i < 24; i++) hellos.Add(Convert.ToHexStringLower(TransmitClient.Hello(session).ToByteArray()));
        File.WriteAllText(captured, new JsonObject
        {
            ["hellos"] = hellos,
            ["begin"] = Convert.ToHexStringLower(chunks[0].ToByteArray()),
            ["half_data"] = Convert.ToHexStringLower(half.ToByteArray()),
            ["data"] = Convert.ToHexStringLower(chunks[1].ToByteArray()),
            ["end"] = Convert.ToHexStringLower(chunks[2].ToByteArray()),
        }.ToJsonString());

        var cases = await Python.RunJsonAsync("hostile_client.py", ["--target", $"127.0.0.1:{rx.Port}", "--captured", captured],
            TimeSpan.FromSeconds(240));
        output.WriteLine("python grpcio: " + cases.ToJsonString());

        void Expect(string name, double maxSeconds, params string[] allowed)
        {
            var c = cases[name] ?? throw new Xunit.Sdk.XunitException($"python did not report case '{name}'");
            var codes = c["codes"]!.AsObject().Select(kv => kv.Key).ToList();
            Assert.True(codes.All(allowed.Contains), $"{name}: got {c["codes"]!.ToJsonString()}, allowed {string.Join("/", allowed)}; notes {c["notes"]!.ToJsonString()}");
            double max = c["max_s"]!.GetValue<double>();
            Assert.True(max <= maxSeconds, $"{name}: slowest call took {max} s (bound {maxSeconds} s)");
        }

        Expect("health_check", SlackS, "OK");
        Assert.Contains("OK: SERVING", cases["health_check"]!["notes"]!.ToJsonString());
        Expect("random_open_session", SlackS, "INTERNAL", "INVALID_ARGUMENT", "FAILED_PRECONDITION");
        // grpc.health.v1 is Grpc.HealthCheck's service with its generated binding: bytes that are not a request end
        // with its UNKNOWN "Exception was thrown by handler" (our two services answer INVALID_ARGUMENT).
        Expect("random_health", SlackS, "OK", "INTERNAL", "NOT_FOUND", "UNKNOWN");
        // A client whose streams fail as fast as it opens them may also be cut off by Kestrel's HTTP/2 flood protection
        // (GOAWAY ENHANCE_YOUR_CALM, which grpcio reports as RESOURCE_EXHAUSTED): a bounded answer as well.
        Expect("random_upload", SlackS, "INTERNAL", "INVALID_ARGUMENT", "UNAUTHENTICATED", "RESOURCE_EXHAUSTED");
        Expect("garbage_begin", SlackS, "INTERNAL", "INVALID_ARGUMENT", "UNAUTHENTICATED", "RESOURCE_EXHAUSTED");
        Expect("unknown_method", SlackS, "UNIMPLEMENTED");
        Expect("oversized_unary", SlackS, "RESOURCE_EXHAUSTED");
        Expect("oversized_stream", SlackS, "RESOURCE_EXHAUSTED");
        Expect("stall_midway", ImageTimeoutS + SlackS, "DEADLINE_EXCEEDED");
        Expect("end_midway", SlackS, "INVALID_ARGUMENT");
        Expect("idle_stream", ImageTimeoutS + SlackS, "DEADLINE_EXCEEDED");
        Expect("no_hello", SlackS, "UNAUTHENTICATED");
        Expect("honest_first", SlackS, "OK");
        Expect("replay_hello", SlackS, "UNAUTHENTICATED");
        Expect("replay", SlackS, "ALREADY_EXISTS");
        Expect("concurrent", 60, "DEADLINE_EXCEEDED", "INTERNAL", "INVALID_ARGUMENT", "UNAUTHENTICATED", "RESOURCE_EXHAUSTED");
        Assert.Equal(64, cases["concurrent"]!["calls"]!.GetValue<int>());
        Assert.Equal(100, cases["random_open_session"]!["calls"]!.GetValue<int>());
    }

    private async Task RawHttp2Attacks(ReceiverProcess rx)
    {
        using var raw = new RawHttp2(rx.Address);
        var upload = Upload;
        var open = Open;

        async Task Expect(string label, Task<RawOutcome> call, string grpcStatus, double maxSeconds, HttpStatusCode http = HttpStatusCode.OK)
        {
            var o = await call.WaitAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"raw {label}: {o}");
            Assert.True(o.GrpcStatus == grpcStatus && o.Http == http, $"{label}: expected HTTP {(int)http} grpc-status {grpcStatus}, got {o}");
            Assert.True(o.Elapsed.TotalSeconds <= maxSeconds, $"{label}: took {o.Elapsed.TotalSeconds:0.0} s");
        }

        await Expect("truncated frame", raw.PostAsync(upload, RawHttp2.Frame([10, 2, 1], declaredLength: 10)[..8]), "13", SlackS);
        await Expect("length prefix larger than body", raw.PostAsync(open, RawHttp2.Frame(new byte[10], declaredLength: 1000)), "13", SlackS);
        await Expect("length prefix 2 GiB", raw.PostAsync(upload, RawHttp2.Frame([], declaredLength: 0x7FFF_FFFF)), "8", SlackS);
        await Expect("length prefix 17 MiB, unary", raw.PostAsync(open, RawHttp2.Frame([], declaredLength: 17 << 20)), "8", SlackS);
        await Expect("compressed flag without grpc-encoding", raw.PostAsync(upload, RawHttp2.Frame([1, 2, 3], flag: 1)), "13", SlackS);
        await Expect("invalid flag byte", raw.PostAsync(upload, RawHttp2.Frame([1, 2, 3], flag: 7)), "13", SlackS);
        await Expect("content-type text/plain", raw.PostAsync(open, RawHttp2.Frame([]), "text/plain"), "13", SlackS, HttpStatusCode.UnsupportedMediaType);
        await Expect("content-type application/json", raw.PostAsync(upload, RawHttp2.Frame([]), "application/json"), "13", SlackS, HttpStatusCode.UnsupportedMediaType);
        await Expect("unknown method", raw.PostAsync("/securetransmit.v2.Transmit/Download", RawHttp2.Frame([])), "12", SlackS);

        // Slowloris: a 300-byte request at one byte per second would take five minutes.
        var body = RawHttp2.Frame(Random.Shared.GetItems(new byte[] { 0x0a, 0x12, 0x42, 0x01 }, 300));
        var slowUnary = raw.TrickleAsync(open, body, TimeSpan.FromSeconds(1));
        var slowUpload = raw.TrickleAsync(upload, body, TimeSpan.FromSeconds(1));
        // A unary call still incomplete at --unary-timeout is reset (RST_STREAM): its request never arrived, so no
        // handler ran that could answer with a status.
        var slow = await slowUnary.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"raw slowloris OpenSession: {slow}");
        Assert.True(slow.GrpcStatus == "4" || slow.Error?.Contains("reset", StringComparison.OrdinalIgnoreCase) == true, slow.ToString());
        Assert.True(slow.Elapsed.TotalSeconds <= UnaryTimeoutS + SlackS, slow.ToString());
        await Expect("slowloris Upload", slowUpload, "4", ImageTimeoutS + SlackS);
    }

    private async Task LyingHeaders(TransmitClient client, Session session, ulong sequence)
    {
        var packet = Packet.Seal(session, LibrarySender.Encode(World.Synthetic(64, 64, 901)), sequence, Packet.NewImageId());

        async Task<UploadOutcome> Claim(PacketHeader claimed, bool halfClose = true)
        {
            var header = claimed.ToBytes();
            return await LibrarySender.UploadAsync(client,
                [TransmitClient.Hello(session), TransmitClient.ImageMessages(header, [], new byte[16], packet.Tag, declaredCiphertextLength: (ulong)claimed.CiphertextLength).First()], Timeout, halfClose);
        }

        // 65535 × 65535 pixels: over the session's max_image_pixels.
        var huge = await Claim(packet.Header with { Width = 65535, Height = 65535 });
        output.WriteLine($"65535×65535 header: {huge}");
        Assert.Equal(StatusCode.InvalidArgument, huge.Status);
        Assert.Contains("exceeds the limit", huge.Detail);

        // Within max_image_pixels but 200,000 latent bytes per tile: 3.3 GB of claimed ciphertext.
        var fat = await Claim(packet.Header with { Width = 4096, Height = 4096, LatentPerTile = 200_000 });
        output.WriteLine($"4096×4096 header with 200,000 latent bytes per tile: {fat}");
        Assert.Equal(StatusCode.InvalidArgument, fat.Status);

        // The model's own geometry at 4096×4096 (2 MiB of ciphertext announced), then nothing: sixteen at once.
        var stalls = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Claim(packet.Header with { Width = 4096, Height = 4096 }, halfClose: false)));
        output.WriteLine($"16 stalled 4096×4096 uploads: {string.Join("; ", stalls.Select(s => s.Status).Distinct())}, slowest {stalls.Max(s => s.Elapsed.TotalSeconds):0.0} s");
        Assert.All(stalls, s => Assert.Equal(StatusCode.DeadlineExceeded, s.Status));
        Assert.All(stalls, s => Assert.True(s.Elapsed.TotalSeconds <= ImageTimeoutS + SlackS, s.ToString()));
    }
}
