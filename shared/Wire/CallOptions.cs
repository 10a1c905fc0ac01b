namespace SecureTransmit.Wire;

/// <summary>Flags for one message write.</summary>
[Flags]
public enum WriteFlags
{
    /// <summary>Write and flush the message at once.</summary>
    None = 0,

    /// <summary>The write may be buffered: the message is sent with the next unbuffered write, a flush, or completion.</summary>
    BufferHint = 0x1,
}

/// <summary>Options for message writes (see <see cref="WriteFlags"/>).</summary>
public sealed class WriteOptions
{
    /// <summary>Default options: every write is flushed.</summary>
    public static readonly WriteOptions Default = new();

    /// <summary>Creates write options.</summary>
    public WriteOptions(WriteFlags flags = WriteFlags.None)
    {
        Flags = flags;
    }

    /// <summary>The flags.</summary>
    public WriteFlags Flags { get; }
}

/// <summary>Per-call options of a client call: request metadata, deadline, cancellation and write options.</summary>
public readonly struct CallOptions
{
    /// <summary>Creates call options.</summary>
    /// <param name="headers">Request metadata sent as HTTP/2 headers; may be null.</param>
    /// <param name="deadline">Absolute deadline (converted to UTC); null for none. Sent as <c>grpc-timeout</c> and enforced locally.</param>
    /// <param name="cancellationToken">Cancels the call (HTTP/2 RST_STREAM); the call then fails with CANCELLED.</param>
    /// <param name="writeOptions">Default write options for request messages; may be null.</param>
    public CallOptions(Metadata? headers = null, DateTime? deadline = null, CancellationToken cancellationToken = default,
        WriteOptions? writeOptions = null)
    {
        Headers = headers;
        Deadline = deadline;
        CancellationToken = cancellationToken;
        WriteOptions = writeOptions;
    }

    /// <summary>Request metadata; null when none.</summary>
    public Metadata? Headers { get; }

    /// <summary>Absolute deadline; null when none.</summary>
    public DateTime? Deadline { get; }

    /// <summary>Token that cancels the call.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Write options for request messages; null means <see cref="WriteOptions.Default"/>.</summary>
    public WriteOptions? WriteOptions { get; }

    /// <summary>A copy with other headers.</summary>
    public CallOptions WithHeaders(Metadata? headers) => new(headers, Deadline, CancellationToken, WriteOptions);

    /// <summary>A copy with another deadline.</summary>
    public CallOptions WithDeadline(DateTime? deadline) => new(Headers, deadline, CancellationToken, WriteOptions);

    /// <summary>A copy whose deadline is now + <paramref name="timeout"/>.</summary>
    public CallOptions WithTimeout(TimeSpan timeout) => new(Headers, DateTime.UtcNow + timeout, CancellationToken, WriteOptions);

    /// <summary>A copy with another cancellation token.</summary>
    public CallOptions WithCancellationToken(CancellationToken cancellationToken) => new(Headers, Deadline, cancellationToken, WriteOptions);

    /// <summary>A copy with other write options.</summary>
    public CallOptions WithWriteOptions(WriteOptions? writeOptions) => new(Headers, Deadline, CancellationToken, writeOptions);
}
