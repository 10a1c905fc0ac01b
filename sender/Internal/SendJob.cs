using System.Diagnostics;
using System.Security.Authentication;
using Grpc.Core;
using SecureTransmit.Codec;
using SecureTransmit.Imaging;
using SecureTransmit.Protos.V2;
using SecureTransmit.Security;
using SecureTransmit.Wire;

namespace SecureTransmit.Sender.Internal;

/// <summary>One source image to send, with what is known before and after. The image is read when it is encoded.</summary>
public sealed class Item(string path)
{
    public string Path { get; } = path;
    public string Name => System.IO.Path.GetFileName(Path);
    /// <summary>The decoded source, held only until it is encoded (and its demo PNG made).</summary>
    public Image? Image { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    /// <summary>The source's format and whether it was gray (after alpha was composited away).</summary>
    public ImageFormat SourceFormat { get; set; }
    public bool SourceGray { get; set; }
    /// <summary>What happened to the source on the way in (alpha composited, 16-bit rounded), for the user.</summary>
    public List<string> Notes { get; } = [];
    /// <summary>The same facts as packet header flags (authenticated), so the receiver's sidecar can state them per image.</summary>
    public ushort SourceFlags { get; set; }
    public long OriginalPngBytes { get; set; }
    /// <summary>The original as PNG, for --demo only.</summary>
    public byte[]? DemoPng { get; set; }
    /// <summary>Chosen once and kept across retries, so the receiver stores the image once.</summary>
    public byte[] ImageId { get; } = Packet.NewImageId();
    public EncodedImage? Encoded { get; set; }
    public double EncodeMs { get; set; }
    public long WireBytes { get; set; }
    public double SendMs { get; set; }
    /// <summary>Stopwatch timestamp when this image's first byte was written.</summary>
    public long SendStartedTicks { get; set; }
    /// <summary>The receiver's receipt, authenticated under the session key and checked against this image.</summary>
    public ReceiptBody? Receipt { get; set; }
    public int Attempts { get; set; }

    /// <summary>Reads the source (when not given in memory) and notes its size and its size as PNG.</summary>
    public void Load()
    {
        if (Image is null)
        {
            var bytes = File.ReadAllBytes(Path);
            Image = ImageIO.Decode(bytes);
            OriginalPngBytes = ImageIO.DetectFormat(bytes) == ImageFormat.Png ? bytes.Length : ImageIO.Encode(Image, ImageFormat.Png).Length;
        }
        else if (OriginalPngBytes == 0)
        {
            OriginalPngBytes = ImageIO.Encode(Image, ImageFormat.Png).Length;
        }
        Width = Image.Width;
        Height = Image.Height;
    }
}

/// <summary>A failure the user should see as one line; <see cref="Retryable"/> when another attempt may succeed.</summary>
public sealed class SendException(string message, bool retryable, Exception? inner = null) : Exception(message, inner)
{
    public bool Retryable { get; } = retryable;
}

/// <summary>
/// Sends a batch through <see cref="TransmitClient"/>: one session and one Upload call per attempt, up to
/// <see cref="SendOptions.InFlight"/> images ahead of their receipts, each source read and encoded only when its turn
/// comes. On a broken connection it reconnects with exponential backoff, opens a new session and resends every image
/// without a receipt (same image ids).
/// </summary>
public sealed class SendJob(SendOptions options, IImageCodec codec, byte[] modelId, Identity identity)
{
    /// <summary>Called when an image's receipt arrives.</summary>
    public Action<Item>? OnStored { get; set; }

    /// <summary>Called before a retry with the attempt number, the delay and the reason.</summary>
    public Action<int, TimeSpan, string>? OnRetry { get; set; }

