using System.Buffers.Binary;

namespace SecureTransmit.Security.Internal;

/// <summary>Append-only big-endian byte builder for transcripts and MAC inputs.</summary>
internal sealed class ByteBuilder
{
    private byte[] _buffer;
    private int _length;

    public ByteBuilder(int capacity = 256) => _buffer = new byte[capacity];

    public int Length => _length;

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    public ByteBuilder Raw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
        return this;
    }

    public ByteBuilder U32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
        return this;
    }

    public ByteBuilder U64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
        return this;
    }

    /// <summary>item(b) = u32be(len(b)) || b.</summary>
    public ByteBuilder Item(ReadOnlySpan<byte> bytes) => U32((uint)bytes.Length).Raw(bytes);

    public ByteBuilder ItemU32(uint value) => U32(4).U32(value);

    public ByteBuilder ItemU64(ulong value) => U32(8).U64(value);

    public ByteBuilder ItemUtf8(string text) => Item(System.Text.Encoding.UTF8.GetBytes(text));

    public byte[] ToArray() => Span.ToArray();

    private void Ensure(int extra)
    {
        if (_length + extra <= _buffer.Length) return;
        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
    }
}
