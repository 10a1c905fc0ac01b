namespace SecureTransmit.Wire.Internal;

/// <summary>
/// Status mappings from grpc/doc/http-grpc-status-mapping.md and PROTOCOL-HTTP2.md, used only when a response carries no
/// grpc-status (e.g. from an intermediary) or when the stream is reset.
/// </summary>
internal static class HttpStatusMapping
{
    /// <summary>HTTP status of a response without grpc-status → gRPC status code.</summary>
    public static StatusCode FromHttpStatus(int httpStatus) => httpStatus switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>HTTP/2 RST_STREAM / GOAWAY error code → gRPC status code.</summary>
    public static StatusCode FromHttp2ErrorCode(long errorCode) => errorCode switch
    {
        0x7 => StatusCode.Unavailable,        // REFUSED_STREAM: safe to retry
        0x8 => StatusCode.Cancelled,          // CANCEL
        0xB => StatusCode.ResourceExhausted,  // ENHANCE_YOUR_CALM
        0xC => StatusCode.PermissionDenied,   // INADEQUATE_SECURITY
        _ => StatusCode.Internal,             // NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR, ...
    };
}
