namespace SecureTransmit.Protos.V2;

/// <summary>Sizes of the securetransmit.v2 messages that both sides enforce (see transmit.proto).</summary>
public static class TransmitLimits
{
    /// <summary>Largest <c>data</c> chunk in an UploadRequest: 65536 bytes.</summary>
    public const int MaxChunkSize = 64 * 1024;

    /// <summary>
    /// Largest Transmit/Upload message the receiver accepts: one full chunk plus 1 KiB for the protobuf tags and an
    /// ImageBegin (packet header ≤ a few hundred bytes). A message that declares more is refused with
    /// RESOURCE_EXHAUSTED from its 5-byte prefix, before any of it is buffered.
    /// </summary>
    public const int MaxUploadMessageSize = MaxChunkSize + 1024;

    /// <summary>Largest Handshake/OpenSession message: a P-256 request is about 400 bytes.</summary>
    public const int MaxHandshakeMessageSize = 4 * 1024;

    /// <summary>Largest sealed ImageMetadata (file name, sizes and a demo original PNG): 32 MiB.</summary>
    public const int MaxMetadataLength = 32 * 1024 * 1024;

    /// <summary>Longest display name, in UTF-8 bytes.</summary>
    public const int MaxFileNameBytes = 255;
}
