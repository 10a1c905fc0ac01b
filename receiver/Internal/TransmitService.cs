using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SecureTransmit.Codec;
using SecureTransmit.Imaging;
using SecureTransmit.Metrics;
using SecureTransmit.Protos.V1;
using SecureTransmit.Security;
using SecureTransmit.Wire;

namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// The receiver's three RPCs. Every failure ends the call with a status and a one-line message; nothing is
/// written unless the packet authenticates and decodes. Per image, on the wire:
/// begin (session id, header, sizes) → data chunks → end (tag) → one <see cref="Receipt"/>.
/// Bounds: an upload stream waits at most <see cref="ReceiverOptions.ImageReceiveTimeout"/> for an image to begin and
/// as long again for it to arrive; the ciphertext buffer grows with the bytes that actually arrived, never to the
/// size a header merely claims. On shutdown (SIGTERM) an image already begun is received, stored and receipted, then
/// the stream ends with UNAVAILABLE so the sender retries the rest elsewhere or later.
/// </summary>
public sealed class TransmitService(
    ReceiverOptions options,
    HandshakeResponder responder,
    SessionStore sessions,
    DecoderCatalog decoders,
    ImageStore store,
    ReceivedFeed feed,
    ILogger<TransmitService> log,
    IHostApplicationLifetime? lifetime = null)
{
    /// <summary>First allocation for an image's ciphertext; it doubles as data arrives, up to the header's length.</summary>
    internal const int InitialCiphertextBuffer = 64 * 1024;

    private readonly CancellationToken _stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
    private readonly SemaphoreSlim _uploads = new(options.MaxConcurrentUploads);
    private readonly SemaphoreSlim _decodes = new(options.MaxConcurrentDecodes);
    private readonly PngEncoderOptions _png = new() { CompressionLevel = options.PngCompressionLevel };

    public ServerServiceDefinition Definition() => ServerServiceDefinition.CreateBuilder()
        .AddUnary(TransmitMethods.OpenSession, OpenSession)
        .AddDuplexStreaming(TransmitMethods.Upload, Upload)
        .AddUnary(TransmitMethods.Health, Health)
        .Build();

    public Task<HealthResponse> Health(HealthRequest request, ServerCallContext context)
    {
        var r = new HealthResponse { Status = "SERVING", ReceiverFingerprint = ByteString.CopyFrom(responder.Fingerprint.ToArray()) };
        r.CipherModes.Add(CipherModes.All);
        foreach (var d in decoders.All)
            r.Models.Add(new ModelInfo { Name = d.Name, ModelId = ByteString.CopyFrom(d.ModelId), LatentValuesPerTile = (uint)d.Codec.LatentPerTile, TileSize = (uint)d.Codec.Tile });
        return Task.FromResult(r);
    }

    public Task<OpenSessionResponse> OpenSession(OpenSessionRequest request, ServerCallContext context)
    {
        ThrowIfStopping();
        if (!decoders.TryGet(request.ModelId.Span, out var decoder))
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"receiver has no decoder for model '{request.ModelName}' (id {Convert.ToHexStringLower(request.ModelId.Span)[..Math.Min(16, request.ModelId.Length * 2)]}); it serves: {decoders.Describe()}"));
        if (decoder.Name != request.ModelName)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"model id belongs to '{decoder.Name}', not '{request.ModelName}'"));
        HandshakeAcceptance accepted;
        try
        {
            accepted = responder.Accept(request.FromProto());
        }
        catch (HandshakeException e)
        {
            log.LogWarning("session refused from {Peer}: {Reason}: {Message}", context.Peer, e.Reason, e.Message);
            throw new RpcException(new Status(StatusOf(e.Reason), e.Message));
        }
        sessions.Add(accepted.Session);
        log.LogInformation("session {Session} opened by {Sender} ({Name}) model {Model} cipher {Cipher}",
            accepted.Session.SessionIdHex, accepted.Session.PeerFingerprint.Short, accepted.Sender.Name ?? "-", decoder.Name, accepted.Session.CipherMode);
        return Task.FromResult(accepted.Response.ToProto());
    }

    public static StatusCode StatusOf(HandshakeFailureReason reason) => reason switch
    {
        HandshakeFailureReason.Malformed => StatusCode.InvalidArgument,
        HandshakeFailureReason.NotAllowed => StatusCode.PermissionDenied,
        HandshakeFailureReason.Skew => StatusCode.FailedPrecondition,
        _ => StatusCode.Unauthenticated,
    };

    public async Task Upload(IAsyncStreamReader<UploadChunk> requests, IServerStreamWriter<Receipt> responses, ServerCallContext context)
    {
        while (true)
        {
            ThrowIfStopping();
            if (!await NextBegin(requests, context.CancellationToken)) return;
            var first = requests.Current;
            if (first.PartCase != UploadChunk.PartOneofCase.Begin)
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"expected an image 'begin', got '{first.PartCase}'"));
            var receipt = await ReceiveOne(first.Begin, requests, context);
            await responses.WriteAsync(receipt);
        }
    }

    /// <summary>Waits for the next message that should begin an image: false at the clean end of the stream.</summary>
    private async Task<bool> NextBegin(IAsyncStreamReader<UploadChunk> requests, CancellationToken callToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(callToken, _stopping);
        wait.CancelAfter(options.ImageReceiveTimeout);
        try
        {
            return await requests.MoveNext(wait.Token);
        }
        catch (OperationCanceledException) when (!callToken.IsCancellationRequested)
        {
            ThrowIfStopping();
            throw new RpcException(new Status(StatusCode.DeadlineExceeded,
                $"no image began within {options.ImageReceiveTimeout.TotalSeconds:0.###} s; upload stream closed"));
        }
    }

    private void ThrowIfStopping()
    {
        if (_stopping.IsCancellationRequested)
            throw new RpcException(new Status(StatusCode.Unavailable, "receiver is shutting down; retry later"));
    }

    private async Task<Receipt> ReceiveOne(ImageBegin begin, IAsyncStreamReader<UploadChunk> requests, ServerCallContext context)
    {
        var total = Stopwatch.StartNew();
        var session = LookUp(begin.SessionId.Span);
        PacketHeader header;
        try
        {
            header = Packet.ParseFor(session, begin.PacketHeader.Span, session.MaxImagePixels);
        }
        catch (CodecException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        if ((ulong)header.CiphertextLength != begin.CiphertextLength)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"ciphertext_length {begin.CiphertextLength} does not match the header's {header.CiphertextLength}"));
        if (!decoders.TryGet(header.ModelId, out var decoder))
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "the session's model is no longer served"));
        // Checked before any buffer is sized from the header: the tile geometry must be the model's, so the
        // ciphertext length is what this model makes of at most max_image_pixels, not whatever the header claims.
        if (header.Kind != decoder.Codec.Kind || header.Tile != decoder.Codec.Tile || header.LatentPerTile != decoder.Codec.LatentPerTile)
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"header describes {header.Tile}-px tiles with {header.LatentPerTile} latent values; model {decoder.Name} uses {decoder.Codec.Tile}-px tiles with {decoder.Codec.LatentPerTile}"));

        if (header.CiphertextLength > Array.MaxLength)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"ciphertext of {header.CiphertextLength} bytes is larger than one image can be"));

        if (!await _uploads.WaitAsync(TimeSpan.FromSeconds(30), context.CancellationToken))
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "receiver busy: too many images in flight"));
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            deadline.CancelAfter(options.ImageReceiveTimeout);
            int length = (int)header.CiphertextLength;
            var ciphertext = new byte[Math.Min(length, InitialCiphertextBuffer)];
            int got = 0;
            byte[]? tag = null;
            try
            {
                while (tag is null)
                {
                    if (!await requests.MoveNext(deadline.Token))
                        throw new RpcException(new Status(StatusCode.InvalidArgument, $"stream ended after {got} of {length} ciphertext bytes"));
                    var part = requests.Current;
                    switch (part.PartCase)
                    {
                        case UploadChunk.PartOneofCase.Data:
                            if (part.Data.Length > TransmitMethods.MaxChunkSize)
                                throw new RpcException(new Status(StatusCode.InvalidArgument, $"chunk of {part.Data.Length} bytes exceeds {TransmitMethods.MaxChunkSize}"));
                            if (got + part.Data.Length > length)
                                throw new RpcException(new Status(StatusCode.InvalidArgument, $"more ciphertext than the header announced ({length} bytes)"));
                            if (got + part.Data.Length > ciphertext.Length)
                                Array.Resize(ref ciphertext, (int)Math.Min(length, Math.Max(2L * ciphertext.Length, got + part.Data.Length)));
                            part.Data.Span.CopyTo(ciphertext.AsSpan(got));
                            got += part.Data.Length;
                            break;
                        case UploadChunk.PartOneofCase.End:
                            if (got != length)
                                throw new RpcException(new Status(StatusCode.InvalidArgument, $"image ended after {got} of {length} ciphertext bytes"));
                            tag = part.End.Tag.ToByteArray();
                            break;
                        default:
                            throw new RpcException(new Status(StatusCode.InvalidArgument, $"expected image data or 'end', got '{part.PartCase}'"));
                    }
                }
            }
            catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"image did not arrive within {options.ImageReceiveTimeout.TotalSeconds:0.###} s"));
            }
            double receiveMs = total.Elapsed.TotalMilliseconds;

            var sw = Stopwatch.StartNew();
            EncodedImage latent;
            try
            {
                latent = Packet.Open(session, header, begin.PacketHeader.Span, ciphertext, tag);
            }
            catch (IntegrityException e)
            {
                log.LogWarning("rejected tampered image from {Sender} seq {Seq}: {Message}", session.PeerFingerprint.Short, header.Sequence, e.Message);
                throw new RpcException(new Status(StatusCode.DataLoss, "image failed authentication (tampered or corrupted); nothing was stored"));
            }
            catch (ReplayException e)
            {
                log.LogWarning("rejected replay from {Sender} seq {Seq}", session.PeerFingerprint.Short, header.Sequence);
                throw new RpcException(new Status(StatusCode.AlreadyExists, e.Message));
            }
            double decryptMs = sw.Elapsed.TotalMilliseconds;

            var imageKey = ImageStore.ImageKey(session.PeerFingerprint.Hex, Convert.ToHexStringLower(header.ImageId));
            if (store.TryGetStored(imageKey, out var already))
                return new Receipt { Sequence = header.Sequence, Stored = true, StoredName = already, Width = (uint)header.Width, Height = (uint)header.Height };

            await _decodes.WaitAsync(context.CancellationToken);
            Image image;
            byte[] png;
            double decodeMs, pngMs;
            try
            {
                sw.Restart();
                image = await Task.Run(() => decoder.Codec.Decode(latent), CancellationToken.None);
                decodeMs = sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                png = PngEncoder.Encode(image, _png);
                pngMs = sw.Elapsed.TotalMilliseconds;
            }
            catch (DesyncException e)
            {
                throw new RpcException(new Status(StatusCode.DataLoss, $"image not stored: {e.Message}"));
            }
            catch (CodecException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"image could not be decoded: {e.Message}"));
            }
            finally
            {
                _decodes.Release();
            }

            double? psnr = null, ssim = null;
            if (begin.Demo is { OriginalPng.Length: > 0 } demo)
            {
                try
                {
                    // PNG only (our managed decoder): a peer's bytes never reach the native image library on the receiver.
                    var original = PngDecoder.Decode(demo.OriginalPng.Span, new PngDecoderOptions { MaxPixels = options.MaxImagePixels }).ToRgb();
                    var shown = image.Channels == 3 ? image : image.ToRgb();
                    if (original.Width == shown.Width && original.Height == shown.Height)
                    {
                        psnr = ImageQuality.Psnr(original.Pixels, shown.Pixels);
                        ssim = ImageQuality.Ssim(original.Pixels, shown.Pixels, shown.Width, shown.Height, 3);
                    }
                }
                catch (ImageFormatException e)
                {
                    log.LogWarning("demo original from {Sender} unreadable: {Message}", session.PeerFingerprint.Short, e.Message);
                }
            }

            long wireBytes = begin.PacketHeader.Length + ciphertext.Length + tag.Length;
            var sidecar = new JsonObject
            {
                ["image_id"] = Convert.ToHexStringLower(header.ImageId),
                ["display_name"] = begin.FileName,
                ["sender_fingerprint"] = session.PeerFingerprint.Hex,
                ["session_id"] = session.SessionIdHex,
                ["sequence"] = header.Sequence,
                ["model"] = decoder.Name,
                ["model_id"] = Convert.ToHexStringLower(header.ModelId),
                ["cipher"] = session.CipherMode,
                ["width"] = header.Width,
                ["height"] = header.Height,
                // What was stored, from the authenticated header: gray PNG for a gray source, else RGB; 8-bit, no alpha.
                ["color_type"] = header.Color == ColorType.Gray ? "gray" : "rgb",
                ["stored_bit_depth"] = 8,
                ["notes"] = ImageStore.SourceNotes(header.Color),
                ["tile"] = header.Tile,
                ["tiles"] = header.Columns * header.Rows,
                ["latent_bytes"] = ciphertext.Length,
                ["wire_bytes"] = wireBytes,
                ["png_bytes"] = png.Length,
                ["original_png_bytes"] = begin.OriginalPngBytes,
                ["ratio_vs_png"] = begin.OriginalPngBytes > 0 ? Math.Round((double)begin.OriginalPngBytes / wireBytes, 3) : null,
                ["bpp"] = Math.Round(wireBytes * 8.0 / ((double)header.Width * header.Height), 4),
                ["receive_ms"] = Math.Round(receiveMs, 2),
                ["decrypt_ms"] = Math.Round(decryptMs, 3),
                ["decode_ms"] = Math.Round(decodeMs, 2),
                ["png_ms"] = Math.Round(pngMs, 2),
                ["received_at"] = DateTimeOffset.UtcNow.ToString("O"),
                ["psnr"] = psnr is { } p && double.IsFinite(p) ? Math.Round(p, 3) : null,
                ["ssim"] = ssim is { } s ? Math.Round(s, 5) : null,
            };
            var (storedName, duplicate) = store.Commit(imageKey, begin.FileName, png, sidecar);
            if (!duplicate)
            {
                log.LogInformation("stored {File} {W}x{H} from {Sender} seq {Seq}: {Bytes} B on the wire, decode {Ms:0.0} ms",
                    storedName, header.Width, header.Height, session.PeerFingerprint.Short, header.Sequence, wireBytes, decodeMs);
                feed.Publish(storedName, sidecar, ciphertext, header.Width, header.Height, psnr is null ? null : begin.Demo.OriginalPng.ToByteArray());
            }
            return new Receipt
            {
                Sequence = header.Sequence,
                Stored = true,
                StoredName = storedName,
                Width = (uint)header.Width,
                Height = (uint)header.Height,
                DecodeMs = decodeMs,
                Psnr = psnr is { } pp && double.IsFinite(pp) ? pp : 0,
                Ssim = ssim ?? 0,
            };
        }
        finally
        {
            _uploads.Release();
        }
    }

    private Session LookUp(ReadOnlySpan<byte> sessionId)
    {
        try
        {
            return sessions.Get(sessionId);
        }
        catch (HandshakeException e)
        {
            throw new RpcException(new Status(StatusOf(e.Reason), e.Message));
        }
    }
}
