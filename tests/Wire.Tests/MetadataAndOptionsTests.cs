using SecureTransmit.Wire.Internal;

namespace SecureTransmit.Wire.Tests;

public sealed class MetadataAndOptionsTests
{
    [Fact]
    public void Keys_are_lower_cased_and_values_kept()
    {
        var md = new Metadata().Add("X-Trace-Id", "abc").Add("Blob-Bin", [1, 2]);
        Assert.Equal("x-trace-id", md[0].Key);
        Assert.Equal("abc", md.GetValue("x-trace-id"));
        Assert.Equal(new byte[] { 1, 2 }, md.GetValueBytes("BLOB-BIN"));
        Assert.True(md[1].IsBinary);
    }

    [Theory]
    [InlineData("grpc-status")]
    [InlineData("grpc-custom")]
    [InlineData("content-type")]
    [InlineData("te")]
    [InlineData("host")]
    [InlineData("connection")]
    [InlineData("user-agent")]
    [InlineData(":path")]
    [InlineData("has space")]
    [InlineData("ümlaut")]
    [InlineData("")]
    public void Reserved_or_invalid_keys_are_rejected(string key)
    {
        Assert.Throws<WireArgumentException>(() => new Metadata().Add(key, "v"));
    }

    [Fact]
    public void Binary_and_text_values_need_matching_keys()
    {
        Assert.Throws<WireArgumentException>(() => new Metadata().Add("data-bin", "text"));
        Assert.Throws<WireArgumentException>(() => new Metadata().Add("data", [1]));
        Assert.Throws<WireArgumentException>(() => new Metadata().Add("data", "line\nbreak"));
        Assert.Throws<WireArgumentException>(() => new Metadata().Add("data", "ö"));
    }

    [Fact]
    public void Binary_values_are_copied()
    {
        byte[] bytes = [1, 2, 3];
        var md = new Metadata().Add("k-bin", bytes);
        bytes[0] = 9;
        byte[] read = md.GetValueBytes("k-bin")!;
        Assert.Equal(new byte[] { 1, 2, 3 }, read);
        read[1] = 9;
        Assert.Equal(new byte[] { 1, 2, 3 }, md.GetValueBytes("k-bin"));
    }

    [Fact]
    public void Binary_header_values_are_unpadded_base64_and_both_forms_decode()
    {
        Assert.Equal("AP8", MetadataHeaders.ToHeaderValue(new Metadata.Entry("k-bin", [0x00, 0xFF])));
        var md = new Metadata();
        MetadataHeaders.AddIncoming(md, "k-bin", ["AP8", "AP8=", "AQ,Ag"]);
        Assert.Equal([[0x00, 0xFF], [0x00, 0xFF], [0x01], [0x02]], md.Select(e => e.ValueBytes).ToArray());
        MetadataHeaders.AddIncoming(md, "grpc-status", ["0"]);
        MetadataHeaders.AddIncoming(md, "content-type", ["application/grpc"]);
        Assert.Equal(4, md.Count);
    }

    [Fact]
    public void Read_only_metadata_cannot_change()
    {
        Assert.Throws<InvalidOperationException>(() => Metadata.Empty.Add("a", "b"));
    }

    [Fact]
    public void Method_paths_and_names_are_checked()
    {
        var method = new Method<byte[], byte[]>(MethodType.DuplexStreaming, "securetransmit.v1.Receiver", "Transmit",
            Marshallers.Bytes, Marshallers.Bytes);
        Assert.Equal("/securetransmit.v1.Receiver/Transmit", method.FullName);
        Assert.Throws<WireArgumentException>(() => new Method<byte[], byte[]>(MethodType.Unary, "a/b", "M", Marshallers.Bytes, Marshallers.Bytes));
        Assert.Throws<WireArgumentException>(() => new Method<byte[], byte[]>(MethodType.Unary, "svc", "", Marshallers.Bytes, Marshallers.Bytes));
        Assert.Throws<WireArgumentException>(() => new Method<byte[], byte[]>(MethodType.Unary, "svc", "a b", Marshallers.Bytes, Marshallers.Bytes));
    }

    [Fact]
    public void Service_builder_rejects_mismatched_and_duplicate_methods()
    {
        var unary = new Method<byte[], byte[]>(MethodType.Unary, "s", "U", Marshallers.Bytes, Marshallers.Bytes);
        Assert.Throws<WireArgumentException>(() => ServerServiceDefinition.CreateBuilder()
            .AddServerStreaming(unary, (r, w, c) => Task.CompletedTask));
        Assert.Throws<WireArgumentException>(() => ServerServiceDefinition.CreateBuilder()
            .AddUnary(unary, (r, c) => Task.FromResult(r))
            .AddUnary(unary, (r, c) => Task.FromResult(r)));
    }

    [Fact]
    public void Server_options_validate_and_document_defaults()
    {
        var options = new GrpcServerOptions();
        Assert.Equal(4 * 1024 * 1024, options.MaxReceiveMessageSize);
        Assert.Null(options.MaxSendMessageSize);
        Assert.False(options.EnableDetailedErrors);
        Assert.Throws<WireArgumentException>(() => options.MaxReceiveMessageSize = 0);
        Assert.Throws<WireArgumentException>(() => options.MaxSendMessageSize = -1);
        Assert.Throws<WireArgumentException>(() => options.Http2InitialStreamWindowSize = 1000);
        Assert.Throws<WireArgumentException>(() => options.MaxStreamsPerConnection = 0);
        Assert.Throws<WireArgumentException>(() => options.KeepAlivePingDelay = TimeSpan.FromMilliseconds(10));
        options.KeepAlivePingDelay = Timeout.InfiniteTimeSpan;
        options.MaxReceiveMessageSize = null;
        options.Http2InitialConnectionWindowSize = 100_000;
        options.Http2InitialStreamWindowSize = 200_000;
        Assert.Throws<WireArgumentException>(options.Validate);
    }

    [Fact]
    public void Client_options_and_addresses_are_validated()
    {
        var options = new GrpcClientOptions();
        Assert.Throws<WireArgumentException>(() => options.ServerCertificateSha256 = "abcd");
        Assert.Throws<WireArgumentException>(() => options.ServerCertificateSha256 = new string('g', 64));
        options.ServerCertificateSha256 = string.Join(':', Enumerable.Repeat("ab", 32));
        Assert.Equal(string.Concat(Enumerable.Repeat("AB", 32)), options.ServerCertificateSha256);
        Assert.Throws<WireArgumentException>(() => options.InitialHttp2StreamWindowSize = 17 * 1024 * 1024);
        Assert.Throws<WireArgumentException>(() => options.MaxReceiveMessageSize = 0);
        Assert.Throws<WireArgumentException>(() => options.ConnectTimeout = TimeSpan.Zero);

        // TLS settings with an h2c address are a mistake, not silently ignored.
        Assert.Throws<WireArgumentException>(() => new GrpcClient(new Uri("http://127.0.0.1:5000"), options));
        Assert.Throws<WireArgumentException>(() => new GrpcClient(new Uri("ftp://127.0.0.1:5000")));
        Assert.Throws<WireArgumentException>(() => new GrpcClient(new Uri("https://127.0.0.1:5000/prefix")));
        using var client = new GrpcClient(new Uri("https://127.0.0.1:5000"), options);
        var unary = new Method<byte[], byte[]>(MethodType.Unary, "s", "U", Marshallers.Bytes, Marshallers.Bytes);
        Assert.Throws<WireArgumentException>(() => client.DuplexStreaming(unary));
    }
}
