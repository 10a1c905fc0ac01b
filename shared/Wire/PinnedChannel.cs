using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using SecureTransmit.Security;

namespace SecureTransmit.Wire;

/// <summary>Settings of a client channel; setters validate.</summary>
public sealed class ChannelSettings
{
    private TimeSpan _connectTimeout = TimeSpan.FromSeconds(10);
    private int _maxReceive = 64 * 1024;

    /// <summary>TCP (and TLS) connect time limit. Default 10 s; [100 ms, 5 min].</summary>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        set => _connectTimeout = value >= TimeSpan.FromMilliseconds(100) && value <= TimeSpan.FromMinutes(5) ? value
            : throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), value, "must be in [100 ms, 5 min]");
    }

    /// <summary>Largest message the client accepts from the server. Default 65,536; [1 KiB, 64 MiB].</summary>
    public int MaxReceiveMessageSize
    {
        get => _maxReceive;
        set => _maxReceive = value is >= 1024 and <= 64 * 1024 * 1024 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxReceiveMessageSize), value, "must be in [1024, 64 MiB]");
    }

    /// <summary>Largest message the client sends. Default 67,584 (one upload chunk and its framing).</summary>
    public int MaxSendMessageSize { get; set; } = 64 * 1024 + 1024;
}

/// <summary>
/// A Grpc.Net.Client channel to a receiver. Over https the receiver's certificate is accepted only when its public key
/// (SPKI) has the pinned fingerprint — a new certificate for the same identity is fine, any other key is refused
/// before a byte of the handshake is sent. Over http it is h2c (cleartext; tests only).
/// </summary>
public static class PinnedChannel
{
    public static GrpcChannel Create(Uri address, Fingerprint? pin, ChannelSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        settings ??= new ChannelSettings();
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = false,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectTimeout = settings.ConnectTimeout,
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (address.Scheme == Uri.UriSchemeHttps)
        {
            if (pin is null) throw new ArgumentException("an https channel needs the receiver's fingerprint to pin", nameof(pin));
            handler.SslOptions.EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
                cert is not null && TlsCertificates.MatchesPin(cert as X509Certificate2 ?? new X509Certificate2(cert), pin);
        }
        else if (address.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"'{address}' is not an http:// or https:// address", nameof(address));
        }
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = settings.MaxReceiveMessageSize,
            MaxSendMessageSize = settings.MaxSendMessageSize,
            MaxRetryAttempts = 0,
        });
    }
}
