"""Message classes built at run time from a serialized FileDescriptorSet the C# test writes (descriptors.pb):
securetransmit/v2/transmit.proto, grpc/health/v1/health.proto and grpc/reflection/v1alpha/reflection.proto, exactly as
compiled into the .NET assemblies. No generated python code and no grpc_tools are needed."""
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def load(path):
    fds = descriptor_pb2.FileDescriptorSet()
    with open(path, "rb") as f:
        fds.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fd in fds.file:
        pool.Add(fd)
    factory = message_factory.MessageFactory(pool)

    def cls(name):
        return factory.GetPrototype(pool.FindMessageTypeByName(name))
    return cls


def unary(channel, path, request, response_cls, timeout=15):
    return channel.unary_unary(path, request_serializer=lambda m: m.SerializeToString(),
                               response_deserializer=response_cls.FromString)(request, timeout=timeout)
