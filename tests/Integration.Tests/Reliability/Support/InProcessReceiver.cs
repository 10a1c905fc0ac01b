using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using SecureTransmit.Protos.V1;
using SecureTransmit.Receiver;
using SecureTransmit.Receiver.Internal;
using SecureTransmit.Security;
using SecureTransmit.Wire;

namespace SecureTransmit.Integration.Tests.Reliability.Support;

/// <summary>
/// The receiver's <see cref="TransmitService"/> called directly, without HTTP: the same handler code a network call
/// reaches, fed from in-memory streams, so thousands of hostile uploads take seconds. Built from the same parts as
/// <see cref="ReceiverHost"/> (identity, allow-list, decoders, store); logs go nowhere.
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
        var handshake = new HandshakeOptions { SessionLifetime = Options.SessionLifetime, MaxImagePixels = Options.MaxImagePixels };
        Service = new TransmitService(Options, new HandshakeResponder(_identity, Security.AllowList.Load(world.AllowList), handshake),
            Sessions, DecoderCatalog.Load(World.Models), Store, new ReceivedFeed(), NullLogger<TransmitService>.Instance);
    }

    public ReceiverOptions Options { get; }
    public TransmitService Service { get; }
    public SessionStore Sessions { get; }
    public ImageStore Store { get; }

    public async Task<Session> OpenSessionAsync(LibrarySender sender, string cipher = CipherModes.Logistic)
    {
        using var hs = sender.NewHandshake(cipher);
        var response = await Service.OpenSession(hs.Request.ToProto(), new FakeCallContext(CancellationToken.None));
        return hs.Complete(response.FromProto());
    }

    /// <summary>Runs the Upload handler over <paramref name="messages"/>; the outcome is its status (OK when it returned).</summary>
    public async Task<UploadOutcome> UploadAsync(IEnumerable<UploadChunk> messages, TimeSpan timeout, bool hangAtEnd = false)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(timeout);
        var writer = new CollectingWriter<Receipt>();
        try
        {
            await Service.Upload(new ListReader<UploadChunk>(messages, hangAtEnd), writer, new FakeCallContext(cts.Token)).WaitAsync(timeout + TimeSpan.FromSeconds(5));
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
    public Task WriteAsync(T message, CancellationToken cancellationToken) => WriteAsync(message);
}

public sealed class FakeCallContext(CancellationToken token) : ServerCallContext
{
    public override string Method => TransmitMethods.Upload.FullName;
    public override string Host => "in-process";
    public override string Peer => "ipv4:127.0.0.1:1";
    public override DateTime Deadline => DateTime.MaxValue;
    public override Metadata RequestHeaders { get; } = new();
    public override CancellationToken CancellationToken => token;
    public override Metadata ResponseTrailers { get; } = new();
    public override Status Status { get; set; } = Status.DefaultSuccess;
    public override WriteOptions? WriteOptions { get; set; }
    public override Task WriteResponseHeadersAsync(Metadata responseHeaders) => Task.CompletedTask;
    public override HttpContext GetHttpContext() => new DefaultHttpContext();
}
