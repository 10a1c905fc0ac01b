namespace SecureTransmit.Wire;

/// <summary>
/// A call that ended with a non-OK <see cref="Status"/>. A server handler throws it to choose the status (and,
/// through <see cref="Trailers"/>, extra trailing metadata) sent to the client; a client receives it when a call fails.
/// </summary>
public class RpcException : Exception
{
    /// <summary>Creates the exception with empty trailers; the message is built from the status.</summary>
    public RpcException(Status status)
        : this(status, new Metadata(), null)
    {
    }

    /// <summary>Creates the exception with the given trailers; the message is built from the status.</summary>
    public RpcException(Status status, Metadata trailers)
        : this(status, trailers, null)
    {
    }

    /// <summary>Creates the exception with trailers and an explicit exception message.</summary>
    public RpcException(Status status, Metadata trailers, string? message)
        : base(message ?? status.ToString(), status.DebugException)
    {
        ArgumentNullException.ThrowIfNull(trailers);
        Status = status;
        Trailers = trailers;
    }

    /// <summary>The status of the call.</summary>
    public Status Status { get; }

    /// <summary>The status code of the call (shortcut for <c>Status.StatusCode</c>).</summary>
    public StatusCode StatusCode => Status.StatusCode;

    /// <summary>Trailing metadata: received from the server (client side) or to send to the client (server side).</summary>
    public Metadata Trailers { get; }
}
