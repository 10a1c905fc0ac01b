using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Google.Protobuf;
using SecureTransmit.Codec;
using SecureTransmit.Imaging;
using SecureTransmit.Protos.V1;
using SecureTransmit.Security;
using SecureTransmit.Wire;

namespace SecureTransmit.Sender.Internal;

/// <summary>One source image to send, with what is known before and after.</summary>
public sealed class Item(string path)
{
    public string Path { get; } = path;
    public string Name => System.IO.Path.GetFileName(Path);
    public Image? Image { get; set; }
    /// <summary>Size of the image as sent (read once by the sender, whose pixels are then dropped).</summary>
    public int Width { get; set; }
    public int Height { get; set; }
    /// <summary>The source's format and whether it was gray (after alpha was composited away).</summary>
    public ImageFormat SourceFormat { get; set; }
    public bool SourceGray { get; set; }
    /// <summary>What happened to the source on the way in (alpha composited, 16-bit rounded), for the user.</summary>
    public List<string> Notes { get; } = [];
    /// <summary>The original as PNG, for --demo only.</summary>
    public byte[]? DemoPng { get; set; }
    public long OriginalPngBytes { get; set; }
    /// <summary>Chosen once and kept across retries, so the receiver stores the image once.</summary>
    public byte[] ImageId { get; } = Packet.NewImageId();
    public EncodedImage? Encoded { get; set; }
    public double EncodeMs { get; set; }
    public long WireBytes { get; set; }
    public double SendMs { get; set; }
    /// <summary>Stopwatch timestamp when this image's first byte was written.</summary>
    public long SendStartedTicks { get; set; }
    public Receipt? Receipt { get; set; }
    public int Attempts { get; set; }
}

/// <summary>A failure the user should see as one line; <see cref="Retryable"/> when another attempt may succeed.</summary>
public sealed class SendException(string message, bool retryable, Exception? inner = null) : Exception(message, inner)
{
    public bool Retryable { get; } = retryable;
}

