// bench-wire [--json FILE] [--mb N] [--e2e N]
// Three figures from one run on this machine:
//  1. grpc_stream_ratio: MB/s of 64 KiB messages through grpc-dotnet (a Grpc.Net.Client generated client streaming to a
//     Grpc.AspNetCore service, h2c, with the receiver's ServerLimits: 128 KiB connection / 96 KiB stream windows)
//     divided by the "raw framing ceiling": the same 5-byte length-prefixed frames written as a plain HTTP/2 request
//     body to a plain endpoint on the same Kestrel listener, with no gRPC code on either side.
//  2. e2e_512_p50_ms / p99: one 512×512 image with cae-compact and the default cipher (aes-256-gcm): encode + seal +
//     send over TLS + receive + open + decode + PNG store + sealed receipt, by an in-process receiver (ReceiverHost),
//     through the product's TransmitClient, measured per image from the client's side.
//  3. unauth_rss_growth_mb: a receiver process at its default settings (TLS) while 64 connections × 4 calls without a
//     key try to make it buffer (tests/Integration.Tests/Reliability/Support/UnauthenticatedFlood.cs): peak VmRSS minus
//     the VmRSS after a warm-up round.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SecureTransmit.Bench.Wire.Sink;
using SecureTransmit.Codec;
using SecureTransmit.Imaging;
using SecureTransmit.Integration.Tests.Reliability.Support;
using SecureTransmit.Neural.Models;
using SecureTransmit.Receiver;
using SecureTransmit.Security;
using SecureTransmit.Sender;
using SecureTransmit.Wire;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string? jsonPath = null;
int megabytes = 256, e2eRuns = 40;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--json") jsonPath = args[++i];
    else if (args[i] == "--mb") megabytes = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--e2e") e2eRuns = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else { Console.Error.WriteLine($"bench-wire: unknown argument '{args[i]}'"); return 2; }
}
const int Chunk = 64 * 1024;
const int Warmup = 60; // images before timing: per-image code paths need ~30 calls each to reach tier-1 JIT
var payload = new byte[Chunk];
new Random(1).NextBytes(payload);
int messages = megabytes * 1024 * 1024 / Chunk;

// ---- 1. streaming throughput: grpc-dotnet vs the raw framing ceiling, same listener, same limits ----
var transport = new ServerTransport(new ServerLimits());
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => transport.Listen(k, new IPEndPoint(IPAddress.Loopback, 0), null));
ServerTransport.AddGrpc(builder.Services, 2 * Chunk);
var app = builder.Build();
app.MapGrpcService<SinkService>();
app.MapPost("/raw", async (HttpContext http) =>
{
    // No body size limit here, as the gRPC layer lifts it for streaming calls.
    http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
    var buf = new byte[256 * 1024];
    long n = 0;
    int r;
    while ((r = await http.Request.Body.ReadAsync(buf)) > 0) n += r;
    return Results.Text(n.ToString(CultureInfo.InvariantCulture));
});
await app.StartAsync();
var address = new Uri(app.Urls.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));

double MBps(long bytes, TimeSpan t) => bytes / 1e6 / t.TotalSeconds;

async Task<double> GrpcOnce()
{
    using var channel = PinnedChannel.Create(address, null, new ChannelSettings());
    var client = new Sink.SinkClient(channel);
    var chunk = new Chunk { Data = ByteString.CopyFrom(payload) };
    var sw = Stopwatch.StartNew();
    using var call = client.Stream();
    for (int i = 0; i < messages; i++) await call.RequestStream.WriteAsync(chunk);
    await call.RequestStream.CompleteAsync();
    var got = (await call.ResponseAsync).Bytes;
    if (got != (long)messages * Chunk) throw new InvalidOperationException($"gRPC sink got {got} bytes");
    return MBps((long)messages * (Chunk + 5), sw.Elapsed);
}

async Task<double> RawOnce()
{
    using var handler = new SocketsHttpHandler();
    using var http = new HttpClient(handler);
    var frame = new byte[Chunk + 5];
    BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), Chunk);
    payload.CopyTo(frame, 5);
    var sw = Stopwatch.StartNew();
    var req = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/raw"))
    {
        Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Content = new FramesContent(frame, messages),
    };
    using var resp = await http.SendAsync(req);
    var got = long.Parse(await resp.Content.ReadAsStringAsync(), CultureInfo.InvariantCulture);
    if (got != (long)messages * frame.Length) throw new InvalidOperationException($"raw sink got {got} bytes");
    return MBps(got, sw.Elapsed);
}

