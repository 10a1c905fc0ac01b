using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;
using SecureTransmit.Wire.Internal;

namespace SecureTransmit.Wire.Tests;

public sealed class FramingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Header_is_flag_then_big_endian_length()
    {
        byte[] header = new byte[5];
        MessageFraming.WriteHeader(header, compressed: false, 0x01020304);
        Assert.Equal(new byte[] { 0x00, 0x01, 0x02, 0x03, 0x04 }, header);
        MessageFraming.WriteHeader(header, compressed: true, 300);
        Assert.Equal(new byte[] { 0x01, 0x00, 0x00, 0x01, 0x2C }, header);
    }

    [Fact]
    public void Serialized_frame_holds_header_and_payload()
    {
        using var frame = new FrameBuffer();
        MessageFraming.SerializeFrame(Marshallers.Bytes, [0xAA, 0xBB, 0xCC], frame, maxSendSize: null);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 3, 0xAA, 0xBB, 0xCC }, frame.Frame.ToArray());

        // A second message reuses the buffer and starts over.
        MessageFraming.SerializeFrame(Marshallers.Bytes, [], frame, maxSendSize: null);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0 }, frame.Frame.ToArray());
    }

    [Fact]
    public void Frame_buffer_grows_for_large_messages()
    {
        using var frame = new FrameBuffer();
        byte[] big = new byte[3 * 1024 * 1024 + 7];
        big[^1] = 0x5A;
        MessageFraming.SerializeFrame(Marshallers.Bytes, big, frame, maxSendSize: null);
        Assert.Equal(5 + big.Length, frame.Frame.Length);
        Assert.Equal(0x5A, frame.Frame.Span[^1]);
        Assert.Equal(new byte[] { 0, 0x00, 0x30, 0x00, 0x07 }, frame.Frame[..5].ToArray());
    }

    [Fact]
    public void Send_limit_is_resource_exhausted()
    {
        using var frame = new FrameBuffer();
        MessageFraming.SerializeFrame(Marshallers.Bytes, new byte[10], frame, maxSendSize: 10);
        RpcException ex = Assert.Throws<RpcException>(() => MessageFraming.SerializeFrame(Marshallers.Bytes, new byte[11], frame, maxSendSize: 10));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public void Serializer_failure_is_internal()
    {
        var marshaller = new Marshaller<string>(_ => throw new FormatException("boom"), _ => "");
        using var frame = new FrameBuffer();
        RpcException ex = Assert.Throws<RpcException>(() => MessageFraming.SerializeFrame(marshaller, "x", frame, null));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Messages_are_read_across_arbitrary_segment_boundaries(int chunk)
    {
        byte[][] messages = [[], [1], Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray(), [9, 8, 7]];
        byte[] stream = messages.SelectMany(m => RawProtocolTests.Frame(m)).ToArray();
        var pipe = new Pipe();
        Task writer = Task.Run(async () =>
        {
            for (int i = 0; i < stream.Length; i += chunk)
            {
                await pipe.Writer.WriteAsync(stream.AsMemory(i, Math.Min(chunk, stream.Length - i)));
            }

            await pipe.Writer.CompleteAsync();
        });

        var read = new List<byte[]>();
        while (true)
        {
            ReadMessageResult<byte[]> r = await MessageFraming.ReadMessageAsync(pipe.Reader, Marshallers.Bytes, 4096, null, default)
                .AsTask().WaitAsync(Timeout);
            if (!r.HasMessage)
            {
                break;
            }

            read.Add(r.Message);
        }

        await writer.WaitAsync(Timeout);
        Assert.Equal(messages, read);
    }

    [Fact]
    public async Task Sequence_marshaller_receives_a_payload_written_in_two_parts()
    {
        var marshaller = new Marshaller<byte[]>((m, w) => w.Write(m), seq => seq.ToArray());
        var pipe = new Pipe(new PipeOptions(minimumSegmentSize: 16));
        byte[] payload = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        byte[] frame = RawProtocolTests.Frame(payload);
        await pipe.Writer.WriteAsync(frame.AsMemory(0, 50));
        await pipe.Writer.WriteAsync(frame.AsMemory(50));
        await pipe.Writer.CompleteAsync();

        ReadMessageResult<byte[]> r = await MessageFraming.ReadMessageAsync(pipe.Reader, marshaller, null, null, default);
        Assert.Equal(payload, r.Message);
        Assert.False((await MessageFraming.ReadMessageAsync(pipe.Reader, marshaller, null, null, default)).HasMessage);
    }

    [Fact]
    public async Task Oversized_message_is_rejected_from_its_header_alone()
    {
        var pipe = new Pipe();
        // Only the header: the reader must not wait for the 5 MiB body before refusing it.
        await pipe.Writer.WriteAsync(new byte[] { 0, 0x00, 0x50, 0x00, 0x00 });
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadMessageAsync(pipe.Reader, Marshallers.Bytes, 4 * 1024 * 1024, null, default).AsTask().WaitAsync(Timeout));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0 })]                    // partial header
    [InlineData(new byte[] { 0, 0, 0, 0, 4, 1, 2 })]        // partial message
    public async Task Stream_ending_inside_a_message_is_internal(byte[] bytes)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(bytes);
        await pipe.Writer.CompleteAsync();
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadMessageAsync(pipe.Reader, Marshallers.Bytes, null, null, default).AsTask().WaitAsync(Timeout));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    [Fact]
    public void Compressed_flag_needs_a_negotiated_encoding()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 1, 0, 0, 0, 0 });
        Assert.Equal(StatusCode.Internal, Assert.Throws<RpcException>(() =>
            MessageFraming.TryParseFrame(buffer, null, null, out _, out _)).StatusCode);
        Assert.Equal(StatusCode.Internal, Assert.Throws<RpcException>(() =>
            MessageFraming.TryParseFrame(buffer, null, "identity", out _, out _)).StatusCode);
        Assert.True(MessageFraming.TryParseFrame(buffer, null, "gzip", out bool compressed, out _));
        Assert.True(compressed);
    }

    [Fact]
    public async Task Gzip_message_is_inflated_within_the_limit()
    {
        byte[] plain = Enumerable.Range(0, 10000).Select(i => (byte)(i % 7)).ToArray();
        byte[] frame = RawProtocolTests.Frame(Gzip(plain));
        frame[0] = 1;
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(frame);
        await pipe.Writer.WriteAsync(frame);
        await pipe.Writer.CompleteAsync();
        ReadMessageResult<byte[]> r = await MessageFraming.ReadMessageAsync(pipe.Reader, Marshallers.Bytes, 10000, "gzip", default);
        Assert.Equal(plain, r.Message);
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadMessageAsync(pipe.Reader, Marshallers.Bytes, 9999, "gzip", default).AsTask());
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Corrupt_gzip_is_internal()
    {
        byte[] frame = RawProtocolTests.Frame([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
        frame[0] = 1;
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(frame);
        await pipe.Writer.CompleteAsync();
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadMessageAsync(pipe.Reader, Marshallers.Bytes, null, "gzip", default).AsTask());
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
