using System.Buffers;

namespace SecureTransmit.Wire;

/// <summary>
/// Turns messages of type <typeparamref name="T"/> into bytes and back. Either form of serializer/deserializer works;
/// the buffer-writer / sequence form avoids a copy. A protobuf message adapts in one line:
/// <code>Marshallers.Create&lt;Frame&gt;(m =&gt; m.ToByteArray(), Frame.Parser.ParseFrom)</code>
/// An exception thrown by the serializer or deserializer fails the call with status INTERNAL.
/// </summary>
public sealed class Marshaller<T>
{
    private readonly Func<T, byte[]>? _byteSerializer;
    private readonly Func<byte[], T>? _byteDeserializer;
    private readonly Action<T, IBufferWriter<byte>>? _bufferSerializer;
    private readonly Func<ReadOnlySequence<byte>, T>? _sequenceDeserializer;

    /// <summary>Creates a marshaller from byte-array functions.</summary>
    public Marshaller(Func<T, byte[]> serializer, Func<byte[], T> deserializer)
    {
        _byteSerializer = serializer ?? throw new WireArgumentException("Serializer is required.", nameof(serializer));
        _byteDeserializer = deserializer ?? throw new WireArgumentException("Deserializer is required.", nameof(deserializer));
    }

    /// <summary>Creates a marshaller that writes into a buffer writer and reads from a (possibly multi-segment) sequence.</summary>
    public Marshaller(Action<T, IBufferWriter<byte>> serializer, Func<ReadOnlySequence<byte>, T> deserializer)
    {
        _bufferSerializer = serializer ?? throw new WireArgumentException("Serializer is required.", nameof(serializer));
        _sequenceDeserializer = deserializer ?? throw new WireArgumentException("Deserializer is required.", nameof(deserializer));
    }

    /// <summary>Serializes <paramref name="message"/> into <paramref name="output"/>.</summary>
    public void Serialize(T message, IBufferWriter<byte> output)
    {
        if (_bufferSerializer is not null)
        {
            _bufferSerializer(message, output);
            return;
        }

        byte[] bytes = _byteSerializer!(message) ?? throw new InvalidOperationException("Serializer returned null.");
        output.Write(bytes);
    }

    /// <summary>Deserializes one message from <paramref name="payload"/>.</summary>
    public T Deserialize(ReadOnlySequence<byte> payload)
    {
        if (_sequenceDeserializer is not null)
        {
            return _sequenceDeserializer(payload);
        }

        return _byteDeserializer!(payload.ToArray());
    }

    /// <summary>Deserializes one message from <paramref name="payload"/>.</summary>
    public T Deserialize(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return _byteDeserializer is not null ? _byteDeserializer(payload) : _sequenceDeserializer!(new ReadOnlySequence<byte>(payload));
    }

    /// <summary>Serializes <paramref name="message"/> to a new byte array.</summary>
    public byte[] Serialize(T message)
    {
        if (_byteSerializer is not null)
        {
            return _byteSerializer(message);
        }

        var writer = new ArrayBufferWriter<byte>();
        _bufferSerializer!(message, writer);
        return writer.WrittenSpan.ToArray();
    }
}

/// <summary>Factory helpers for <see cref="Marshaller{T}"/>.</summary>
public static class Marshallers
{
    /// <summary>Creates a marshaller from byte-array functions.</summary>
    public static Marshaller<T> Create<T>(Func<T, byte[]> serializer, Func<byte[], T> deserializer) => new(serializer, deserializer);

    /// <summary>Creates a marshaller from buffer-writer / sequence functions (no intermediate copy).</summary>
    public static Marshaller<T> Create<T>(Action<T, IBufferWriter<byte>> serializer, Func<ReadOnlySequence<byte>, T> deserializer)
        => new(serializer, deserializer);

    /// <summary>Passes byte arrays through unchanged (raw-bytes methods).</summary>
    public static readonly Marshaller<byte[]> Bytes = new(static b => b, static b => b);
}
