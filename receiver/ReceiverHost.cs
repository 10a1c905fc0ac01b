using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SecureTransmit.Protos.V2;
using SecureTransmit.Receiver.Internal;
using SecureTransmit.Security;
using SecureTransmit.Wire;

namespace SecureTransmit.Receiver;

/// <summary>
/// One receiver: Kestrel with Grpc.AspNetCore serving securetransmit.v2 (Handshake, Transmit), grpc.health.v1 and
/// server reflection — TLS with a certificate bound to the receiver's identity, or h2c when asked — and optionally the
/// read-only dashboard on its own port. Used by <c>receiver serve</c> and by tests that run a receiver in-process.
/// </summary>
public sealed class ReceiverHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Identity _identity;
    private readonly ServerTransport _transport;

    private ReceiverHost(WebApplication app, Identity identity, ReceiverOptions options, DecoderCatalog decoders, ImageStore store, ServerTransport transport)
    {
        _app = app;
        _identity = identity;
        _transport = transport;
        Options = options;
        Decoders = decoders;
        Store = store;
    }

    public ReceiverOptions Options { get; }
    public DecoderCatalog Decoders { get; }
    public ImageStore Store { get; }
    public ServerTransport Transport => _transport;
    public Fingerprint Fingerprint => _identity.Fingerprint;
    public IServiceProvider Services => _app.Services;

    /// <summary>The port the gRPC endpoint is bound to (after <see cref="StartAsync"/>).</summary>
    public int GrpcPort { get; private set; }

    /// <summary>The dashboard's port, or 0 when it is off.</summary>
    public int DashboardPort { get; private set; }

    public static ReceiverHost Build(ReceiverOptions options)
    {
        options.Validate();
        var identity = IdentityFile.Load(options.KeyPath);
        if (!File.Exists(options.AllowListPath))
            throw new KeyFileException(options.AllowListPath, $"allow-list '{options.AllowListPath}' does not exist; add senders with `receiver allow <fingerprint> --allow {options.AllowListPath}`");
        var allow = AllowList.Load(options.AllowListPath);
        var decoders = DecoderCatalog.Load(options.ModelsPath);
        var store = new ImageStore(options.OutputPath, options.SharedOutputPermissions);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (options.JsonLogs) builder.Logging.AddJsonConsole(o => o.TimestampFormat = "O");
        else builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        // A failed start (e.g. the port is in use) is reported once, as one line, by `receiver serve`.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);

        var transport = new ServerTransport(options.Limits);
        var certificate = options.InsecureH2c ? null
            : TlsCertificates.CreateTlsCertificate(identity, "CN=securetransmit-receiver", TimeSpan.FromDays(30));
        builder.WebHost.ConfigureKestrel(k =>
        {
            transport.Listen(k, options.Listen, certificate);
            if (options.Dashboard is { } d) Dashboard.Listen(k, d);
        });

        var handshake = new HandshakeOptions { SessionLifetime = options.SessionLifetime, MaxImagePixels = options.MaxImagePixels, SupportedCipherModes = options.Ciphers };
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(options.Limits);
        builder.Services.AddSingleton(new HandshakeResponder(identity, allow, handshake));
        builder.Services.AddSingleton(new SessionStore(new SessionStoreOptions { MaxSessionsPerSender = options.MaxSessionsPerSender }));
        builder.Services.AddSingleton(decoders);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(new ReceivedFeed());
        builder.Services.AddSingleton(new ShutdownSignal());
        builder.Services.AddSingleton<ImagePipeline>();
        // One instance of each service for the whole receiver: their limits (images in flight) are global, not per call.
        builder.Services.AddSingleton<HandshakeService>();
        builder.Services.AddSingleton<UploadService>();
        builder.Services.AddSingleton(sp => new AllowListWatcher(options.AllowListPath, sp.GetRequiredService<HandshakeResponder>(), sp.GetRequiredService<ILogger<AllowListWatcher>>()));
        builder.Services.AddSingleton(sp => new RefusalLog(sp.GetRequiredService<ILoggerFactory>().CreateLogger("SecureTransmit.Receiver.Refused")));
        // The handshake keeps the 4 KiB default receive limit; only Upload takes one 64 KiB chunk per message.
        ServerTransport.AddGrpc(builder.Services, TransmitLimits.MaxHandshakeMessageSize)
            .AddServiceOptions<UploadService>(o => o.MaxReceiveMessageSize = TransmitLimits.MaxUploadMessageSize);

        var app = builder.Build();
        transport.Refusals = app.Services.GetRequiredService<RefusalLog>();
        transport.MapStandardServices(app, [Handshake.Descriptor.FullName, Transmit.Descriptor.FullName],
            new HashSet<string>(StringComparer.Ordinal) { $"/{Transmit.Descriptor.FullName}/Upload" });
        app.MapGrpcService<HandshakeService>();
        app.MapGrpcService<UploadService>();
        var host = new ReceiverHost(app, identity, options, decoders, store, transport);
        if (options.Dashboard is not null)
            Dashboard.Map(app, () => host.DashboardPort, app.Services.GetRequiredService<ReceivedFeed>(), store);
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.Register(() =>
        {
            app.Services.GetRequiredService<ShutdownSignal>().Stop();
            transport.SetNotServing(app.Services);
        });
        return host;
    }

    public async Task StartAsync(CancellationToken ct = default)
    {
        var log = _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SecureTransmit.Receiver");
        int removed = Store.Recover();
        if (removed > 0) log.LogWarning("recovered output folder: removed {Count} partial file(s) of our own left by an interrupted run", removed);
        await _app.StartAsync(ct);
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        // Kestrel binds, and reports addresses, in the order of the Listen calls: gRPC first, then the dashboard.
        var ports = addresses.Select(a => new Uri(a.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("*", "localhost", StringComparison.Ordinal)).Port).ToList();
        GrpcPort = ports.Count > 0 ? ports[0] : 0;
        DashboardPort = Options.Dashboard is not null && ports.Count > 1 ? ports[1] : 0;
        log.LogInformation("receiver {Fingerprint} listening on {Scheme}://{Address}:{Port}; ciphers: {Ciphers}; models: {Models}; {Stored} image(s) already in {Out}",
            _identity.Fingerprint.Hex, Options.InsecureH2c ? "http" : "https", Options.Listen.Address, GrpcPort, string.Join(",", Options.Ciphers), Decoders.Describe(), Store.Count, Store.Directory);
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
