using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SecureTransmit.Receiver.Internal;
using SecureTransmit.Security;
using SecureTransmit.Wire;

namespace SecureTransmit.Receiver;

/// <summary>
/// One receiver: Kestrel serving the Transmit gRPC service (TLS with a certificate bound to the receiver's
/// identity, or h2c when asked), and optionally the read-only dashboard on its own port.
/// Used by <c>receiver serve</c> and by tests that run a receiver in-process.
/// </summary>
public sealed class ReceiverHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Identity _identity;

    private ReceiverHost(WebApplication app, Identity identity, ReceiverOptions options, DecoderCatalog decoders, ImageStore store)
    {
        _app = app;
        _identity = identity;
        Options = options;
        Decoders = decoders;
        Store = store;
    }

    public ReceiverOptions Options { get; }
    public DecoderCatalog Decoders { get; }
    public ImageStore Store { get; }
    public Fingerprint Fingerprint => _identity.Fingerprint;

    /// <summary>The port the gRPC endpoint is bound to (after <see cref="StartAsync"/>).</summary>
    public int GrpcPort { get; private set; }

    /// <summary>The dashboard's port, or 0 when it is off.</summary>
    public int DashboardPort { get; private set; }

    public static ReceiverHost Build(ReceiverOptions options)
    {
        options.Validate();
        var identity = IdentityFile.Load(options.KeyPath);
        if (!File.Exists(options.AllowListPath))
            throw new KeyFileException(options.AllowListPath, $"allow-list '{options.AllowListPath}' does not exist; add senders with `receiver allow <fingerprint>`");
        var allow = AllowList.Load(options.AllowListPath);
        var decoders = DecoderCatalog.Load(options.ModelsPath);
        var store = new ImageStore(options.OutputPath);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (options.JsonLogs) builder.Logging.AddJsonConsole(o => o.TimestampFormat = "O");
        else builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);

        var grpcOptions = new GrpcServerOptions
        {
            MaxReceiveMessageSize = Protos.V1.TransmitMethods.MaxMessageSize,
            MaxStreamsPerConnection = options.MaxStreamsPerConnection,
        };
        var certificate = options.InsecureH2c ? null
            : TlsCertificates.CreateTlsCertificate(identity, "CN=securetransmit-receiver", TimeSpan.FromDays(30));
        builder.WebHost.ConfigureKestrel(k =>
        {
            KestrelGrpc.Listen(k, options.Listen, certificate, grpcOptions);
            k.Limits.MaxConcurrentConnections = options.MaxConnections;
            k.Limits.KeepAliveTimeout = options.IdleConnectionTimeout;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromTicks(Math.Min(options.IdleConnectionTimeout.Ticks, TimeSpan.FromSeconds(10).Ticks));
            if (options.Dashboard is { } d) Dashboard.Listen(k, d);
        });

        var handshake = new HandshakeOptions { SessionLifetime = options.SessionLifetime, MaxImagePixels = options.MaxImagePixels };
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new HandshakeResponder(identity, allow, handshake));
        builder.Services.AddSingleton(new SessionStore());
        builder.Services.AddSingleton(decoders);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(new ReceivedFeed());
        builder.Services.AddSingleton<TransmitService>();

        var app = builder.Build();
        var service = app.Services.GetRequiredService<TransmitService>();
        app.Use(UnaryDeadline.Middleware(options.UnaryTimeout, Protos.V1.TransmitMethods.Upload.FullName));
        app.MapGrpcService(service.Definition(), grpcOptions);
        var host = new ReceiverHost(app, identity, options, decoders, store);
        if (options.Dashboard is not null)
            Dashboard.Map(app, () => host.DashboardPort, app.Services.GetRequiredService<ReceivedFeed>(), store);
        return host;
    }

    public async Task StartAsync(CancellationToken ct = default)
    {
        var log = _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SecureTransmit.Receiver");
        int removed = Store.Recover();
        if (removed > 0) log.LogWarning("recovered output folder: removed {Count} partial file(s) left by an interrupted run", removed);
        await _app.StartAsync(ct);
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        // Kestrel binds, and reports addresses, in the order of the Listen calls: gRPC first, then the dashboard.
        var ports = addresses.Select(a => new Uri(a.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("*", "localhost", StringComparison.Ordinal)).Port).ToList();
        GrpcPort = ports.Count > 0 ? ports[0] : 0;
        DashboardPort = Options.Dashboard is not null && ports.Count > 1 ? ports[1] : 0;
        log.LogInformation("receiver {Fingerprint} listening on {Scheme}://{Address}:{Port}; models: {Models}; {Stored} image(s) already in {Out}",
            _identity.Fingerprint.Hex, Options.InsecureH2c ? "http" : "https", Options.Listen.Address, GrpcPort, Decoders.Describe(), Store.Count, Store.Directory);
        if (DashboardPort != 0) log.LogInformation("dashboard on http://{Address}:{Port}/", Options.Dashboard!.Address, DashboardPort);
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _identity.Dispose();
    }
}
