using Google.Protobuf;
using Grpc.Core;
using SecureTransmit.Protos.V2;

namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// The method descriptors the receiver binds its two services with: the generated services' names, types and
/// protobuf serialization, but a request deserializer that answers bytes which are not the request message with
/// INVALID_ARGUMENT (one line, no stack trace in the log) instead of the UNKNOWN "Exception was thrown by handler" that
/// an exception escaping the generated marshaller becomes. Used through <see cref="BindServiceMethodAttribute"/> on
/// <see cref="HandshakeService"/> and <see cref="UploadService"/>; the gRPC framing stays Grpc.AspNetCore's.
/// </summary>
internal static class StrictBinding
{
    public static readonly Method<OpenSessionRequest, OpenSessionResponse> OpenSession = new(
        MethodType.Unary, Handshake.Descriptor.FullName, "OpenSession", Strict(OpenSessionRequest.Parser), Plain(OpenSessionResponse.Parser));

    public static readonly Method<UploadRequest, Receipt> Upload = new(
        MethodType.DuplexStreaming, Transmit.Descriptor.FullName, "Upload", Strict(UploadRequest.Parser), Plain(Receipt.Parser));

    private static Marshaller<T> Plain<T>(MessageParser<T> parser) where T : IMessage<T> =>
        Marshallers.Create(m => m.ToByteArray(), parser.ParseFrom);

    private static Marshaller<T> Strict<T>(MessageParser<T> parser) where T : IMessage<T> =>
        Marshallers.Create(m => m.ToByteArray(), bytes =>
        {
            try
            {
                return parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"the request is not a valid {typeof(T).Name} message"));
            }
        });
}
