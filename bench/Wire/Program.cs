// bench-wire [--json FILE] [--mb N] [--e2e N]
// Two figures from one run on this machine:
//  1. grpc_stream_ratio: MB/s of 64 KiB messages through our gRPC layer (client streaming, Kestrel h2c) divided by the
//     "raw framing ceiling": the same 5-byte length-prefixed frames written as a plain HTTP/2 request body to a plain
//     Kestrel endpoint on the same kind of connection (h2c, loopback), with no gRPC code on either side.
//  2. e2e_512_p50_ms / p99: one 512×512 image with cae-compact: encode + seal + send over TLS + receive + open +
//     decode + PNG store, by an in-process receiver (ReceiverHost), measured per image from the client's side.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using SecureTransmit.Codec;
using SecureTransmit.Imaging;
using SecureTransmit.Neural;
using SecureTransmit.Neural.Models;
using SecureTransmit.Protos.V1;
using SecureTransmit.Receiver;
using SecureTransmit.Security;
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

// ---- 1. streaming throughput: our gRPC layer vs the raw framing ceiling, same server, same connection type ----
var bytesMethod = new Method<byte[], byte[]>(MethodType.ClientStreaming, "bench.Sink", "Stream", Marshallers.Bytes, Marshallers.Bytes);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => KestrelGrpc.ListenInsecure(k, new IPEndPoint(IPAddress.Loopback, 0), new GrpcServerOptions()));
var app = builder.Build();
app.MapGrpcService(ServerServiceDefinition.CreateBuilder().AddClientStreaming(bytesMethod, async (reader, ctx) =>
{
    long n = 0;
    while (await reader.MoveNext(ctx.CancellationToken)) n += reader.Current.Length;
    return BitConverter.GetBytes(n);
}).Build());
app.MapPost("/raw", async (HttpContext http) =>
{
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
    using var client = new GrpcClient(address, new GrpcClientOptions { MaxSendMessageSize = 1 << 20 });
    var sw = Stopwatch.StartNew();
    using var call = client.ClientStreaming(bytesMethod);
    for (int i = 0; i < messages; i++) await call.RequestStream.WriteAsync(payload);
    await call.RequestStream.CompleteAsync();
    var got = BitConverter.ToInt64(await call.ResponseAsync);
    if (got != (long)messages * Chunk) throw new InvalidOperationException($"gRPC sink got {got} bytes");
    return MBps((long)messages * (Chunk + 5), sw.Elapsed);
}

async Task<double> RawOnce()
{
    using var handler = new SocketsHttpHandler { InitialHttp2StreamWindowSize = 4 * 1024 * 1024 };
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
Console.WriteLine($"streaming {megabytes} MiB in 64 KiB messages, h2c loopback: gRPC {grpcBest:F0} MB/s, raw 5-byte framing {rawBest:F0} MB/s, ratio {grpcBest / rawBest:P1}");

// ---- 2. end to end, 512×512, cae-compact, TLS ----
var dir = Path.Combine(Path.GetTempPath(), "bench-wire-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(dir);
string modelsDir = FindModels();
using (var r = IdentityFile.Create(Path.Combine(dir, "r.key"))) { }
using var sender = Identity.Generate();
File.WriteAllText(Path.Combine(dir, "allow.txt"), AllowList.FormatLine(sender.Fingerprint) + "\n");
var options = new ReceiverOptions
{
    Listen = new IPEndPoint(IPAddress.Loopback, 0), KeyPath = Path.Combine(dir, "r.key"), AllowListPath = Path.Combine(dir, "allow.txt"),
    ModelsPath = modelsDir, OutputPath = Path.Combine(dir, "out"),
};
await using var host = ReceiverHost.Build(options);
await host.StartAsync();
var (spec, encoder, modelIdHex) = ModelFiles.LoadEncoder(ModelFiles.EncoderPath(modelsDir, "cae-compact"), "cae-compact");
var codec = new ImageCodec(spec, encoder, null);
var image = Synthetic512();
var pin = host.Fingerprint;
using var tlsHandler = new SocketsHttpHandler();
tlsHandler.SslOptions.RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && TlsCertificates.MatchesPin(new System.Security.Cryptography.X509Certificates.X509Certificate2(c), pin);
using var grpc = new GrpcClient(new Uri($"https://127.0.0.1:{host.GrpcPort}"), new GrpcClientOptions { HttpHandler = tlsHandler, MaxReceiveMessageSize = TransmitMethods.MaxMessageSize });
using var hs = new HandshakeInitiator(sender, pin, spec.Name, Convert.FromHexString(modelIdHex), CipherModes.Logistic);
var session = hs.Complete((await grpc.UnaryAsync(TransmitMethods.OpenSession, hs.Request.ToProto())).FromProto());
using var upload = grpc.DuplexStreaming(TransmitMethods.Upload);
var times = new List<double>();
var senderSide = new List<double>();
ulong seq = 0;
for (int i = 0; i < e2eRuns + Warmup; i++)
{
    var sw = Stopwatch.StartNew();
    var packet = Packet.Seal(session, codec.Encode(image), ++seq, Packet.NewImageId());
    double sealedAt = sw.Elapsed.TotalMilliseconds;
    await upload.RequestStream.WriteAsync(new UploadChunk { Begin = new ImageBegin { SessionId = ByteString.CopyFrom(session.SessionId), PacketHeader = ByteString.CopyFrom(packet.HeaderBytes), FileName = "bench.png", CiphertextLength = (ulong)packet.Ciphertext.Length } });
    for (int off = 0; off < packet.Ciphertext.Length; off += TransmitMethods.MaxChunkSize)
        await upload.RequestStream.WriteAsync(new UploadChunk { Data = ByteString.CopyFrom(packet.Ciphertext, off, Math.Min(TransmitMethods.MaxChunkSize, packet.Ciphertext.Length - off)) });
    await upload.RequestStream.WriteAsync(new UploadChunk { End = new ImageEnd { Tag = ByteString.CopyFrom(packet.Tag) } });
    if (!await upload.ResponseStream.MoveNext(CancellationToken.None) || !upload.ResponseStream.Current.Stored)
        throw new InvalidOperationException("image not stored");
    // The first images warm up: tiered compilation promotes methods called once per image only after ~30 calls.
    if (i >= Warmup) { times.Add(sw.Elapsed.TotalMilliseconds); senderSide.Add(sealedAt); }
}
await upload.RequestStream.CompleteAsync();
await host.StopAsync();
times.Sort();
senderSide.Sort();
double Q(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
double P(double q) => Q(times, q);
// The receiver's own timings, from the sidecars of the measured images (sequence numbers after the warm-up).
var sidecars = Directory.GetFiles(options.OutputPath, "*.json").Select(f => System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(f))!)
    .Where(n => n["sequence"]!.GetValue<ulong>() > Warmup).ToList();
List<double> Field(string name) => sidecars.Select(n => n[name]!.GetValue<double>()).Order().ToList();
try { Directory.Delete(dir, true); } catch (IOException) { }
Console.WriteLine($"end to end 512×512 cae-compact/logistic over TLS (encode+seal+send+open+decode+store), {times.Count} images: p50 {P(0.5):F1} ms, p99 {P(0.99):F1} ms");
Console.WriteLine($"  p50 of the parts: sender encode+seal {Q(senderSide, 0.5):F1} ms; receiver receive {Q(Field("receive_ms"), 0.5):F1}, " +
                  $"open {Q(Field("decrypt_ms"), 0.5):F1}, decode {Q(Field("decode_ms"), 0.5):F1}, PNG {Q(Field("png_ms"), 0.5):F1} ms");

if (jsonPath is not null)
{
    var o = new JsonObject
    {
        ["date"] = DateTime.UtcNow.ToString("O"),
        ["machine"] = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
        ["grpc_stream_mb_s"] = Math.Round(grpcBest, 1),
        ["raw_framing_mb_s"] = Math.Round(rawBest, 1),
        ["grpc_stream_ratio"] = Math.Round(grpcBest / rawBest, 4),
        ["e2e_512_p50_ms"] = Math.Round(P(0.5), 2),
        ["e2e_512_p99_ms"] = Math.Round(P(0.99), 2),
        ["e2e_images"] = times.Count,
        ["e2e_512_sender_encode_seal_p50_ms"] = Math.Round(Q(senderSide, 0.5), 2),
        ["e2e_512_receiver_decode_p50_ms"] = Math.Round(Q(Field("decode_ms"), 0.5), 2),
        ["e2e_512_receiver_png_p50_ms"] = Math.Round(Q(Field("png_ms"), 0.5), 2),
    };
    File.WriteAllText(jsonPath, o.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
}
return 0;

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

static string FindModels()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "SecureTransmit.sln"))) return Path.Combine(d.FullName, "models");
    throw new DirectoryNotFoundException("run bench-wire from inside the checkout (models/ not found)");
}

/// <summary>Writes the same 5-byte-prefixed frame <c>count</c> times as the request body.</summary>
sealed class FramesContent(byte[] frame, int count) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (int i = 0; i < count; i++) await stream.WriteAsync(frame);
    }

    protected override bool TryComputeLength(out long length) { length = 0; return false; }
}
