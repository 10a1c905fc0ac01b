using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using SecureTransmit.Codec;
using SecureTransmit.Protos.V2;
using SecureTransmit.Security;
using SecureTransmit.Wire;

namespace SecureTransmit.Sender;

/// <summary>What the sender tells the receiver about one image besides the packet (sealed under the session key).</summary>
public sealed record ImageInfo(string FileName, ulong OriginalPngBytes, byte[]? DemoOriginalPng = null);

/// <summary>
/// The one client of securetransmit.v2, on the generated Grpc.Net.Client stubs over a <see cref="PinnedChannel"/>:
/// the handshake (<see cref="OpenSessionAsync"/>), and Upload calls (<see cref="StartUpload"/>) that prove the session
/// key with the hello, chunk each sealed packet and its sealed metadata, and verify each sealed receipt (sequence and
/// image id). Used by the sender, the benchmark and the tests; <see cref="SendJob"/> adds the in-flight window and
/// retries.
/// </summary>
public sealed class TransmitClient : IDisposable
{
    private static readonly object s_counterGate = new();
    private static ulong s_lastCounter;
    private readonly GrpcChannel _channel;

    public TransmitClient(Uri address, Fingerprint receiver, ChannelSettings? settings = null)
    {
        Address = address ?? throw new ArgumentNullException(nameof(address));
        Receiver = receiver ?? throw new ArgumentNullException(nameof(receiver));
        _channel = PinnedChannel.Create(address, receiver, settings);
        Handshake = new Handshake.HandshakeClient(_channel);
        Transmit = new Transmit.TransmitClient(_channel);
    }

    public Uri Address { get; }
    public Fingerprint Receiver { get; }

    /// <summary>The generated stubs (tests use them to send what a hostile client would).</summary>
    public Handshake.HandshakeClient Handshake { get; }
    public Transmit.TransmitClient Transmit { get; }

    /// <summary>Runs the signed handshake; the session is bound to the pinned receiver.</summary>
    /// <exception cref="RpcException">The receiver refused (status and detail say why).</exception>
    /// <exception cref="HandshakeException">The response does not authenticate the pinned receiver.</exception>
    public async Task<Session> OpenSessionAsync(Identity identity, string modelName, byte[] modelId, string cipher, TimeSpan timeout, CancellationToken ct = default)
    {
        using var hs = new HandshakeInitiator(identity, Receiver, modelName, modelId, cipher);
        var response = await Handshake.OpenSessionAsync(hs.Request.ToProto(), deadline: DateTime.UtcNow + timeout, cancellationToken: ct);
        return hs.Complete(response.FromProto());
    }

    /// <summary>
    /// The next upload-call counter of this process: consecutive numbers, so calls opened in parallel on one session
    /// stay inside the receiver's replay window whatever order they arrive in.
    /// </summary>
    public static ulong NextCallCounter()
    {
        lock (s_counterGate) return ++s_lastCounter;
    }

    /// <summary>The hello that must open every Upload call on <paramref name="session"/>.</summary>
    public static UploadRequest Hello(Session session, ulong? counter = null)
    {
        ulong c = counter ?? NextCallCounter();
        return new UploadRequest
        {
            Hello = new UploadHello
            {
                SessionId = ByteString.CopyFrom(session.SessionId),
                CallCounter = c,
                Mac = ByteString.CopyFrom(SessionChannel.HelloMac(session, c)),
            },
        };
    }

    /// <summary>Opens an Upload call and sends its hello.</summary>
    public async Task<UploadCall> StartUpload(Session session, CancellationToken ct = default)
    {
        var call = Transmit.Upload(cancellationToken: ct);
        try
        {
            await call.RequestStream.WriteAsync(Hello(session), ct);
        }
        catch
        {
            call.Dispose();
            throw;
        }
        return new UploadCall(session, call);
    }

