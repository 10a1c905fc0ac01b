namespace SecureTransmit.Wire;

/// <summary>
/// Server settings. The message-size and error settings apply to <see cref="GrpcEndpointRouteBuilderExtensions.MapGrpcService"/>;
/// the HTTP/2 settings are applied to Kestrel by <see cref="KestrelGrpc.Configure"/> / <see cref="KestrelGrpc.Listen"/>.
/// Every setter validates its value and throws <see cref="WireArgumentException"/> for a bad one.
/// </summary>
public sealed class GrpcServerOptions
{
    /// <summary>Default <see cref="MaxReceiveMessageSize"/>: 4 MiB, grpc's default.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>Default <see cref="Http2InitialConnectionWindowSize"/>: 16 MiB (Kestrel's own default is 128 KiB).</summary>
    public const int DefaultHttp2InitialConnectionWindowSize = 16 * 1024 * 1024;

    /// <summary>Default <see cref="Http2InitialStreamWindowSize"/>: 8 MiB (Kestrel's own default is 96 KiB).</summary>
    public const int DefaultHttp2InitialStreamWindowSize = 8 * 1024 * 1024;

    /// <summary>Default <see cref="MaxStreamsPerConnection"/>: 100 concurrent calls per connection.</summary>
    public const int DefaultMaxStreamsPerConnection = 100;

    /// <summary>HTTP/2's smallest legal flow-control window (65,535 bytes).</summary>
    public const int MinHttp2WindowSize = 65_535;

    private int? _maxReceiveMessageSize = DefaultMaxReceiveMessageSize;
    private int? _maxSendMessageSize;
    private int _connectionWindow = DefaultHttp2InitialConnectionWindowSize;
    private int _streamWindow = DefaultHttp2InitialStreamWindowSize;
    private int _maxStreams = DefaultMaxStreamsPerConnection;
    private TimeSpan _keepAlivePingDelay = TimeSpan.FromSeconds(60);
    private TimeSpan _keepAlivePingTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Largest request message accepted, in bytes (after decompression); a larger one fails the call with
    /// RESOURCE_EXHAUSTED. Default 4 MiB; null = no limit; otherwise ≥ 1.
    /// </summary>
    public int? MaxReceiveMessageSize
    {
        get => _maxReceiveMessageSize;
        set => _maxReceiveMessageSize = ValidateSize(value, nameof(MaxReceiveMessageSize));
    }

    /// <summary>
    /// Largest response message a handler may send, in bytes; a larger one throws RpcException RESOURCE_EXHAUSTED from
    /// the write. Default null = no limit (grpc's default); otherwise ≥ 1.
    /// </summary>
    public int? MaxSendMessageSize
    {
        get => _maxSendMessageSize;
        set => _maxSendMessageSize = ValidateSize(value, nameof(MaxSendMessageSize));
    }

    /// <summary>
    /// When true, a handler exception that is not an RpcException is reported to the client with its message.
    /// Default false: the client sees only "Exception was thrown by handler." (status UNKNOWN).
    /// </summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>HTTP/2 connection-level receive window, bytes. Default 16 MiB; 65,535 ≤ value ≤ 2^31-1.</summary>
    public int Http2InitialConnectionWindowSize
    {
        get => _connectionWindow;
        set => _connectionWindow = ValidateWindow(value, nameof(Http2InitialConnectionWindowSize));
    }

    /// <summary>
    /// HTTP/2 per-stream receive window, bytes. Default 8 MiB; 65,535 ≤ value ≤ <see cref="Http2InitialConnectionWindowSize"/>
    /// (checked by <see cref="Validate"/>).
    /// </summary>
    public int Http2InitialStreamWindowSize
    {
        get => _streamWindow;
        set => _streamWindow = ValidateWindow(value, nameof(Http2InitialStreamWindowSize));
    }

    /// <summary>Concurrent calls (HTTP/2 streams) per connection. Default 100; ≥ 1.</summary>
    public int MaxStreamsPerConnection
    {
        get => _maxStreams;
        set
        {
            if (value < 1)
            {
                throw new WireArgumentException($"MaxStreamsPerConnection must be ≥ 1 (got {value}).", nameof(MaxStreamsPerConnection));
            }

            _maxStreams = value;
        }
    }

    /// <summary>
    /// Idle time after which the server sends an HTTP/2 PING to check the connection. Default 60 s;
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables pings; otherwise ≥ 1 s.
    /// </summary>
    public TimeSpan KeepAlivePingDelay
    {
        get => _keepAlivePingDelay;
        set => _keepAlivePingDelay = ValidatePing(value, nameof(KeepAlivePingDelay));
    }

    /// <summary>Time to wait for a PING ack before closing the connection. Default 20 s; infinite or ≥ 1 s.</summary>
    public TimeSpan KeepAlivePingTimeout
    {
        get => _keepAlivePingTimeout;
        set => _keepAlivePingTimeout = ValidatePing(value, nameof(KeepAlivePingTimeout));
    }

    /// <summary>Checks the settings that depend on each other; throws <see cref="WireArgumentException"/>.</summary>
    public void Validate()
    {
        if (_streamWindow > _connectionWindow)
        {
            throw new WireArgumentException(
                $"Http2InitialStreamWindowSize ({_streamWindow}) must not exceed Http2InitialConnectionWindowSize ({_connectionWindow}).",
                nameof(Http2InitialStreamWindowSize));
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

    private static int ValidateWindow(int value, string name)
    {
        if (value < MinHttp2WindowSize)
        {
            throw new WireArgumentException($"{name} must be between {MinHttp2WindowSize} and {int.MaxValue} (got {value}).", name);
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
