using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace SecureTransmit.Wire;

/// <summary>Configures Kestrel for gRPC: HTTP/2-only endpoints, TLS, no body-size limit, large flow-control windows, pings.</summary>
public static class KestrelGrpc
{
    /// <summary>
    /// Applies the server-wide settings: <c>MaxRequestBodySize = null</c> (Kestrel's ~28.6 MiB default would end long
    /// streams with HTTP 413), no minimum request/response data rate (streams may idle), HTTP/2 windows, stream limit and
    /// keep-alive pings from <paramref name="options"/>, and no <c>Server</c> header.
    /// </summary>
    public static void Configure(KestrelServerOptions kestrel, GrpcServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        options ??= new GrpcServerOptions();
        options.Validate();

        kestrel.AddServerHeader = false;
        KestrelServerLimits limits = kestrel.Limits;
        limits.MaxRequestBodySize = null;
        limits.MinRequestBodyDataRate = null;
        limits.MinResponseDataRate = null;
        limits.Http2.InitialConnectionWindowSize = options.Http2InitialConnectionWindowSize;
        limits.Http2.InitialStreamWindowSize = options.Http2InitialStreamWindowSize;
        limits.Http2.MaxStreamsPerConnection = options.MaxStreamsPerConnection;
        limits.Http2.KeepAlivePingDelay = options.KeepAlivePingDelay == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : options.KeepAlivePingDelay;
        limits.Http2.KeepAlivePingTimeout = options.KeepAlivePingTimeout == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : options.KeepAlivePingTimeout;
    }

    /// <summary>
    /// <see cref="Configure"/> plus an HTTP/2-only endpoint on <paramref name="endpoint"/> (port 0 picks a free port; read it
    /// back from <c>IServerAddressesFeature</c>). With a <paramref name="certificate"/> the endpoint speaks TLS 1.2/1.3
    /// (ALPN h2); passing null is the explicit request for cleartext h2c (prior knowledge).
    /// </summary>
    /// <param name="kestrel">The Kestrel options (from <c>builder.WebHost.ConfigureKestrel</c>).</param>
    /// <param name="endpoint">Address and port to listen on.</param>
    /// <param name="certificate">Server certificate with its private key, or null for h2c.</param>
    /// <param name="options">Server settings; null for the defaults.</param>
    /// <param name="configureHttps">Further TLS settings, e.g. requiring client certificates; only with a certificate.</param>
    public static void Listen(KestrelServerOptions kestrel, IPEndPoint endpoint, X509Certificate2? certificate,
        GrpcServerOptions? options = null, Action<HttpsConnectionAdapterOptions>? configureHttps = null)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        if (endpoint is null)
        {
            throw new WireArgumentException("Endpoint is required.", nameof(endpoint));
        }

        if (certificate is not null && !certificate.HasPrivateKey)
        {
            throw new WireArgumentException(
                $"Server certificate '{certificate.Subject}' has no private key; TLS needs one.", nameof(certificate));
        }

        if (certificate is null && configureHttps is not null)
        {
            throw new WireArgumentException("configureHttps was given but no certificate: h2c endpoints have no TLS.", nameof(configureHttps));
        }

        Configure(kestrel, options);
        kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (certificate is not null)
            {
                var https = new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                };
                configureHttps?.Invoke(https);
                listen.UseHttps(https);
            }
        });
    }

    /// <summary>Cleartext h2c endpoint (no TLS): same as <see cref="Listen"/> with a null certificate, spelled out.</summary>
    public static void ListenInsecure(KestrelServerOptions kestrel, IPEndPoint endpoint, GrpcServerOptions? options = null)
        => Listen(kestrel, endpoint, certificate: null, options);
}
