using Google.Protobuf;
using SecureTransmit.Codec;
using SecureTransmit.Imaging;
using SecureTransmit.Neural.Models;
using SecureTransmit.Protos.V1;
using SecureTransmit.Security;
using SecureTransmit.Wire;

namespace SecureTransmit.Integration.Tests.Reliability.Support;

/// <summary>How one Upload call ended: the receipts that came back and the final status.</summary>
public sealed record UploadOutcome(IReadOnlyList<Receipt> Receipts, StatusCode Status, string Detail, TimeSpan Elapsed)
{
    public override string ToString() => $"{Status} after {Receipts.Count} receipt(s) in {Elapsed.TotalMilliseconds:0} ms: {Detail}";
}

/// <summary>
/// A sender assembled in the test from the libraries (handshake, codec, packet sealing, our gRPC client), so a test
/// can capture, alter and replay exactly the bytes the real sender would put on the wire.
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

    public static GrpcClient Client(Uri address) => new(address, new GrpcClientOptions { MaxReceiveMessageSize = TransmitMethods.MaxMessageSize });

    public HandshakeInitiator NewHandshake(string cipher = CipherModes.Logistic) =>
        new(Identity, Receiver, World.Model, ModelId, cipher);

    public async Task<Session> OpenSessionAsync(GrpcClient client, string cipher = CipherModes.Logistic)
    {
        using var hs = NewHandshake(cipher);
        var response = await client.UnaryAsync(TransmitMethods.OpenSession, hs.Request.ToProto(),
            new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)));
        return hs.Complete(response.FromProto());
    }

    public static EncodedImage Encode(Image image)
    {
        lock (Codec) return Codec.Encode(image);
    }

    /// <summary>The messages of one image: begin, data chunks of at most 64 KiB, end.</summary>
    public static List<UploadChunk> Chunks(byte[] sessionId, byte[] header, byte[] ciphertext, byte[] tag, string name = "img.png", ulong? declaredLength = null)
    {
        var list = new List<UploadChunk>
        {
            new()
            {
                Begin = new ImageBegin
                {
                    SessionId = ByteString.CopyFrom(sessionId),
                    PacketHeader = ByteString.CopyFrom(header),
                    FileName = name,
                    CiphertextLength = declaredLength ?? (ulong)ciphertext.Length,
                },
            },
        };
        for (int off = 0; off < ciphertext.Length; off += TransmitMethods.MaxChunkSize)
            list.Add(new UploadChunk { Data = ByteString.CopyFrom(ciphertext, off, Math.Min(TransmitMethods.MaxChunkSize, ciphertext.Length - off)) });
        list.Add(new UploadChunk { End = new ImageEnd { Tag = ByteString.CopyFrom(tag) } });
        return list;
    }

    public static List<UploadChunk> Chunks(Session session, SealedPacket packet, string name = "img.png") =>
        Chunks(session.SessionId, packet.HeaderBytes, packet.Ciphertext, packet.Tag, name);

    /// <summary>
    /// Runs one Upload call: writes every message, half-closes (or, with <paramref name="halfClose"/> false, goes
    /// quiet like a client that stopped midway), reads receipts until the status.
    /// </summary>
    public static async Task<UploadOutcome> UploadAsync(GrpcClient client, IEnumerable<UploadChunk> messages, TimeSpan timeout, bool halfClose = true)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(timeout);
        using var call = client.DuplexStreaming(TransmitMethods.Upload, new CallOptions(cancellationToken: cts.Token));
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
        catch (RpcException e)
        {
            (code, detail) = (e.StatusCode, e.Status.Detail);
        }
        if (cts.IsCancellationRequested) throw new TimeoutException($"upload did not finish within {timeout.TotalSeconds:0} s ({receipts.Count} receipts)");
        await writer.WaitAsync(TimeSpan.FromSeconds(10));
        return new UploadOutcome(receipts, code, detail, watch.Elapsed);
    }

    public void Dispose() => Identity.Dispose();
}
