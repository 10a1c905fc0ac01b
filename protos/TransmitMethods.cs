using Google.Protobuf;
using SecureTransmit.Wire;

namespace SecureTransmit.Protos.V1;

/// <summary>The method descriptors of <c>securetransmit.v1.Transmit</c> for our hand-written gRPC layer.</summary>
public static class TransmitMethods
{
    public const string ServiceName = "securetransmit.v1.Transmit";

    /// <summary>Largest protobuf message either side accepts: a 64 KiB chunk plus framing, or a demo original.</summary>
    public const int MaxMessageSize = 16 * 1024 * 1024;

    /// <summary>Largest ciphertext chunk a sender puts in one <see cref="UploadChunk"/>.</summary>
    public const int MaxChunkSize = 64 * 1024;

    public static Marshaller<T> For<T>(MessageParser<T> parser) where T : IMessage<T> =>
        Marshallers.Create<T>(m => m.ToByteArray(), b => parser.ParseFrom(b));

    public static readonly Method<OpenSessionRequest, OpenSessionResponse> OpenSession =
        new(MethodType.Unary, ServiceName, "OpenSession", For(OpenSessionRequest.Parser), For(OpenSessionResponse.Parser));

    public static readonly Method<UploadChunk, Receipt> Upload =
        new(MethodType.DuplexStreaming, ServiceName, "Upload", For(UploadChunk.Parser), For(Receipt.Parser));

    public static readonly Method<HealthRequest, HealthResponse> Health =
        new(MethodType.Unary, ServiceName, "Health", For(HealthRequest.Parser), For(HealthResponse.Parser));
}
