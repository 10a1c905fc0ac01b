using System.Buffers;
using System.Buffers.Binary;

namespace SecureTransmit.Wire.Internal;

/// <summary>
/// Growable pooled buffer that holds one Length-Prefixed-Message: the serializer writes the message after a reserved
/// 5-byte header, which <see cref="CompleteFrame"/> fills in once the length is known. Not thread-safe.
/// </summary>
internal sealed class FrameBuffer : IBufferWriter<byte>, IDisposable
{
    private const int InitialSize = 4096;

    // A buffer larger than this is handed back after each message so that one huge message does not pin memory.
    private const int RetainLimit = 1024 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _written = GrpcProtocol.MessageHeaderSize;

    /// <summary>Bytes of the message written so far (header excluded).</summary>
    public int PayloadLength => _written - GrpcProtocol.MessageHeaderSize;

    /// <summary>The complete frame (header + message); valid after <see cref="CompleteFrame"/>.</summary>
    public ReadOnlyMemory<byte> Frame => _buffer.AsMemory(0, _written);

    /// <summary>Starts a new message.</summary>
    public void Reset()
    {
        if (_buffer.Length > RetainLimit)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
        }

        _written = GrpcProtocol.MessageHeaderSize;
    }

    /// <summary>Writes the 5-byte header for the message written since <see cref="Reset"/>.</summary>
    public void CompleteFrame()
    {
        MessageFraming.WriteHeader(_buffer, compressed: false, PayloadLength);
    }

    public void Advance(int count)
    {
        if (count < 0 || _written + count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        long target = Math.Max((long)_buffer.Length * 2, (long)_written + needed);
        if (target > Array.MaxLength)
        {
            target = (long)_written + needed;
            if (target > Array.MaxLength)
            {
                throw new InsufficientMemoryException("Message too large for a single buffer.");
            }
        }

        byte[] bigger = ArrayPool<byte>.Shared.Rent((int)target);
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
