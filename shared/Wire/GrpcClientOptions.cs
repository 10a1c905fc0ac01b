using System.Security.Cryptography.X509Certificates;

namespace SecureTransmit.Wire;

/// <summary>
/// Client settings. TLS trust, in order: <see cref="ServerCertificateSha256"/> (pin: only that exact certificate is accepted,
/// chain and name are not checked), else <see cref="TrustedRootCertificate"/> (chain must end at that CA, and the name must
/// match), else the system trust store. Every setter validates its value and throws <see cref="WireArgumentException"/>.
/// </summary>
public sealed class GrpcClientOptions
{
    /// <summary>Default <see cref="MaxReceiveMessageSize"/>: 4 MiB, grpc's default.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>Default <see cref="InitialHttp2StreamWindowSize"/>: 4 MiB (SocketsHttpHandler's own default is 64 KiB).</summary>
    public const int DefaultInitialHttp2StreamWindowSize = 4 * 1024 * 1024;

    /// <summary>Largest <see cref="InitialHttp2StreamWindowSize"/> SocketsHttpHandler accepts: 16 MiB.</summary>
    public const int MaxInitialHttp2StreamWindowSize = 16 * 1024 * 1024;

    private string? _pin;
    private byte[]? _pinBytes;
    private int? _maxReceive = DefaultMaxReceiveMessageSize;
    private int? _maxSend;
    private int _streamWindow = DefaultInitialHttp2StreamWindowSize;
    private TimeSpan _connectTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan _pingDelay = TimeSpan.FromSeconds(60);
    private TimeSpan _pingTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// SHA-256 fingerprint of the server's certificate (DER), as 64 hex digits; ':' and spaces are ignored. When set, the
    /// TLS handshake accepts exactly that certificate. See <see cref="CertificateFingerprint.Sha256Hex"/>. Default null.
    /// </summary>
    public string? ServerCertificateSha256
    {
        get => _pin;
        set
        {
            if (value is null)
            {
                _pin = null;
                _pinBytes = null;
                return;
            }

            string hex = value.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
            byte[] bytes;
            try
            {
                bytes = Convert.FromHexString(hex);
            }
            catch (FormatException)
            {
                throw new WireArgumentException("ServerCertificateSha256 must be hexadecimal (64 hex digits).", nameof(ServerCertificateSha256));
            }

            if (bytes.Length != 32)
            {
                throw new WireArgumentException(
                    $"ServerCertificateSha256 must be 32 bytes (64 hex digits), got {bytes.Length} bytes.", nameof(ServerCertificateSha256));
            }

            _pin = Convert.ToHexString(bytes);
            _pinBytes = bytes;
        }
    }

    internal byte[]? ServerCertificateSha256Bytes => _pinBytes;

    /// <summary>A CA certificate that the server's chain must end at (instead of the system store). Default null.</summary>
    public X509Certificate2? TrustedRootCertificate { get; set; }

    /// <summary>Client certificate (with private key) offered for mutual TLS. Default null.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>Largest response message accepted, bytes (after decompression); larger → RESOURCE_EXHAUSTED. Default 4 MiB; null = no limit.</summary>
    public int? MaxReceiveMessageSize
    {
        get => _maxReceive;
        set => _maxReceive = ValidateSize(value, nameof(MaxReceiveMessageSize));
    }

    /// <summary>Largest request message sent, bytes; larger → RESOURCE_EXHAUSTED without sending. Default null = no limit.</summary>
    public int? MaxSendMessageSize
    {
        get => _maxSend;
        set => _maxSend = ValidateSize(value, nameof(MaxSendMessageSize));
    }

    /// <summary>Initial HTTP/2 receive window per stream, bytes. Default 4 MiB; 65,535 ≤ value ≤ 16 MiB.</summary>
    public int InitialHttp2StreamWindowSize
    {
        get => _streamWindow;
        set
        {
            if (value < 65_535 || value > MaxInitialHttp2StreamWindowSize)
            {
                throw new WireArgumentException(
                    $"InitialHttp2StreamWindowSize must be between 65535 and {MaxInitialHttp2StreamWindowSize} (got {value}).",
                    nameof(InitialHttp2StreamWindowSize));
            }

            _streamWindow = value;
        }
    }

    /// <summary>Open another HTTP/2 connection when one reaches the server's stream limit. Default true.</summary>
    public bool EnableMultipleHttp2Connections { get; set; } = true;

    /// <summary>Time allowed to connect (TCP + TLS). Default 10 s; &gt; 0 or infinite.</summary>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        set
        {
            if (value != Timeout.InfiniteTimeSpan && value <= TimeSpan.Zero)
            {
                throw new WireArgumentException($"ConnectTimeout must be > 0 or infinite (got {value}).", nameof(ConnectTimeout));
            }

            _connectTimeout = value;
        }
    }

    /// <summary>Idle time before an HTTP/2 PING while calls are active. Default 60 s; infinite disables; otherwise ≥ 1 s.</summary>
    public TimeSpan KeepAlivePingDelay
    {
        get => _pingDelay;
        set => _pingDelay = ValidatePing(value, nameof(KeepAlivePingDelay));
    }

    /// <summary>Time to wait for the PING ack before the connection is closed. Default 20 s; infinite or ≥ 1 s.</summary>
    public TimeSpan KeepAlivePingTimeout
    {
        get => _pingTimeout;
        set => _pingTimeout = ValidatePing(value, nameof(KeepAlivePingTimeout));
    }

    /// <summary>Use the system HTTP proxy (HTTP_PROXY etc.). Default false: gRPC connects directly.</summary>
    public bool UseProxy { get; set; }

    /// <summary>
    /// A handler to send requests through instead of the built-in SocketsHttpHandler (tests, custom transports). When set,
    /// the TLS, window, ping, proxy and connect settings above are not used. The client does not dispose it.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    internal void Validate(Uri address)
    {
        bool tlsSettings = _pinBytes is not null || TrustedRootCertificate is not null || ClientCertificate is not null;
        if (address.Scheme == Uri.UriSchemeHttp && tlsSettings && HttpHandler is null)
        {
            throw new WireArgumentException(
                $"Address '{address}' is http:// (h2c, no TLS) but TLS settings were given; use https://.", nameof(address));
        }

        if (ClientCertificate is not null && !ClientCertificate.HasPrivateKey)
        {
            throw new WireArgumentException($"Client certificate '{ClientCertificate.Subject}' has no private key.", nameof(ClientCertificate));
        }
    }

    private static int? ValidateSize(int? value, string name)
    {
        if (value is < 1)
        {
            throw new WireArgumentException($"{name} must be ≥ 1 or null for no limit (got {value}).", name);
        }

        return value;
    }

    private static TimeSpan ValidatePing(TimeSpan value, string name)
    {
        if (value != Timeout.InfiniteTimeSpan && value < TimeSpan.FromSeconds(1))
        {
            throw new WireArgumentException($"{name} must be ≥ 1 s or Timeout.InfiniteTimeSpan (got {value}).", name);
        }

        return value;
    }
}