    public async Task RunAsync(IReadOnlyList<Item> items, CancellationToken ct)
    {
        var delay = options.RetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            var pending = items.Where(i => i.Receipt is null).ToList();
            if (pending.Count == 0) return;
            try
            {
                await SendOnce(pending, ct);
                return;
            }
            catch (SendException e) when (e.Retryable && attempt < options.Attempts && !ct.IsCancellationRequested)
            {
                OnRetry?.Invoke(attempt, delay, e.Message);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private async Task SendOnce(List<Item> pending, CancellationToken ct)
    {
        using var client = new TransmitClient(options.To!, options.ReceiverFingerprint!, new ChannelSettings { ConnectTimeout = options.ConnectTimeout });
        Session session;
        try
        {
            session = await client.OpenSessionAsync(identity, codec.ModelName, modelId, options.Cipher, options.ConnectTimeout, ct);
        }
        catch (HandshakeException e)
        {
            throw new SendException($"receiver failed authentication: {e.Message}", retryable: false, e);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            throw Translate(e);
        }
        // The receiver announced its limit in the handshake: say so here, before any byte of the batch is sent, rather
        // than learn it from a rejected stream.
        if (pending.FirstOrDefault(i => (long)i.Width * i.Height > session.MaxImagePixels) is { } tooLarge)
            throw new SendException($"{tooLarge.Name} is {tooLarge.Width}×{tooLarge.Height} ({(long)tooLarge.Width * tooLarge.Height:N0} pixels); " +
                                    $"the receiver accepts at most {session.MaxImagePixels:N0} pixels per image", retryable: false);
        ulong sequence = 0;
        UploadCall call;
        try
        {
            call = await client.StartUpload(session, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            throw Translate(e);
        }
        using var _ = call;
        using var window = new SemaphoreSlim(options.InFlight);
        var sent = new Queue<Item>();
        var readerFailed = new CancellationTokenSource();

        var reader = Task.Run(async () =>
        {
            try
            {
                while (await call.ReadReceiptAsync(ct) is { } receipt)
                {
                    Item item;
                    lock (sent) item = sent.Dequeue();
                    item.Receipt = receipt;
                    item.SendMs = Stopwatch.GetElapsedTime(item.SendStartedTicks).TotalMilliseconds;
                    OnStored?.Invoke(item);
                    window.Release();
                }
            }
            catch (IntegrityException e)
            {
                readerFailed.Cancel();
                throw new SendException($"receiver sent a receipt that does not verify: {e.Message}", retryable: false, e);
            }
            catch
            {
                readerFailed.Cancel();
                throw;
            }
        }, CancellationToken.None);

        try
        {
            foreach (var item in pending)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, readerFailed.Token);
                await window.WaitAsync(linked.Token);
                item.Attempts++;
                if (item.Encoded is null) Encode(item);
                if ((long)item.Width * item.Height > session.MaxImagePixels)
                    throw new SendException($"{item.Name} is {item.Width}×{item.Height} ({(long)item.Width * item.Height:N0} pixels); " +
                                            $"the receiver accepts at most {session.MaxImagePixels:N0} pixels per image", retryable: false);
                var packet = Packet.Seal(session, item.Encoded!, ++sequence, item.ImageId, item.SourceFlags);
                item.WireBytes = packet.PayloadBytes;
                item.SendStartedTicks = Stopwatch.GetTimestamp();
                lock (sent) sent.Enqueue(item);
                await call.SendAsync(packet, sequence, item.ImageId, new ImageInfo(item.Name, (ulong)item.OriginalPngBytes, options.Demo ? item.DemoPng : null), ct);
            }
            await call.CompleteAsync();
            await reader;
        }
        catch (Exception e) when (e is not SendException && !ct.IsCancellationRequested)
        {
            // The reader's failure carries the receiver's status; prefer it over the writer's broken pipe.
            try { await reader; } catch (Exception re) { throw Translate(re); }
            throw Translate(e);
        }
        catch (OperationCanceledException) when (readerFailed.IsCancellationRequested)
        {
            try { await reader; } catch (Exception re) { throw Translate(re); }
            throw;
        }
        if (pending.Any(i => i.Receipt is null))
            throw new SendException("receiver closed the stream before every receipt arrived", retryable: true);
    }

    private void Encode(Item item)
    {
        try
        {
            item.Load();
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            throw new SendException($"{item.Path}: {e.Message.ReplaceLineEndings(" ")}", retryable: false, e);
        }
        var sw = Stopwatch.StartNew();
        item.Encoded = codec.Encode(item.Image!);
        item.EncodeMs = sw.Elapsed.TotalMilliseconds;
        if (options.Demo) item.DemoPng = ImageIO.Encode(item.Image!, ImageFormat.Png);
        item.Image = null;
    }

    /// <summary>Turns transport and status failures into one-line messages, retryable where a later attempt can succeed.</summary>
    public SendException Translate(Exception e) => e switch
    {
        SendException s => s,
        // A receiver whose TLS key is not the pinned one will not become the right one on a retry.
        _ when TlsProblem(e) is { } tls => new SendException(tls, retryable: false, e),
        RpcException r when r.StatusCode == StatusCode.Unavailable && TlsProblem(r.InnerException ?? r) is null && r.Status.DebugException is { } inner && TlsProblem(inner) is { } tls2
            => new SendException(tls2, retryable: false, e),
        RpcException r => r.StatusCode switch
        {
            StatusCode.Unavailable or StatusCode.Internal or StatusCode.Cancelled or StatusCode.ResourceExhausted or StatusCode.Unknown or StatusCode.DeadlineExceeded
                => new SendException(Unreachable(r), retryable: true, e),
            StatusCode.Unauthenticated when r.Status.Detail?.Contains("another receiver", StringComparison.Ordinal) == true
                => new SendException($"receiver failed authentication: the receiver at {options.To} is not the pinned {options.ReceiverFingerprint!.Short}… ({r.Status.Detail})", false, e),
            StatusCode.PermissionDenied => new SendException($"receiver refused this sender: {r.Status.Detail} (ask its operator to run `receiver allow {identity.Fingerprint.Hex}`)", false, e),
            StatusCode.Unauthenticated when r.Status.Detail?.Contains("session", StringComparison.OrdinalIgnoreCase) == true
                => new SendException($"session rejected: {r.Status.Detail}", retryable: true, e),
            _ => new SendException($"receiver answered {r.StatusCode}: {r.Status.Detail}", retryable: false, e),
        },
        HttpRequestException or IOException or System.Net.Sockets.SocketException
            => new SendException(Unreachable(e), retryable: true, e),
        _ => new SendException($"{e.GetType().Name}: {e.Message}", retryable: false, e),
    };

    /// <summary>
    /// A TLS failure named for what it is: a key that is not the pinned one, a peer that does not speak TLS (an h2c
    /// port, or the dashboard's HTTP/1.1 port), or another handshake error. Null when <paramref name="e"/> is not one.
    /// </summary>
    private string? TlsProblem(Exception e)
    {
        var chain = new List<Exception>();
        for (Exception? x = e; x is not null; x = x.InnerException) chain.Add(x);
        if (e is RpcException { Status.DebugException: { } dbg })
            for (Exception? x = dbg; x is not null; x = x.InnerException) chain.Add(x);
        var auth = chain.OfType<AuthenticationException>().FirstOrDefault();
        if (auth is null) return null;
        var text = string.Join(" | ", chain.Select(x => x.Message));
        if (text.Contains("RemoteCertificate", StringComparison.Ordinal) || text.Contains("remote certificate", StringComparison.OrdinalIgnoreCase))
            return $"TLS to {options.To} failed: the receiver's key does not match the pinned fingerprint {options.ReceiverFingerprint!.Short}…";
        if (text.Contains("frame", StringComparison.OrdinalIgnoreCase) || text.Contains("unexpected", StringComparison.OrdinalIgnoreCase)
            || text.Contains("not valid", StringComparison.OrdinalIgnoreCase) || text.Contains("EOF", StringComparison.Ordinal))
            return $"TLS to {options.To} failed: the port does not speak TLS (is it a receiver's --insecure-h2c port, or its --dashboard port?): {auth.Message.ReplaceLineEndings(" ")}";
        return $"TLS handshake with {options.To} failed: {auth.Message.ReplaceLineEndings(" ")}";
    }

    private string Unreachable(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        if (e is RpcException r && r.Status.Detail is { Length: > 0 } d && r.StatusCode != StatusCode.Unavailable)
            return $"receiver at {options.To} answered {r.StatusCode}: {d}";
        var what = e is RpcException rr && rr.Status.DebugException is { } dbg ? Innermost(dbg).Message : inner.Message;
        return $"receiver at {options.To} is unreachable or dropped the connection ({what.ReplaceLineEndings(" ")})";
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
