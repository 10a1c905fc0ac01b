namespace SecureTransmit.Security;

/// <summary>
/// The fields of securetransmit.v2.OpenSessionRequest, one to one (this library does not depend on the
/// generated protobuf types; the app copies fields across). Created by <see cref="HandshakeInitiator"/>.
/// </summary>
public sealed record SessionOpenRequest
{
    public uint ProtocolVersion { get; init; }

    /// <summary>Sender identity, SubjectPublicKeyInfo DER.</summary>
    public byte[] SenderIdentity { get; init; } = [];

    /// <summary>Ephemeral ECDH P-256 public key, 65-byte uncompressed point.</summary>
    public byte[] SenderEphemeral { get; init; } = [];

    /// <summary>32 random bytes.</summary>
    public byte[] SenderNonce { get; init; } = [];

    public string ModelName { get; init; } = "";

    /// <summary>SHA-256 of the decoder weights (32 bytes).</summary>
    public byte[] ModelId { get; init; } = [];

    /// <summary>"logistic" or "aes-256-gcm" (<see cref="CipherModes"/>).</summary>
    public string CipherMode { get; init; } = "";

    /// <summary>ECDSA-P256-SHA256 over the request transcript, IEEE P1363 (64 bytes).</summary>
    public byte[] SenderSignature { get; init; } = [];

    /// <summary>Sender clock, milliseconds since the Unix epoch.</summary>
    public ulong TimestampUnixMs { get; init; }

    /// <summary>SHA-256 fingerprint of the receiver this request is for (32 bytes), inside the signed transcript.</summary>
    public byte[] ReceiverFingerprint { get; init; } = [];
}

/// <summary>The fields of securetransmit.v2.OpenSessionResponse, one to one. Created by <see cref="HandshakeResponder"/>.</summary>
public sealed record SessionOpenResponse
{
    /// <summary>16 random bytes.</summary>
    public byte[] SessionId { get; init; } = [];

    /// <summary>Receiver identity, SubjectPublicKeyInfo DER.</summary>
    public byte[] ReceiverIdentity { get; init; } = [];

    /// <summary>Ephemeral ECDH P-256 public key, 65-byte uncompressed point.</summary>
    public byte[] ReceiverEphemeral { get; init; } = [];

    /// <summary>32 random bytes.</summary>
    public byte[] ReceiverNonce { get; init; } = [];

    /// <summary>ECDSA-P256-SHA256 over the full transcript (request and response), IEEE P1363 (64 bytes).</summary>
    public byte[] ReceiverSignature { get; init; } = [];

    /// <summary>Receiver clock, milliseconds since the Unix epoch, after which the session is refused.</summary>
    public ulong ExpiresUnixMs { get; init; }

    /// <summary>Largest width*height the receiver accepts.</summary>
    public uint MaxImagePixels { get; init; }
}
