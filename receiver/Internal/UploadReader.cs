using Grpc.Core;
using SecureTransmit.Codec;
using SecureTransmit.Protos.V2;
using SecureTransmit.Security;
using SecureTransmit.Wire;

namespace SecureTransmit.Receiver.Internal;

/// <summary>One image as it arrived: the parsed header, the raw header, ciphertext, tag and sealed metadata.</summary>
public sealed record ArrivedImage(PacketHeader Header, byte[] HeaderBytes, byte[] Ciphertext, byte[] Tag, byte[] SealedMetadata, double ReceiveMs);

/// <summary>
/// The server side of securetransmit.v2.Transmit/Upload, reading only: first the hello (within
/// <see cref="ServerLimits.FirstMessageTimeout"/>), which must prove the session key before anything else is read or
/// any buffer is sized; then one image at a time (begin, data, end), whose buffers are allocated only after the hello
/// and grow with the bytes that actually arrive. Every protocol violation is an <see cref="RpcException"/> with the
/// right status and a one-line message.
/// </summary>
public sealed class UploadReader(IAsyncStreamReader<UploadRequest> requests, CancellationToken callToken, TimeSpan imageTimeout)
{
    /// <summary>First allocation for an image's ciphertext; it doubles as data arrives, up to the header's length.</summary>
    public const int InitialBuffer = 64 * 1024;

    /// <summary>
    /// The next message. A malformed gRPC message frame (e.g. an undefined compression flag) is INTERNAL with the
    /// library's one-line reason, as the gRPC specification has it, rather than an escaping exception.
    /// </summary>
    private async Task<bool> Next(CancellationToken token)
    {
        try
        {
            return await requests.MoveNext(token);
        }
        catch (InvalidDataException e)
        {
            throw new RpcException(new Status(StatusCode.Internal, e.Message));
        }
    }

    /// <summary>Reads and checks the hello; returns the session it proves.</summary>
    public async Task<Session> ReadHelloAsync(SessionStore sessions, TimeSpan firstMessageTimeout)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(callToken);
        wait.CancelAfter(firstMessageTimeout);
        bool any;
        try
        {
            any = await Next(wait.Token);
        }
        catch (OperationCanceledException) when (!callToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded,
                $"no upload hello within {firstMessageTimeout.TotalSeconds:0.###} s; call closed"));
        }
        if (!any) throw new RpcException(new Status(StatusCode.InvalidArgument, "the upload ended before its hello"));
        var first = requests.Current;
        if (first.PartCase != UploadRequest.PartOneofCase.Hello)
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"the first upload message must be a hello, got '{first.PartCase}'"));
        var hello = first.Hello;
        if (hello.SessionId.Length != ProtocolConstants.SessionIdLength || !sessions.TryGet(hello.SessionId.Span, out var session))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "unknown or expired session; open a new session"));
        if (!SessionChannel.VerifyHello(session, hello.CallCounter, hello.Mac.Span))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "upload hello does not prove the session key"));
        if (!session.TryAdvanceCallCounter(hello.CallCounter))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "upload hello replayed (call_counter not above the last one)"));
        return session;
    }

    /// <summary>
    /// Waits for the next image's begin (false at the clean end of the stream) and reads the whole image.
    /// <paramref name="validate"/> checks the header before any buffer is sized from it.
    /// </summary>
    public async Task<ArrivedImage?> ReadImageAsync(Session session, Func<PacketHeader, ImageBegin, PacketHeader> parse,
        Func<CancellationToken, Task<IDisposable>> admit, CancellationToken stopping)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(callToken, stopping))
        {
            wait.CancelAfter(imageTimeout);
            try
            {
                if (!await Next(wait.Token)) return null;
            }
            catch (OperationCanceledException) when (!callToken.IsCancellationRequested)
            {
                if (stopping.IsCancellationRequested) throw new RpcException(new Status(StatusCode.Unavailable, "receiver is shutting down; retry later"));
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"no image began within {imageTimeout.TotalSeconds:0.###} s; upload closed"));
            }
        }
        started.Restart();
        var first = requests.Current;
        if (first.PartCase != UploadRequest.PartOneofCase.Begin)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"expected an image 'begin', got '{first.PartCase}'"));
        var begin = first.Begin;
        PacketHeader header;
        try
        {
            header = Packet.ParseFor(session, begin.PacketHeader.Span, session.MaxImagePixels);
        }
        catch (CodecException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        header = parse(header, begin);
        if ((ulong)header.CiphertextLength != begin.CiphertextLength)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"ciphertext_length {begin.CiphertextLength} does not match the header's {header.CiphertextLength}"));
        if (begin.MetadataLength < SessionChannel.TagLength || begin.MetadataLength > TransmitLimits.MaxMetadataLength)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"metadata_length {begin.MetadataLength} is outside [{SessionChannel.TagLength}, {TransmitLimits.MaxMetadataLength}]"));
        long total = header.CiphertextLength + begin.MetadataLength;
        if (header.CiphertextLength > Array.MaxLength - TransmitLimits.MaxMetadataLength)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"ciphertext of {header.CiphertextLength} bytes is larger than one image can be"));

        using var slot = await admit(callToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(callToken);
        deadline.CancelAfter(imageTimeout);
        var buffer = new byte[Math.Min(total, InitialBuffer)];
        int got = 0;
        byte[]? tag = null;
        try
        {
            while (tag is null)
            {
                if (!await Next(deadline.Token))
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"stream ended after {got} of {total} bytes of the image"));
                var part = requests.Current;
                switch (part.PartCase)
                {
                    case UploadRequest.PartOneofCase.Data:
                        if (part.Data.Length > TransmitLimits.MaxChunkSize)
                            throw new RpcException(new Status(StatusCode.InvalidArgument, $"chunk of {part.Data.Length} bytes exceeds {TransmitLimits.MaxChunkSize}"));
                        if (got + (long)part.Data.Length > total)
                            throw new RpcException(new Status(StatusCode.InvalidArgument, $"more data than the begin announced ({total} bytes)"));
                        if (got + part.Data.Length > buffer.Length)
                            Array.Resize(ref buffer, (int)Math.Min(total, Math.Max(2L * buffer.Length, got + part.Data.Length)));
                        part.Data.Span.CopyTo(buffer.AsSpan(got));
                        got += part.Data.Length;
                        break;
                    case UploadRequest.PartOneofCase.End:
                        if (got != total)
                            throw new RpcException(new Status(StatusCode.InvalidArgument, $"image ended after {got} of {total} bytes"));
                        tag = part.End.Tag.ToByteArray();
                        break;
                    default:
                        throw new RpcException(new Status(StatusCode.InvalidArgument, $"expected image data or 'end', got '{part.PartCase}'"));
                }
            }
        }
        catch (OperationCanceledException) when (!callToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"image did not arrive within {imageTimeout.TotalSeconds:0.###} s"));
        }
        int c = (int)header.CiphertextLength;
        return new ArrivedImage(header, begin.PacketHeader.ToByteArray(), buffer[..c], tag, buffer[c..], started.Elapsed.TotalMilliseconds);
    }
}