    /// <summary>
    /// The messages of one image: begin, data chunks (ciphertext then sealed metadata, at most 64 KiB each), end.
    /// </summary>
    public static IEnumerable<UploadRequest> ImageMessages(Session session, SealedPacket packet, ulong sequence, ImageInfo info)
    {
        var meta = new ImageMetadata { FileName = info.FileName, OriginalPngBytes = info.OriginalPngBytes };
        if (info.DemoOriginalPng is { } demo) meta.DemoOriginalPng = ByteString.CopyFrom(demo);
        var sealedMeta = SessionChannel.SealMetadata(session, sequence, packet.HeaderBytes, meta.ToByteArray());
        return ImageMessages(packet.HeaderBytes, packet.Ciphertext, sealedMeta, packet.Tag);
    }

    /// <summary>The same from raw parts (tests alter them).</summary>
    public static IEnumerable<UploadRequest> ImageMessages(byte[] header, byte[] ciphertext, byte[] sealedMetadata, byte[] tag, ulong? declaredCiphertextLength = null)
    {
        yield return new UploadRequest
        {
            Begin = new ImageBegin
            {
                PacketHeader = ByteString.CopyFrom(header),
                CiphertextLength = declaredCiphertextLength ?? (ulong)ciphertext.Length,
                MetadataLength = (uint)sealedMetadata.Length,
            },
        };
        byte[] all = [.. ciphertext, .. sealedMetadata];
        for (int off = 0; off < all.Length; off += TransmitLimits.MaxChunkSize)
            yield return new UploadRequest { Data = ByteString.CopyFrom(all, off, Math.Min(TransmitLimits.MaxChunkSize, all.Length - off)) };
        yield return new UploadRequest { End = new ImageEnd { Tag = ByteString.CopyFrom(tag) } };
    }

    public void Dispose() => _channel.Dispose();
}

/// <summary>One Upload call after its hello: send images, read verified receipts in order.</summary>
public sealed class UploadCall(Session session, AsyncDuplexStreamingCall<UploadRequest, Receipt> call) : IDisposable
{
    private readonly Queue<(ulong Sequence, byte[] ImageId)> _expected = new();

    public AsyncDuplexStreamingCall<UploadRequest, Receipt> Call => call;

    /// <summary>Sends one sealed image and its sealed metadata.</summary>
    public async Task SendAsync(SealedPacket packet, ulong sequence, byte[] imageId, ImageInfo info, CancellationToken ct = default)
    {
        lock (_expected) _expected.Enqueue((sequence, imageId));
        foreach (var m in TransmitClient.ImageMessages(session, packet, sequence, info))
            await call.RequestStream.WriteAsync(m, ct);
    }

    /// <summary>No more images on this call.</summary>
    public Task CompleteAsync() => call.RequestStream.CompleteAsync();

    /// <summary>
    /// The next receipt, opened and checked: it must authenticate under the session key and name the sequence and
    /// image id of the oldest image without one. Null at the clean end of the call.
    /// </summary>
    /// <exception cref="IntegrityException">A forged, altered or out-of-order receipt.</exception>
    public async Task<ReceiptBody?> ReadReceiptAsync(CancellationToken ct = default)
    {
        if (!await call.ResponseStream.MoveNext(ct)) return null;
        var r = call.ResponseStream.Current;
        (ulong Sequence, byte[] ImageId) expected;
        lock (_expected)
        {
            if (_expected.Count == 0) throw new IntegrityException("the receiver sent a receipt for no image");
            expected = _expected.Dequeue();
        }
        if (r.Sequence != expected.Sequence)
            throw new IntegrityException($"receipt for sequence {r.Sequence} where {expected.Sequence} was due");
        ReceiptBody body;
        try
        {
            body = ReceiptBody.Parser.ParseFrom(SessionChannel.OpenReceipt(session, expected.Sequence, r.Sealed.Span));
        }
        catch (InvalidProtocolBufferException)
        {
            throw new IntegrityException("the receipt authenticated but is not a ReceiptBody");
        }
        if (body.Sequence != expected.Sequence || !body.ImageId.Span.SequenceEqual(expected.ImageId))
            throw new IntegrityException($"receipt names sequence {body.Sequence} / another image, not sequence {expected.Sequence}");
        if (!body.Stored) throw new IntegrityException($"receipt for sequence {body.Sequence} says the image was not stored");
        return body;
    }

    public void Dispose() => call.Dispose();
}
