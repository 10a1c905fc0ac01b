using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.AspNetCore.Server;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using SecureTransmit.Wire.Internal;

namespace SecureTransmit.Wire;

/// <summary>
/// Puts the standard ASP.NET Core gRPC stack (Grpc.AspNetCore) behind <see cref="ServerLimits"/>: the Kestrel endpoint
/// (HTTP/2 only, TLS with the given certificate or h2c), per-address connection caps, the gRPC service options, the
/// unary time cap, and the standard grpc.health.v1.Health and server reflection services.
/// </summary>
public sealed class ServerTransport
{
    private readonly ServerLimits _limits;
    private readonly ConnectionGate _gate;
    private RefusalLog? _refusals;
    private readonly List<string> _healthNames = [""];

    public ServerTransport(ServerLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        _limits = limits;
        _gate = new ConnectionGate(limits, () => _refusals);
    }

    public ServerLimits Limits => _limits;

    /// <summary>Where refused connections and calls are logged (set once the host's logger exists).</summary>
    public RefusalLog? Refusals
    {
        get => _refusals;
        set => _refusals = value;
    }

    /// <summary>Connections open now from one address (tests).</summary>
    public int OpenConnectionsFrom(IPAddress address) => _gate.OpenFrom(address);

    /// <summary>Kestrel: the gRPC endpoint with the HTTP/2 limits; TLS 1.2/1.3 with <paramref name="certificate"/>, or h2c when null.</summary>
    public void Listen(KestrelServerOptions kestrel, IPEndPoint endpoint, X509Certificate2? certificate)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxConcurrentConnections = _limits.MaxConnections;
        kestrel.Limits.KeepAliveTimeout = _limits.IdleConnectionTimeout;
        kestrel.Limits.RequestHeadersTimeout = _limits.IdleConnectionTimeout;
        kestrel.Limits.MaxRequestBufferSize = 256 * 1024;
        kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
        var h2 = kestrel.Limits.Http2;
        h2.MaxStreamsPerConnection = _limits.MaxStreamsPerConnection;
        h2.InitialConnectionWindowSize = _limits.InitialConnectionWindowSize;
        h2.InitialStreamWindowSize = _limits.InitialStreamWindowSize;
        h2.MaxRequestHeaderFieldSize = 8 * 1024;
        h2.HeaderTableSize = 4096;
        h2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
        h2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
        kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.Use(_gate.Wrap);
            if (certificate is not null)
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
                    ClientCertificateMode = ClientCertificateMode.NoCertificate,
                    HandshakeTimeout = _limits.TlsHandshakeTimeout,
                });
        });
    }

    /// <summary>
    /// Registers gRPC with a 4 KiB default receive limit (handshake, health, reflection; a service that needs more sets
    /// it with <c>AddServiceOptions</c> on the returned builder), no detailed errors, health and reflection.
    /// </summary>
    public static IGrpcServerBuilder AddGrpc(IServiceCollection services, int defaultMaxReceiveMessageSize = 4 * 1024)
    {
        var builder = services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = defaultMaxReceiveMessageSize;
            o.MaxSendMessageSize = 1024 * 1024;
            o.EnableDetailedErrors = false;
            o.IgnoreUnknownServices = false;
        });
        services.AddSingleton<HealthServiceImpl>();
        services.AddGrpcReflection();
        return builder;
    }

    /// <summary>
    /// Maps grpc.health.v1.Health (every name in <paramref name="servingServices"/> and "" answer SERVING until
    /// <see cref="SetNotServing"/>) and grpc.reflection.v1(alpha), and caps unary calls at <see cref="ServerLimits.UnaryTimeout"/>.
    /// Call before mapping the application's services.
    /// </summary>
    public void MapStandardServices(WebApplication app, IEnumerable<string> servingServices, IReadOnlySet<string> streamingPaths)
    {
        var health = app.Services.GetRequiredService<HealthServiceImpl>();
        health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        _healthNames.AddRange(servingServices);
        foreach (var s in _healthNames) health.SetStatus(s, HealthCheckResponse.Types.ServingStatus.Serving);
        var cap = _limits.UnaryTimeout;
        // Unary calls: the request is read before the handler runs, so a peer trickling it would hold the stream;
        // the call is aborted (RST_STREAM) after the cap whatever deadline the client asked for.
        app.Use(async (http, next) =>
        {
            if (streamingPaths.Contains(http.Request.Path.Value ?? ""))
            {
                await next(http);
                return;
            }
            using var timer = new CancellationTokenSource(cap);
            using var reg = timer.Token.Register(static h => ((HttpContext)h!).Abort(), http);
            await next(http);
        });
        app.MapGrpcService<HealthServiceImpl>();
        app.MapGrpcReflectionService();
    }

    /// <summary>Health answers NOT_SERVING for everything (shutdown).</summary>
    public void SetNotServing(IServiceProvider services)
    {
        var health = services.GetRequiredService<HealthServiceImpl>();
        foreach (var s in _healthNames) health.SetStatus(s, HealthCheckResponse.Types.ServingStatus.NotServing);
    }
}
