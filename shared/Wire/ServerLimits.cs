namespace SecureTransmit.Wire;

/// <summary>
/// What an unauthenticated peer may hold on the receiver's gRPC endpoint. Every setter validates its value and throws
/// <see cref="ArgumentOutOfRangeException"/> naming the setting. The defaults bound the request data that peers without
/// a key can make the receiver buffer to <see cref="UnauthenticatedBufferBound"/> (64 MiB):
/// <see cref="MaxConnections"/> × <see cref="InitialConnectionWindowSize"/>, since HTTP/2 flow control lets a peer send
/// no more than the connection window before the server has consumed it, and the gRPC layer refuses any message larger
/// than its method's limit from the message's 5-byte prefix.
/// </summary>
public sealed class ServerLimits
{
    private int _maxConnections = 512;
    private int _maxConnectionsPerAddress = 64;
    private int _maxStreams = 4;
    private int _connectionWindow = 128 * 1024;
    private int _streamWindow = 96 * 1024;
    private TimeSpan _idle = TimeSpan.FromSeconds(10);
    private TimeSpan _tlsHandshake = TimeSpan.FromSeconds(5);
    private TimeSpan _firstMessage = TimeSpan.FromSeconds(5);
    private TimeSpan _unary = TimeSpan.FromSeconds(10);

    /// <summary>Open connections at once, all peers together; more are closed at accept. Default 512; [1, 100 000].</summary>
    public int MaxConnections
    {
        get => _maxConnections;
        set => _maxConnections = Check(value, 1, 100_000, nameof(MaxConnections));
    }

    /// <summary>
    /// Open connections from one IP address; more are closed at accept with one log line. Default 64; [1, 100 000].
    /// A sender uses one.
    /// </summary>
    public int MaxConnectionsPerAddress
    {
        get => _maxConnectionsPerAddress;
        set => _maxConnectionsPerAddress = Check(value, 1, 100_000, nameof(MaxConnectionsPerAddress));
    }

    /// <summary>Concurrent calls (HTTP/2 streams) per connection. Default 4 (a sender uses 2); [1, 1000].</summary>
    public int MaxStreamsPerConnection
    {
        get => _maxStreams;
        set => _maxStreams = Check(value, 1, 1000, nameof(MaxStreamsPerConnection));
    }

    /// <summary>
    /// HTTP/2 connection flow-control window: request bytes one connection may have in flight, all streams together.
    /// Default 131,072; [65,535, 16 MiB].
    /// </summary>
    public int InitialConnectionWindowSize
    {
        get => _connectionWindow;
        set => _connectionWindow = Check(value, 65_535, 16 * 1024 * 1024, nameof(InitialConnectionWindowSize));
    }

    /// <summary>
    /// HTTP/2 stream window: request bytes one call may have in flight. Default 98,304 (one 66 KiB upload message fits);
    /// [65,535, 16 MiB]; at most <see cref="InitialConnectionWindowSize"/>.
    /// </summary>
    public int InitialStreamWindowSize
    {
        get => _streamWindow;
        set => _streamWindow = Check(value, 65_535, 16 * 1024 * 1024, nameof(InitialStreamWindowSize));
    }

    /// <summary>A connection with no call open (also one that never sent a request) is closed after this. Default 10 s; [1 s, 1 h].</summary>
    public TimeSpan IdleConnectionTimeout
    {
        get => _idle;
        set => _idle = Check(value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), nameof(IdleConnectionTimeout));
    }

    /// <summary>Longest a TLS handshake may take. Default 5 s; [1 s, 5 min].</summary>
    public TimeSpan TlsHandshakeTimeout
    {
        get => _tlsHandshake;
        set => _tlsHandshake = Check(value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), nameof(TlsHandshakeTimeout));
    }

    /// <summary>
    /// A streaming call must deliver its first message (the upload hello that proves the session key) within this, or
    /// it ends with DEADLINE_EXCEEDED. Default 5 s; [100 ms, 5 min].
    /// </summary>
    public TimeSpan FirstMessageTimeout
    {
        get => _firstMessage;
        set => _firstMessage = Check(value, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5), nameof(FirstMessageTimeout));
    }

    /// <summary>
    /// Longest a unary call (OpenSession, health, reflection) may take, request included: caps the client's own
    /// deadline. Default 10 s; [1 s, 1 h].
    /// </summary>
    public TimeSpan UnaryTimeout
    {
        get => _unary;
        set => _unary = Check(value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), nameof(UnaryTimeout));
    }

    /// <summary>Bytes of request data peers without a key can make the receiver hold: connections × connection window.</summary>
    public long UnauthenticatedBufferBound => (long)MaxConnections * InitialConnectionWindowSize;

    /// <summary>Checks the settings together (the stream window fits in the connection window).</summary>
    public void Validate()
    {
        if (InitialStreamWindowSize > InitialConnectionWindowSize)
            throw new ArgumentOutOfRangeException(nameof(InitialStreamWindowSize), InitialStreamWindowSize,
                $"must be at most InitialConnectionWindowSize ({InitialConnectionWindowSize})");
        if (MaxConnectionsPerAddress > MaxConnections)
            throw new ArgumentOutOfRangeException(nameof(MaxConnectionsPerAddress), MaxConnectionsPerAddress,
                $"must be at most MaxConnections ({MaxConnections})");
    }

    private static int Check(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw new ArgumentOutOfRangeException(name, value, $"must be in [{min}, {max}]");

    private static TimeSpan Check(TimeSpan value, TimeSpan min, TimeSpan max, string name) =>
        value >= min && value <= max ? value : throw new ArgumentOutOfRangeException(name, value, $"must be in [{min}, {max}]");
}