await GrpcOnce(); await RawOnce(); // warm-up (JIT, connections)
double grpcBest = 0, rawBest = 0;
for (int round = 0; round < 3; round++)
{
    rawBest = Math.Max(rawBest, await RawOnce());
    grpcBest = Math.Max(grpcBest, await GrpcOnce());
}
await app.StopAsync();
Console.WriteLine($"streaming {megabytes} MiB in 64 KiB messages, h2c loopback, receiver limits: grpc-dotnet {grpcBest:F0} MB/s, raw 5-byte framing {rawBest:F0} MB/s, ratio {grpcBest / rawBest:P1}");

// ---- 2. end to end, 512×512, cae-compact, TLS ----
var dir = Path.Combine(Path.GetTempPath(), "bench-wire-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(dir);
string modelsDir = FindRepo("models");
using (var r = IdentityFile.Create(Path.Combine(dir, "r.key"))) { }
using var sender = Identity.Generate();
var allowPath = Path.Combine(dir, "allow.txt");
File.WriteAllText(allowPath, AllowList.FormatLine(sender.Fingerprint) + "\n");
if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(allowPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
var options = new ReceiverOptions
{
    Listen = new IPEndPoint(IPAddress.Loopback, 0), KeyPath = Path.Combine(dir, "r.key"), AllowListPath = allowPath,
    ModelsPath = modelsDir, OutputPath = Path.Combine(dir, "out"),
};
var host = ReceiverHost.Build(options);
await host.StartAsync();
var (spec, encoder, modelIdHex) = ModelFiles.LoadEncoder(ModelFiles.EncoderPath(modelsDir, "cae-compact"), "cae-compact");
var codec = new ImageCodec(spec, encoder, null);
var image = Synthetic512();
var times = new List<double>();
var senderSide = new List<double>();
using (var client = new TransmitClient(new Uri($"https://127.0.0.1:{host.GrpcPort}"), host.Fingerprint))
{
    var session = await client.OpenSessionAsync(sender, spec.Name, Convert.FromHexString(modelIdHex), CipherModes.Default, TimeSpan.FromSeconds(30));
    using var upload = await client.StartUpload(session);
    ulong seq = 0;
    for (int i = 0; i < e2eRuns + Warmup; i++)
    {
        var sw = Stopwatch.StartNew();
        var id = Packet.NewImageId();
        var packet = Packet.Seal(session, codec.Encode(image), ++seq, id);
        double sealedAt = sw.Elapsed.TotalMilliseconds;
        await upload.SendAsync(packet, seq, id, new ImageInfo("bench.png", 0));
        if (await upload.ReadReceiptAsync() is not { Stored: true }) throw new InvalidOperationException("image not stored");
        // The first images warm up: tiered compilation promotes methods called once per image only after ~30 calls.
        if (i >= Warmup) { times.Add(sw.Elapsed.TotalMilliseconds); senderSide.Add(sealedAt); }
    }
    await upload.CompleteAsync();
}
await host.StopAsync();
await host.DisposeAsync();
times.Sort();
senderSide.Sort();
double Q(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
double P(double q) => Q(times, q);
// The receiver's own timings, from the sidecars of the measured images (sequence numbers after the warm-up).
var sidecars = Directory.GetFiles(options.OutputPath, "*.json").Select(f => JsonNode.Parse(File.ReadAllText(f))!)
    .Where(n => n["sequence"]!.GetValue<ulong>() > Warmup).ToList();
List<double> Field(string name) => sidecars.Select(n => n[name]!.GetValue<double>()).Order().ToList();
Console.WriteLine($"end to end 512×512 cae-compact/{CipherModes.Default} over TLS (encode+seal+send+open+decode+store+receipt), {times.Count} images: p50 {P(0.5):F1} ms, p99 {P(0.99):F1} ms");
Console.WriteLine($"  p50 of the parts: sender encode+seal {Q(senderSide, 0.5):F1} ms; receiver receive {Q(Field("receive_ms"), 0.5):F1}, " +
                  $"open {Q(Field("decrypt_ms"), 0.5):F1}, decode {Q(Field("decode_ms"), 0.5):F1}, PNG {Q(Field("png_ms"), 0.5):F1} ms");

// ---- 3. memory under calls without a key, receiver process at default settings ----
double growthMb = await UnauthenticatedRssGrowth(dir, modelsDir);
Console.WriteLine($"receiver VmRSS growth while 256 calls without a key try to make it buffer: {growthMb:F1} MB (bound 64 MiB)");
try { Directory.Delete(dir, true); } catch (IOException) { }

if (jsonPath is not null)
{
    var o = new JsonObject
    {
        ["date"] = DateTime.UtcNow.ToString("O"),
        ["machine"] = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
        ["grpc_stream_mb_s"] = Math.Round(grpcBest, 1),
        ["raw_framing_mb_s"] = Math.Round(rawBest, 1),
        ["grpc_stream_ratio"] = Math.Round(grpcBest / rawBest, 4),
        ["e2e_cipher"] = CipherModes.Default,
        ["e2e_512_p50_ms"] = Math.Round(P(0.5), 2),
        ["e2e_512_p99_ms"] = Math.Round(P(0.99), 2),
        ["e2e_images"] = times.Count,
        ["e2e_512_sender_encode_seal_p50_ms"] = Math.Round(Q(senderSide, 0.5), 2),
        ["e2e_512_receiver_decode_p50_ms"] = Math.Round(Q(Field("decode_ms"), 0.5), 2),
        ["e2e_512_receiver_png_p50_ms"] = Math.Round(Q(Field("png_ms"), 0.5), 2),
        ["unauth_rss_growth_mb"] = Math.Round(growthMb, 1),
    };
    File.WriteAllText(jsonPath, o.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
}
return 0;

static async Task<double> UnauthenticatedRssGrowth(string dir, string modelsDir)
{
    var portFile = Path.Combine(dir, "rss.port");
    var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var a in new[]
             {
                 FindRepo("receiver/bin/Release/net10.0/receiver.dll"), "serve", "--listen", "127.0.0.1:0", "--port-file", portFile,
                 "--key", Path.Combine(dir, "r.key"), "--allow", Path.Combine(dir, "allow.txt"), "--models", modelsDir, "--out", Path.Combine(dir, "out-rss"),
             })
        psi.ArgumentList.Add(a);
    using var p = Process.Start(psi)!;
    _ = p.StandardOutput.ReadToEndAsync();
    _ = p.StandardError.ReadToEndAsync();
    try
    {
        for (int i = 0; i < 600 && !(File.Exists(portFile) && File.ReadAllText(portFile).Length > 0); i++) await Task.Delay(100);
        var target = new Uri($"https://127.0.0.1:{File.ReadAllText(portFile).Trim()}");
        IPAddress Local(int c) => IPAddress.Parse($"127.0.0.{20 + c % 8}");
        await UnauthenticatedFlood.RunAsync(target, 8, 4, TimeSpan.FromSeconds(2), Local);
        await Task.Delay(500);
        long baseline = Rss(p.Id), peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) { peak = Math.Max(peak, Rss(p.Id)); await Task.Delay(100); }
        });
        var outcome = await UnauthenticatedFlood.RunAsync(target, 64, 4, TimeSpan.FromSeconds(12), Local);
        stop.Cancel();
        await sampler;
        Console.WriteLine($"  flood: {outcome}");
        return (peak - baseline) / 1e6;
    }
    finally
    {
        p.Kill(entireProcessTree: true);
        await p.WaitForExitAsync();
    }
}

