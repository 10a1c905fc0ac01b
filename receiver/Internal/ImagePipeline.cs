using System.Diagnostics;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using SecureTransmit.Codec;
using SecureTransmit.Imaging;
using SecureTransmit.Metrics;
using SecureTransmit.Protos.V2;
using SecureTransmit.Security;
using SecureTransmit.Wire;

namespace SecureTransmit.Receiver.Internal;

/// <summary>An image through the stages so far.</summary>
public sealed record OpenedImage(ArrivedImage Arrived, DecoderEntry Decoder, EncodedImage Latent, ImageMetadata Metadata, double DecryptMs);

/// <summary>A decoded image with its PNG.</summary>
public sealed record DecodedImage(OpenedImage Opened, Image Image, byte[] Png, double DecodeMs, double PngMs);

/// <summary>
/// The receiver's per-image work in named stages, each failing with its own status:
/// <see cref="CheckHeader"/> (before any buffer is sized) → <see cref="Open"/> (packet tag, replay window, sealed
/// metadata) → <see cref="Decode"/> (decoder and PNG, at most <see cref="ReceiverOptions.MaxConcurrentDecodes"/> at once)
/// → <see cref="Compare"/> (demo PSNR/SSIM) → <see cref="Store"/> (durable write, feed) → <see cref="Seal"/> (receipt).
/// </summary>
public sealed class ImagePipeline(ReceiverOptions options, DecoderCatalog decoders, ImageStore store, ReceivedFeed feed, ILogger<ImagePipeline> log)
{
    private readonly SemaphoreSlim _decodes = new(options.MaxConcurrentDecodes);
    private readonly PngEncoderOptions _png = new() { CompressionLevel = options.PngCompressionLevel };

