using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using SecureTransmit.Protos.V2;
using SecureTransmit.Receiver;
using SecureTransmit.Receiver.Internal;
using SecureTransmit.Security;
using SecureTransmit.Wire;

namespace SecureTransmit.Integration.Tests.Reliability.Support;

/// <summary>
/// The receiver's <see cref="HandshakeService"/> and <see cref="UploadService"/> called directly, without HTTP: the
/// same handler code a network call reaches, fed from in-memory streams, so thousands of hostile uploads take seconds.
/// Built from the same parts as <see cref="ReceiverHost"/> (identity, allow-list, decoders, store); logs go nowhere.
/// </summary>
public sealed class InProcessReceiver : IDisposable
{
    private readonly Identity _identity;

    public InProcessReceiver(World world, ReceiverOptions? options = null)
    {
        Options = options ?? new ReceiverOptions();
        Options.OutputPath = world.Out;
        _identity = IdentityFile.Load(world.ReceiverKey);
        Sessions = new SessionStore();
        Store = new ImageStore(world.Out);
        Store.Recover();
        var handshake = new HandshakeOptions { SessionLifetime = Options.SessionLifetime, MaxImagePixels = Options.MaxImagePixels, SupportedCipherModes = CipherModes.All };
        var responder = new HandshakeResponder(_identity, Security.AllowList.Load(world.AllowList), handshake);
        var decoders = DecoderCatalog.Load(World.Models);
        var refusals = new RefusalLog(NullLogger.Instance);
        var shutdown = new ShutdownSignal();
        Handshake = new HandshakeService(responder, Sessions, decoders, shutdown, refusals,
            new AllowListWatcher(world.AllowList, responder, NullLogger<AllowListWatcher>.Instance), NullLogger<HandshakeService>.Instance);
        Upload = new UploadService(Options, Options.Limits, Sessions,
            new ImagePipeline(Options, decoders, Store, new ReceivedFeed(), NullLogger<ImagePipeline>.Instance), shutdown, refusals);
    }

    public ReceiverOptions Options { get; }
    public HandshakeService Handshake { get; }
    public UploadService Upload { get; }
    public SessionStore Sessions { get; }
    public ImageStore Store { get; }

    public async Task<Session> OpenSessionAsync(LibrarySender sender, string cipher = CipherModes.Aes256Gcm)
    {
        using var hs = sender.NewHandshake(cipher);
        var response = await Handshake.OpenSession(hs.Request.ToProto(), new FakeCallContext(CancellationToken.None));
        return hs.Complete(response.FromProto());
    }

    /// <summary>Runs the Upload handler over <paramref name="messages"/>; the outcome is its status (OK when it returned).</summary>
    public async Task<UploadOutcome> UploadAsync(IEnumerable<UploadRequest> messages, TimeSpan timeout, bool hangAtEnd = false)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(timeout);
        var writer = new CollectingWriter<Receipt>();
        try
        {
            await Upload.Upload(new ListReader<UploadRequest>(messages, hangAtEnd), writer, new FakeCallContext(cts.Token)).WaitAsync(timeout + TimeSpan.FromSeconds(5));
            return new UploadOutcome(writer.Items, StatusCode.OK, "", watch.Elapsed);
        }
        catch (RpcException e)
        {
            return new UploadOutcome(writer.Items, e.StatusCode, e.Status.Detail, watch.Elapsed);
        }
    }

    public void Dispose() => _identity.Dispose();
}

/// <summary>Hands out a fixed list of messages; then ends, or (hangAtEnd) waits like a client that went quiet.</summary>
public sealed class ListReader<T>(IEnumerable<T> items, bool hangAtEnd = false) : IAsyncStreamReader<T>
{
    private readonly IEnumerator<T> _items = items.GetEnumerator();

    public T Current => _items.Current;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_items.MoveNext()) return true;
        if (hangAtEnd) await Task.Delay(Timeout.Infinite, cancellationToken);
        return false;
    }
}

public sealed class CollectingWriter<T> : IServerStreamWriter<T>
{
    public List<T> Items { get; } = [];
    public WriteOptions? WriteOptions { get; set; }
    public Task WriteAsync(T message) { Items.Add(message); return Task.CompletedTask; }
}

/// <summary>A server call context for handlers called in-process.</summary>
public sealed class FakeCallContext(CancellationToken token) : ServerCallContext
{
    protected override string MethodCore => "/securetransmit.v2.Transmit/Upload";
    protected override string HostCore => "in-process";
    protected override string PeerCore => "ipv4:127.0.0.1:1";
    protected override DateTime DeadlineCore => DateTime.MaxValue;
    protected override Metadata RequestHeadersCore { get; } = [];
    protected override CancellationToken CancellationTokenCore => token;
    protected override Metadata ResponseTrailersCore { get; } = [];
    protected override Status StatusCore { get; set; } = Status.DefaultSuccess;
    protected override WriteOptions? WriteOptionsCore { get; set; }
    protected override AuthContext AuthContextCore { get; } = new(null, []);
    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();
    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
