using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Runtime.InteropServices;

namespace SecureTransmit.Wire.Internal;

/// <summary>Result of reading one message: <see cref="HasMessage"/> is false at the clean end of the stream.</summary>
internal readonly record struct ReadMessageResult<T>(bool HasMessage, T Message);

/// <summary>Writes and reads Length-Prefixed-Messages (layout in <see cref="GrpcProtocol"/>).</summary>
internal static class MessageFraming
{
    /// <summary>Writes the 5-byte header: compressed flag, then the length as uint32 big-endian.</summary>
    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[GrpcProtocol.CompressedFlagOffset] = compressed ? GrpcProtocol.FlagCompressed : GrpcProtocol.FlagUncompressed;
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(GrpcProtocol.MessageLengthOffset, 4), (uint)length);
    }

    /// <summary>
    /// Serializes <paramref name="message"/> into <paramref name="frame"/> as a complete frame.
    /// Throws RpcException RESOURCE_EXHAUSTED above <paramref name="maxSendSize"/>, INTERNAL when the serializer fails.
    /// </summary>
    public static void SerializeFrame<T>(Marshaller<T> marshaller, T message, FrameBuffer frame, int? maxSendSize)
    {
        frame.Reset();
        try
        {
            marshaller.Serialize(message, frame);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Error serializing the message.", ex));
        }

        if (maxSendSize is int max && frame.PayloadLength > max)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size ({frame.PayloadLength} > {max} bytes)."));
        }

        frame.CompleteFrame();
    }

    /// <summary>
    /// Reads the next message from <paramref name="reader"/>, however the bytes are split into segments.
    /// Returns HasMessage = false when the stream ends cleanly at a message boundary.
    /// </summary>
    /// <param name="reader">The source; consumed up to the end of the returned message.</param>
    /// <param name="marshaller">Deserializes the message.</param>
    /// <param name="maxReceiveSize">Largest accepted message (after decompression); null = no limit.</param>
    /// <param name="encoding">The stream's grpc-encoding (null or "identity" when none was negotiated).</param>
    /// <param name="cancellationToken">Cancels the wait for data.</param>
    public static async ValueTask<ReadMessageResult<T>> ReadMessageAsync<T>(PipeReader reader, Marshaller<T> marshaller,
        int? maxReceiveSize, string? encoding, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            bool parsed;
            bool compressed;
            ReadOnlySequence<byte> payload;
            try
            {
                parsed = TryParseFrame(buffer, maxReceiveSize, encoding, out compressed, out payload);
            }
            catch
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }

            if (parsed)
            {
                try
                {
                    T message = Deserialize(marshaller, payload, compressed, maxReceiveSize);
                    return new ReadMessageResult<T>(true, message);
                }
                finally
                {
                    reader.AdvanceTo(payload.End);
                }
            }

            if (result.IsCompleted)
            {
                long remaining = buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (remaining == 0)
                {
                    return new ReadMessageResult<T>(false, default!);
                }

                throw new RpcException(new Status(StatusCode.Internal,
                    $"Incomplete message: the stream ended {remaining} byte(s) into a message."));
            }

            if (result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw new OperationCanceledException("The read was cancelled.");
            }

            // Nothing complete yet: keep everything, but mark it examined so the next read waits for more data.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Parses a frame at the start of <paramref name="buffer"/>. False when more bytes are needed.
    /// Throws RpcException for a message above the limit (RESOURCE_EXHAUSTED, raised as soon as the header is seen,
    /// before buffering the message), an unknown flag or a compressed message without negotiated encoding (INTERNAL).
    /// </summary>
    internal static bool TryParseFrame(in ReadOnlySequence<byte> buffer, int? maxReceiveSize, string? encoding,
        out bool compressed, out ReadOnlySequence<byte> payload)
    {
        compressed = false;
        payload = default;
        if (buffer.Length < GrpcProtocol.MessageHeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[GrpcProtocol.MessageHeaderSize];
        buffer.Slice(0, GrpcProtocol.MessageHeaderSize).CopyTo(header);
        byte flag = header[GrpcProtocol.CompressedFlagOffset];
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(GrpcProtocol.MessageLengthOffset, 4));

        if (flag == GrpcProtocol.FlagCompressed)
        {
            if (encoding is null || encoding == GrpcProtocol.IdentityEncoding)
            {
                throw new RpcException(new Status(StatusCode.Internal,
                    "Received a compressed message but the stream has no grpc-encoding."));
            }

            if (encoding != GrpcProtocol.GzipEncoding)
            {
                throw new RpcException(new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding '{encoding}'."));
            }

            compressed = true;
        }
        else if (flag != GrpcProtocol.FlagUncompressed)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Invalid message compressed flag {flag}."));
        }

        if (maxReceiveSize is int max && length > (uint)max)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"Received message exceeds the maximum configured message size ({length} > {max} bytes)."));
        }

        if (length > (uint)Array.MaxLength)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Received message of {length} bytes is too large."));
        }

        if (buffer.Length - GrpcProtocol.MessageHeaderSize < length)
        {
            return false;
        }

        payload = buffer.Slice(GrpcProtocol.MessageHeaderSize, length);
        return true;
    }

    private static T Deserialize<T>(Marshaller<T> marshaller, ReadOnlySequence<byte> payload, bool compressed, int? maxReceiveSize)
    {
        if (compressed)
        {
            byte[] plain = GzipDecompress(payload, maxReceiveSize);
            Interlocked.Increment(ref WireDiagnostics.CompressedMessagesReceived);
            payload = new ReadOnlySequence<byte>(plain);
        }

        try
        {
            return marshaller.Deserialize(payload);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize the message.", ex));
        }
    }

    private static byte[] GzipDecompress(ReadOnlySequence<byte> payload, int? maxReceiveSize)
    {
        MemoryStream input = payload.IsSingleSegment && MemoryMarshal.TryGetArray(payload.First, out ArraySegment<byte> segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(payload.ToArray(), writable: false);
        using (input)
        using (var gzip = new GZipStream(input, CompressionMode.Decompress))
        using (var output = new MemoryStream())
        {
            byte[] chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int n;
                while ((n = gzip.Read(chunk, 0, chunk.Length)) > 0)
                {
                    if (maxReceiveSize is int max && output.Length + n > max)
                    {
                        throw new RpcException(new Status(StatusCode.ResourceExhausted,
                            $"Received message exceeds the maximum configured message size after decompression (> {max} bytes)."));
                    }

                    output.Write(chunk, 0, n);
                }
            }
            catch (InvalidDataException ex)
            {
                throw new RpcException(new Status(StatusCode.Internal, "Failed to decompress the gzip message.", ex));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            return output.ToArray();
        }
    }
}

/// <summary>Process-wide counters, for tests and troubleshooting.</summary>
internal static class WireDiagnostics
{
    /// <summary>Number of gzip-compressed messages received and decompressed.</summary>
    public static long CompressedMessagesReceived;
}