/// <summary>
/// Opens an authenticated session and streams sealed images on one Upload call, keeping up to
/// <see cref="SendOptions.InFlight"/> images ahead of their receipts. On a broken connection it reconnects with
/// exponential backoff, opens a new session and resends every image without a receipt (same image ids).
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
        using var client = CreateClient();
        var session = await OpenSession(client, ct);
        // The receiver announced its limit in the handshake: say so here, before any byte of the batch is sent, rather
        // than learn it from a rejected stream (whose status can be lost to the broken write that follows it).
        if (pending.FirstOrDefault(i => (long)i.Width * i.Height > session.MaxImagePixels) is { } tooLarge)
            throw new SendException($"{tooLarge.Name} is {tooLarge.Width}×{tooLarge.Height} ({(long)tooLarge.Width * tooLarge.Height:N0} pixels); " +
                                    $"the receiver accepts at most {session.MaxImagePixels:N0} pixels per image", retryable: false);
        ulong sequence = 0;
        using var call = client.DuplexStreaming(TransmitMethods.Upload, new CallOptions(cancellationToken: ct));
        using var window = new SemaphoreSlim(options.InFlight);
        var sent = new Queue<Item>();
        var readerFailed = new CancellationTokenSource();

        var reader = Task.Run(async () =>
        {
            try
            {
                while (await call.ResponseStream.MoveNext(ct))
                {
                    var receipt = call.ResponseStream.Current;
                    Item item;
                    lock (sent)
                    {
                        if (sent.Count == 0) throw new SendException("receiver sent a receipt for no image", retryable: false);
                        item = sent.Dequeue();
                    }
                    item.Receipt = receipt;
                    item.SendMs = Stopwatch.GetElapsedTime(item.SendStartedTicks).TotalMilliseconds;
                    OnStored?.Invoke(item);
                    window.Release();
                }
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
                if (item.Encoded is null)
                {
                    var sw = Stopwatch.StartNew();
                    item.Encoded = codec.Encode(item.Image!);
                    item.EncodeMs = sw.Elapsed.TotalMilliseconds;
                }
                var packet = Packet.Seal(session, item.Encoded, ++sequence, item.ImageId);
                item.WireBytes = packet.PayloadBytes;
                item.SendStartedTicks = Stopwatch.GetTimestamp();
                lock (sent) sent.Enqueue(item);
                var begin = new ImageBegin
                {
                    SessionId = ByteString.CopyFrom(session.SessionId),
                    PacketHeader = ByteString.CopyFrom(packet.HeaderBytes),
                    FileName = item.Name,
                    CiphertextLength = (ulong)packet.Ciphertext.Length,
                    OriginalPngBytes = (ulong)item.OriginalPngBytes,
                };
                if (options.Demo) begin.Demo = new DemoExtras { OriginalPng = ByteString.CopyFrom(item.DemoPng ?? ImageIO.Encode(item.Image!, ImageFormat.Png)) };
                await call.RequestStream.WriteAsync(new UploadChunk { Begin = begin });
                for (int off = 0; off < packet.Ciphertext.Length; off += TransmitMethods.MaxChunkSize)
                {
                    int n = Math.Min(TransmitMethods.MaxChunkSize, packet.Ciphertext.Length - off);
                    await call.RequestStream.WriteAsync(new UploadChunk { Data = ByteString.CopyFrom(packet.Ciphertext, off, n) });
                }
                await call.RequestStream.WriteAsync(new UploadChunk { End = new ImageEnd { Tag = ByteString.CopyFrom(packet.Tag) } });
            }
            await call.RequestStream.CompleteAsync();
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

    private async Task<Session> OpenSession(GrpcClient client, CancellationToken ct)
    {
        using var hs = new HandshakeInitiator(identity, options.ReceiverFingerprint!, codec.ModelName, modelId, options.Cipher);
        OpenSessionResponse response;
        try
        {
            response = await client.UnaryAsync(TransmitMethods.OpenSession, hs.Request.ToProto(),
                new CallOptions(deadline: DateTime.UtcNow + options.ConnectTimeout, cancellationToken: ct));
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            throw Translate(e);
        }
        try
        {
            return hs.Complete(response.FromProto());
        }
        catch (HandshakeException e)
        {
            throw new SendException($"receiver failed authentication: {e.Message}", retryable: false, e);
        }
    }

    private GrpcClient CreateClient()
    {
        var pin = options.ReceiverFingerprint!;
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            InitialHttp2StreamWindowSize = 4 * 1024 * 1024,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectTimeout = options.ConnectTimeout,
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (options.To!.Scheme == Uri.UriSchemeHttps)
        {
            handler.SslOptions.EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            // The receiver's TLS key is its identity key: pin the public key (SPKI), so a new certificate for the
            // same identity is accepted and any other key is refused before a byte of the handshake is sent.
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
                cert is not null && TlsCertificates.MatchesPin(new System.Security.Cryptography.X509Certificates.X509Certificate2(cert), pin);
        }
        return new GrpcClient(options.To, new GrpcClientOptions { HttpHandler = handler, MaxReceiveMessageSize = TransmitMethods.MaxMessageSize });
    }

    /// <summary>Turns transport and status failures into one-line messages, retryable where a later attempt can succeed.</summary>
    public SendException Translate(Exception e) => e switch
    {
        SendException s => s,
        // A receiver whose TLS key is not the pinned one will not become the right one on a retry.
        _ when IsTlsFailure(e) => new SendException(Unreachable(e), retryable: false, e),
        RpcException r => r.StatusCode switch
        {
            StatusCode.Unavailable or StatusCode.Internal or StatusCode.Cancelled or StatusCode.ResourceExhausted or StatusCode.Unknown or StatusCode.DeadlineExceeded
                => new SendException(Unreachable(r), retryable: true, e),
            StatusCode.PermissionDenied => new SendException($"receiver refused this sender: {r.Status.Detail} (ask its operator to run `receiver allow {identity.Fingerprint.Hex}`)", false, e),
            StatusCode.Unauthenticated when r.Status.Detail?.Contains("session", StringComparison.OrdinalIgnoreCase) == true
                => new SendException($"session rejected: {r.Status.Detail}", retryable: true, e),
            _ => new SendException($"receiver answered {r.StatusCode}: {r.Status.Detail}", retryable: false, e),
        },
        HttpRequestException or IOException or System.Net.Sockets.SocketException or AuthenticationException
            => new SendException(Unreachable(e), retryable: !(e is AuthenticationException || e.InnerException is AuthenticationException), e),
        _ => new SendException($"{e.GetType().Name}: {e.Message}", retryable: false, e),
    };

    private static bool IsTlsFailure(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is AuthenticationException) return true;
        return false;
    }

    private string Unreachable(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        if (inner is AuthenticationException || e.ToString().Contains("RemoteCertificate", StringComparison.Ordinal))
            return $"TLS to {options.To} failed: the receiver's key does not match the pinned fingerprint {options.ReceiverFingerprint!.Short}…";
        return $"receiver at {options.To} is unreachable or dropped the connection ({inner.Message.ReplaceLineEndings(" ")})";
    }
}