    /// <summary>Stage 1: the header's model and tile geometry are the session's, so sizes derive from the model.</summary>
    public PacketHeader CheckHeader(Session session, PacketHeader header)
    {
        if (!decoders.TryGet(header.ModelId, out var decoder))
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "the session's model is no longer served"));
        if (header.Kind != decoder.Codec.Kind || header.Tile != decoder.Codec.Tile || header.LatentPerTile != decoder.Codec.LatentPerTile)
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"header describes {header.Tile}-px tiles with {header.LatentPerTile} latent values; model {decoder.Name} uses {decoder.Codec.Tile}-px tiles with {decoder.Codec.LatentPerTile}"));
        return header;
    }

    /// <summary>Stage 2: authenticate and decrypt the packet (replays refused) and the sealed metadata.</summary>
    public OpenedImage Open(Session session, ArrivedImage a)
    {
        var sw = Stopwatch.StartNew();
        decoders.TryGet(a.Header.ModelId, out var decoder);
        EncodedImage latent;
        ImageMetadata metadata;
        try
        {
            // The metadata first: it is bound to this header and sequence, and a failure here must not use up the
            // sequence number in the replay window (Packet.Open moves it once the packet authenticates).
            metadata = ImageMetadata.Parser.ParseFrom(SessionChannel.OpenMetadata(session, a.Header.Sequence, a.HeaderBytes, a.SealedMetadata));
            latent = Packet.Open(session, a.Header, a.HeaderBytes, a.Ciphertext, a.Tag);
        }
        catch (IntegrityException e)
        {
            log.LogWarning("rejected tampered image from {Sender} seq {Seq}: {Message}", session.PeerFingerprint.Short, a.Header.Sequence, e.Message);
            throw new RpcException(new Status(StatusCode.DataLoss, "image failed authentication (tampered or corrupted); nothing was stored"));
        }
        catch (ReplayException e)
        {
            log.LogWarning("rejected replay from {Sender} seq {Seq}", session.PeerFingerprint.Short, a.Header.Sequence);
            throw new RpcException(new Status(StatusCode.AlreadyExists, e.Message));
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "sealed metadata is not an ImageMetadata message"));
        }
        if (Encoding.UTF8.GetByteCount(metadata.FileName) > TransmitLimits.MaxFileNameBytes)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"file name longer than {TransmitLimits.MaxFileNameBytes} UTF-8 bytes"));
        return new OpenedImage(a, decoder!, latent, metadata, sw.Elapsed.TotalMilliseconds);
    }

    /// <summary>Stage 3: decode the latent and encode the PNG.</summary>
    public async Task<DecodedImage> Decode(OpenedImage o, CancellationToken ct)
    {
        await _decodes.WaitAsync(ct);
        try
        {
            var sw = Stopwatch.StartNew();
            var image = await Task.Run(() => o.Decoder.Codec.Decode(o.Latent), CancellationToken.None);
            double decodeMs = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            var png = PngEncoder.Encode(image, _png);
            return new DecodedImage(o, image, png, decodeMs, sw.Elapsed.TotalMilliseconds);
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
    }

    /// <summary>Stage 4: PSNR/SSIM against the demo original, when the sender attached one.</summary>
    public (double? Psnr, double? Ssim) Compare(Session session, DecodedImage d)
    {
        var original = d.Opened.Metadata.DemoOriginalPng;
        if (original.Length == 0) return (null, null);
        try
        {
            // PNG only (our managed decoder): a peer's bytes never reach the native image library on the receiver.
            var o = PngDecoder.Decode(original.Span, new PngDecoderOptions { MaxPixels = options.MaxImagePixels }).ToRgb();
            var shown = d.Image.Channels == 3 ? d.Image : d.Image.ToRgb();
            if (o.Width != shown.Width || o.Height != shown.Height) return (null, null);
            return (ImageQuality.Psnr(o.Pixels, shown.Pixels), ImageQuality.Ssim(o.Pixels, shown.Pixels, shown.Width, shown.Height, 3));
        }
        catch (ImageFormatException e)
        {
            log.LogWarning("demo original from {Sender} unreadable: {Message}", session.PeerFingerprint.Short, e.Message);
            return (null, null);
        }
    }

    /// <summary>Stage 5: durable write (PNG and typed sidecar), then the dashboard feed. Returns the stored name.</summary>
    public string Store(Session session, DecodedImage d, double? psnr, double? ssim)
    {
        var a = d.Opened.Arrived;
        var h = a.Header;
        long wireBytes = a.HeaderBytes.Length + a.Ciphertext.Length + a.Tag.Length;
        ulong originalPng = d.Opened.Metadata.OriginalPngBytes;
        var sidecar = new SidecarRecord
        {
            ImageId = Convert.ToHexStringLower(h.ImageId),
            DisplayName = d.Opened.Metadata.FileName,
            SenderFingerprint = session.PeerFingerprint.Hex,
            Sequence = h.Sequence,
            Model = d.Opened.Decoder.Name,
            ModelId = Convert.ToHexStringLower(h.ModelId),
            Cipher = session.CipherMode,
            Width = h.Width,
            Height = h.Height,
            // What was stored, from the authenticated header: gray PNG for a gray source, else RGB; 8-bit, no alpha.
            ColorType = h.Color == ColorType.Gray ? "gray" : "rgb",
            StoredBitDepth = 8,
            Notes = ImageStore.SourceNotes(h.Color, h.Flags).Select(n => n!.GetValue<string>()).ToArray(),
            Tile = h.Tile,
            Tiles = h.Columns * h.Rows,
            LatentBytes = a.Ciphertext.Length,
            WireBytes = wireBytes,
            PngBytes = d.Png.Length,
            OriginalPngBytes = originalPng,
            RatioVsPng = originalPng > 0 ? Math.Round((double)originalPng / wireBytes, 3) : null,
            Bpp = Math.Round(wireBytes * 8.0 / ((double)h.Width * h.Height), 4),
            ReceiveMs = Math.Round(a.ReceiveMs, 2),
            DecryptMs = Math.Round(d.Opened.DecryptMs, 3),
            DecodeMs = Math.Round(d.DecodeMs, 2),
            PngMs = Math.Round(d.PngMs, 2),
            ReceivedAt = DateTimeOffset.UtcNow.ToString("O"),
            Psnr = psnr is { } p && double.IsFinite(p) ? Math.Round(p, 3) : null,
            Ssim = ssim is { } s ? Math.Round(s, 5) : null,
        };
        var json = sidecar.ToJson();
        var imageKey = ImageStore.ImageKey(session.PeerFingerprint.Hex, sidecar.ImageId);
        var (storedName, duplicate) = store.Commit(imageKey, sidecar.DisplayName, d.Png, json);
        if (!duplicate)
        {
            log.LogInformation("stored {File} {W}x{H} from {Sender} seq {Seq}: {Bytes} B on the wire, decode {Ms:0.0} ms",
                storedName, h.Width, h.Height, session.PeerFingerprint.Short, h.Sequence, wireBytes, d.DecodeMs);
            feed.Publish(storedName, json, a.Ciphertext, h.Width, h.Height, psnr is null ? null : d.Opened.Metadata.DemoOriginalPng.ToByteArray());
        }
        return storedName;
    }

    /// <summary>Stage 6: the sealed receipt for this image.</summary>
    public static Receipt Seal(Session session, PacketHeader h, string storedName, double decodeMs, double? psnr, double? ssim)
    {
        var body = new ReceiptBody
        {
            Sequence = h.Sequence,
            ImageId = Google.Protobuf.ByteString.CopyFrom(h.ImageId),
            Stored = true,
            StoredName = storedName,
            Width = (uint)h.Width,
            Height = (uint)h.Height,
            DecodeMs = decodeMs,
            Psnr = psnr is { } p && double.IsFinite(p) ? p : 0,
            Ssim = ssim ?? 0,
        };
        return new Receipt
        {
            Sequence = h.Sequence,
            Sealed = Google.Protobuf.ByteString.CopyFrom(SessionChannel.SealReceipt(session, h.Sequence, body.ToByteArray())),
        };
    }

    /// <summary>Whether this sender's image id is already stored (a retry): its stored name.</summary>
    public bool TryGetStored(Session session, PacketHeader h, out string storedName) =>
        store.TryGetStored(ImageStore.ImageKey(session.PeerFingerprint.Hex, Convert.ToHexStringLower(h.ImageId)), out storedName);
}
