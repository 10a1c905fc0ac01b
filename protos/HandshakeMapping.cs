using Google.Protobuf;
using SecureTransmit.Security;

namespace SecureTransmit.Protos.V2;

/// <summary>Moves the handshake between the protobuf messages and the Security library's records, field by field.</summary>
public static class HandshakeMapping
{
    public static OpenSessionRequest ToProto(this SessionOpenRequest r) => new()
    {
        ProtocolVersion = r.ProtocolVersion,
        SenderIdentity = ByteString.CopyFrom(r.SenderIdentity),
        SenderEphemeral = ByteString.CopyFrom(r.SenderEphemeral),
        SenderNonce = ByteString.CopyFrom(r.SenderNonce),
        ModelName = r.ModelName,
        ModelId = ByteString.CopyFrom(r.ModelId),
        CipherMode = r.CipherMode,
        SenderSignature = ByteString.CopyFrom(r.SenderSignature),
        TimestampUnixMs = r.TimestampUnixMs,
        ReceiverFingerprint = ByteString.CopyFrom(r.ReceiverFingerprint),
    };

    public static SessionOpenRequest FromProto(this OpenSessionRequest r) => new()
    {
        ProtocolVersion = r.ProtocolVersion,
        SenderIdentity = r.SenderIdentity.ToByteArray(),
        SenderEphemeral = r.SenderEphemeral.ToByteArray(),
        SenderNonce = r.SenderNonce.ToByteArray(),
        ModelName = r.ModelName,
        ModelId = r.ModelId.ToByteArray(),
        CipherMode = r.CipherMode,
        SenderSignature = r.SenderSignature.ToByteArray(),
        TimestampUnixMs = r.TimestampUnixMs,
        ReceiverFingerprint = r.ReceiverFingerprint.ToByteArray(),
    };

    public static OpenSessionResponse ToProto(this SessionOpenResponse r) => new()
    {
        SessionId = ByteString.CopyFrom(r.SessionId),
        ReceiverIdentity = ByteString.CopyFrom(r.ReceiverIdentity),
        ReceiverEphemeral = ByteString.CopyFrom(r.ReceiverEphemeral),
        ReceiverNonce = ByteString.CopyFrom(r.ReceiverNonce),
        ReceiverSignature = ByteString.CopyFrom(r.ReceiverSignature),
        ExpiresUnixMs = r.ExpiresUnixMs,
        MaxImagePixels = r.MaxImagePixels,
    };

    public static SessionOpenResponse FromProto(this OpenSessionResponse r) => new()
    {
        SessionId = r.SessionId.ToByteArray(),
        ReceiverIdentity = r.ReceiverIdentity.ToByteArray(),
        ReceiverEphemeral = r.ReceiverEphemeral.ToByteArray(),
        ReceiverNonce = r.ReceiverNonce.ToByteArray(),
        ReceiverSignature = r.ReceiverSignature.ToByteArray(),
        ExpiresUnixMs = r.ExpiresUnixMs,
        MaxImagePixels = r.MaxImagePixels,
    };
}