static long Rss(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    return 0;
}

static Image Synthetic512()
{
    var img = new Image(512, 512, 3);
    for (int y = 0; y < 512; y++)
        for (int x = 0; x < 512; x++)
        {
            int p = (y * 512 + x) * 3;
            img.Pixels[p] = (byte)(x / 2);
            img.Pixels[p + 1] = (byte)(y / 2);
            img.Pixels[p + 2] = (byte)((x ^ y) & 0xFF);
        }
    return img;
}

static string FindRepo(string relative)
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "SecureTransmit.sln"))) return Path.Combine(d.FullName, relative);
    throw new DirectoryNotFoundException("run bench-wire from inside the checkout (SecureTransmit.sln not found)");
}

/// <summary>Counts the bytes of a client stream.</summary>
internal sealed class SinkService : Sink.SinkBase
{
    public override async Task<Total> Stream(IAsyncStreamReader<Chunk> requestStream, ServerCallContext context)
    {
        long n = 0;
        while (await requestStream.MoveNext(context.CancellationToken)) n += requestStream.Current.Data.Length;
        return new Total { Bytes = n };
    }
}

/// <summary>Writes the same 5-byte-prefixed frame <c>count</c> times as the request body.</summary>
internal sealed class FramesContent(byte[] frame, int count) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (int i = 0; i < count; i++) await stream.WriteAsync(frame);
    }

    protected override bool TryComputeLength(out long length) { length = 0; return false; }
}
