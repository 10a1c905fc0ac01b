using Microsoft.AspNetCore.Http;

namespace SecureTransmit.Wire;

/// <summary>What a server handler knows about and can set on its call.</summary>
public abstract class ServerCallContext
{
    /// <summary>The full method path, e.g. <c>/securetransmit.v1.Receiver/Transmit</c>.</summary>
    public abstract string Method { get; }

    /// <summary>The <c>:authority</c> the client addressed.</summary>
    public abstract string Host { get; }

    /// <summary>The client's address, in grpc's form: <c>ipv4:127.0.0.1:50000</c> or <c>ipv6:[::1]:50000</c>.</summary>
    public abstract string Peer { get; }

    /// <summary>The call's deadline in UTC (from <c>grpc-timeout</c>); <see cref="DateTime.MaxValue"/> when none.</summary>
    public abstract DateTime Deadline { get; }

    /// <summary>The request metadata sent by the client (protocol headers excluded, <c>-bin</c> values decoded).</summary>
    public abstract Metadata RequestHeaders { get; }

    /// <summary>Cancelled when the client cancels (RST_STREAM), the connection drops, or the deadline passes.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Trailing metadata sent with the final status; handlers add entries to it.</summary>
    public abstract Metadata ResponseTrailers { get; }

    /// <summary>The status sent when the handler returns normally; defaults to OK. Throw <see cref="RpcException"/> instead to fail.</summary>
    public abstract Status Status { get; set; }

    /// <summary>Write options for the response stream; null means <see cref="Wire.WriteOptions.Default"/>.</summary>
    public abstract WriteOptions? WriteOptions { get; set; }

    /// <summary>
    /// Sends the response headers now, with <paramref name="responseHeaders"/> as custom metadata. At most once, and
    /// before the first response message (otherwise headers go out with the first message).
    /// </summary>
    public abstract Task WriteResponseHeadersAsync(Metadata responseHeaders);

    /// <summary>The ASP.NET Core request behind the call (client certificate, connection info, ...).</summary>
    public abstract HttpContext GetHttpContext();
}
