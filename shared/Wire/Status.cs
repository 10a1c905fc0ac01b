namespace SecureTransmit.Wire;

/// <summary>The outcome of a call: a <see cref="StatusCode"/> and a human-readable detail message.</summary>
public readonly struct Status : IEquatable<Status>
{
    /// <summary>The status of a call that completed successfully.</summary>
    public static readonly Status DefaultSuccess = new(StatusCode.OK, "");

    /// <summary>The status of a call cancelled by the caller.</summary>
    public static readonly Status DefaultCancelled = new(StatusCode.Cancelled, "");

    /// <summary>Creates a status.</summary>
    /// <param name="statusCode">The status code.</param>
    /// <param name="detail">The detail message, sent as <c>grpc-message</c> (any Unicode text; it is percent-encoded on the wire).</param>
    /// <param name="debugException">A local exception that explains the status; never sent over the wire.</param>
    public Status(StatusCode statusCode, string? detail, Exception? debugException = null)
    {
        StatusCode = statusCode;
        Detail = detail ?? "";
        DebugException = debugException;
    }

    /// <summary>The status code.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>The detail message; empty when none.</summary>
    public string Detail { get; }

    /// <summary>A local exception that explains the status (e.g. a transport error); never sent over the wire.</summary>
    public Exception? DebugException { get; }

    /// <inheritdoc/>
    public bool Equals(Status other) => StatusCode == other.StatusCode && Detail == other.Detail;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Status other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StatusCode, Detail);

    /// <summary>Equality on code and detail.</summary>
    public static bool operator ==(Status left, Status right) => left.Equals(right);

    /// <summary>Inequality on code and detail.</summary>
    public static bool operator !=(Status left, Status right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => DebugException is null
        ? $"Status(StatusCode=\"{StatusCode}\", Detail=\"{Detail}\")"
        : $"Status(StatusCode=\"{StatusCode}\", Detail=\"{Detail}\", DebugException=\"{DebugException.GetType().Name}: {DebugException.Message}\")";
}
