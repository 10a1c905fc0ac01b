using Google.Protobuf;
using Grpc.Core;
using SecureTransmit.Codec;
using SecureTransmit.Imaging;
using SecureTransmit.Neural.Models;
using SecureTransmit.Protos.V2;
using SecureTransmit.Security;
using SecureTransmit.Sender;

namespace SecureTransmit.Integration.Tests.Reliability.Support;

/// <summary>How one Upload call ended: the receipts that came back and the final status.</summary>
public sealed record UploadOutcome(IReadOnlyList<Receipt> Receipts, StatusCode Status, string Detail, TimeSpan Elapsed)
{
    public override string ToString() => $"{Status} after {Receipts.Count} receipt(s) in {Elapsed.TotalMilliseconds:0} ms: {Detail}";
}

/// <summary>
/// A sender assembled in the test from the libraries (handshake, codec, packet sealing, the product's
/// <see cref="TransmitClient"/> on the generated gRPC client), so a test can capture, alter and replay exactly the
/// messages the real sender would put on the wire.
/// </summary>
public sealed class LibrarySender : IDisposable
{
    private static readonly Lazy<(ModelSpec Spec, ImageCodec Codec, byte[] ModelId)> s_codec = new(() =>
    {
        var (spec, encoder, id) = ModelFiles.LoadEncoder(ModelFiles.EncoderPath(World.Models, World.Model), World.Model);
        return (spec, new ImageCodec(spec, encoder, decoder: null), Convert.FromHexString(id));
    });

    public LibrarySender(Identity identity, Fingerprint receiver)
    {
        Identity = identity;
        Receiver = receiver;
    }

    public Identity Identity { get; }
    public Fingerprint Receiver { get; }
    public static ImageCodec Codec => s_codec.Value.Codec;
    public static byte[] ModelId => s_codec.Value.ModelId;

    public TransmitClient Client(Uri address) => new(address, Receiver);

    public HandshakeInitiator NewHandshake(string cipher = CipherModes.Aes256Gcm) =>
        new(Identity, Receiver, World.Model, ModelId, cipher);

    public async Task<Session> OpenSessionAsync(TransmitClient client, string cipher = CipherModes.Aes256Gcm)
    {
        using var hs = NewHandshake(cipher);
        var response = await client.Handshake.OpenSessionAsync(hs.Request.ToProto(), deadline: DateTime.UtcNow.AddSeconds(30));
        return hs.Complete(response.FromProto());
    }

    public static EncodedImage Encode(Image image)
    {
        lock (Codec) return Codec.Encode(image);
    }

    /// <summary>The sealed metadata of an image (file name only).</summary>
    public static byte[] Metadata(Session session, SealedPacket packet, string name = "img.png") =>
        SessionChannel.SealMetadata(session, packet.Header.Sequence, packet.HeaderBytes, new ImageMetadata { FileName = name }.ToByteArray());

    /// <summary>The messages of one image: begin, data chunks of at most 64 KiB (ciphertext, sealed metadata), end.</summary>
    public static List<UploadRequest> Chunks(Session session, SealedPacket packet, string name = "img.png") =>
        TransmitClient.ImageMessages(session, packet, packet.Header.Sequence, new ImageInfo(name, 0)).ToList();

    /// <summary>Hello, then every image's messages.</summary>
    public static List<UploadRequest> Call(Session session, params SealedPacket[] packets) =>
        [TransmitClient.Hello(session), .. packets.SelectMany(p => Chunks(session, p))];

    /// <summary>
    /// Runs one Upload call: writes every message, half-closes (or, with <paramref name="halfClose"/> false, goes
    /// quiet like a client that stopped midway), reads receipts until the status.
    /// </summary>
    public static async Task<UploadOutcome> UploadAsync(TransmitClient client, IEnumerable<UploadRequest> messages, TimeSpan timeout, bool halfClose = true)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(timeout);
        using var call = client.Transmit.Upload(cancellationToken: cts.Token);
        var writer = Task.Run(async () =>
        {
            try
            {
                foreach (var m in messages) await call.RequestStream.WriteAsync(m);
                if (halfClose) await call.RequestStream.CompleteAsync();
            }
            catch (Exception) when (!cts.IsCancellationRequested)
            {
                // The receiver ended the call (its status is read below); further writes fail, as they should.
            }
        });
        var receipts = new List<Receipt>();
        StatusCode code;
        string detail;
        try
        {
            while (await call.ResponseStream.MoveNext(cts.Token)) receipts.Add(call.ResponseStream.Current);
            (code, detail) = (StatusCode.OK, "");
        }
        catch (RpcException e) when (!cts.IsCancellationRequested || e.StatusCode != StatusCode.Cancelled)
        {
            (code, detail) = (e.StatusCode, e.Status.Detail);
        }
        catch (RpcException)
        {
            (code, detail) = (StatusCode.Cancelled, "");
        }
        if (cts.IsCancellationRequested) throw new TimeoutException($"upload did not finish within {timeout.TotalSeconds:0} s ({receipts.Count} receipts)");
        await writer.WaitAsync(TimeSpan.FromSeconds(10));
        return new UploadOutcome(receipts, code, detail, watch.Elapsed);
    }

    public void Dispose() => Identity.Dispose();
}
