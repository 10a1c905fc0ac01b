namespace SecureTransmit.Wire.Internal;

/// <summary>Wire constants of gRPC over HTTP/2 (grpc/doc/PROTOCOL-HTTP2.md).</summary>
internal static class GrpcProtocol
{
    // Length-Prefixed-Message, the unit carried in HTTP/2 DATA frames (a message may span frames, a frame may hold
    // several messages):
    //
    //   byte 0      Compressed-Flag  0 = message bytes as-is; 1 = compressed with the call's grpc-encoding
    //   bytes 1..4  Message-Length   uint32, big-endian, length of the message bytes that follow
    //   bytes 5..   Message          Message-Length bytes
    public const int MessageHeaderSize = 5;
    public const int CompressedFlagOffset = 0;
    public const int MessageLengthOffset = 1;
    public const byte FlagUncompressed = 0;
    public const byte FlagCompressed = 1;

    /// <summary>Receive limit grpc uses by default: 4 MiB.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    public const string ContentType = "application/grpc";
    public const string HttpMethodPost = "POST";

    // Header and trailer names.
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string ContentTypeHeader = "content-type";
    public const string TeHeader = "te";
    public const string UserAgentHeader = "user-agent";

    public const string IdentityEncoding = "identity";
    public const string GzipEncoding = "gzip";

    /// <summary>Value of grpc-accept-encoding that this library sends: it can read both.</summary>
    public const string SupportedAcceptEncoding = "identity,gzip";

    public const string UserAgent = "securetransmit-wire/1.0";

    /// <summary>True for content-type values this server accepts: application/grpc and application/grpc+proto etc.</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (contentType.Length == ContentType.Length)
        {
            return true;
        }

        char next = contentType[ContentType.Length];
        return next is '+' or ';';
    }
}
