using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SecureTransmit.Wire.Tests.Infrastructure;

namespace SecureTransmit.Wire.Tests;

/// <summary>
/// Our client against a wiretest.Echo server: the same checks run against our Kestrel server (h2c and TLS) and against
/// python grpcio's server (h2c and TLS), so both directions of interop are covered by one contract.
/// </summary>
public abstract class EchoContractTests<TTarget>(TTarget target) : IClassFixture<TTarget>
    where TTarget : EchoTargetBase
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    protected TTarget Target { get; } = target;

    protected GrpcClient Client => Target.Client;

    [Fact]
    public async Task Unary_echoes_bytes_including_empty_and_one_megabyte()
    {
        byte[] small = Enumerable.Range(0, 1024).Select(i => (byte)i).ToArray();
        byte[] big = RandomNumberGenerator.GetBytes(1024 * 1024);
        Assert.Equal(small, await Client.UnaryAsync(EchoMethods.Unary, small).WaitAsync(Timeout));
        Assert.Empty(await Client.UnaryAsync(EchoMethods.Unary, []).WaitAsync(Timeout));
        Assert.Equal(big, await Client.UnaryAsync(EchoMethods.Unary, big).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Unary_call_reports_OK_status_after_the_response()
    {
        using AsyncUnaryCall<byte[]> call = Client.Unary(EchoMethods.Unary, "x"u8.ToArray());
        Assert.Equal("x"u8.ToArray(), await call.ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_streaming_sends_every_message()
    {
        var messages = new List<byte[]>();
        for (int i = 0; i < 20; i++)
        {
            messages.Add(RandomNumberGenerator.GetBytes(i * 1000));
        }

        using AsyncClientStreamingCall<byte[], byte[]> call = Client.ClientStreaming(EchoMethods.ClientStream);
        foreach (byte[] m in messages)
        {
            await call.RequestStream.WriteAsync(m).WaitAsync(Timeout);
        }

        await call.RequestStream.CompleteAsync().WaitAsync(Timeout);
        string summary = Encoding.ASCII.GetString(await call.ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(EchoService.ClientStreamSummary(messages), summary);
        Assert.StartsWith("count=20;bytes=190000;sha256=", summary);
    }

    [Fact]
    public async Task Client_streaming_with_no_messages()
    {
        using AsyncClientStreamingCall<byte[], byte[]> call = Client.ClientStreaming(EchoMethods.ClientStream);
        await call.RequestStream.CompleteAsync().WaitAsync(Timeout);
        Assert.Equal(
            "count=0;bytes=0;sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            Encoding.ASCII.GetString(await call.ResponseAsync.WaitAsync(Timeout)));
    }

    [Fact]
    public async Task Server_streaming_receives_every_message_in_order()
    {
        using AsyncServerStreamingCall<byte[]> call = Client.ServerStreaming(EchoMethods.ServerStream, "300,10000"u8.ToArray());
        int i = 0;
        await foreach (byte[] m in call.ResponseStream.ReadAllAsync().WithCancellation(default))
        {
            Assert.Equal(10000, m.Length);
            Assert.All(m, b => Assert.Equal((byte)(i % 256), b));
            i++;
        }

        Assert.Equal(300, i);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Duplex_ping_pong_gets_each_echo_before_sending_the_next()
    {
        using AsyncDuplexStreamingCall<byte[], byte[]> call = Client.DuplexStreaming(EchoMethods.Bidi);
        for (int i = 0; i < 10; i++)
        {
            byte[] ping = Encoding.ASCII.GetBytes($"ping {i}");
            await call.RequestStream.WriteAsync(ping).WaitAsync(Timeout);
            Assert.True(await call.ResponseStream.MoveNext(default).WaitAsync(Timeout));
            Assert.Equal(ping, call.ResponseStream.Current);
        }

        await call.RequestStream.CompleteAsync().WaitAsync(Timeout);
        Assert.False(await call.ResponseStream.MoveNext(default).WaitAsync(Timeout));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Failure_carries_code_non_ascii_message_and_trailers()
    {
        const string message = "nö such thing: 100% ✓ \r\n";
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() =>
            Client.UnaryAsync(EchoMethods.Fail, Encoding.UTF8.GetBytes("5|" + message)).WaitAsync(Timeout));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal(message, ex.Status.Detail);
        Assert.Equal("yes", ex.Trailers.GetValue("fail-info"));
        Assert.Equal(new byte[] { 0x00, 0xFF }, ex.Trailers.GetValueBytes("fail-info-bin"));
    }

    [Fact]
    public async Task Every_non_OK_status_code_round_trips()
    {
        for (int code = 1; code <= 16; code++)
        {
            RpcException ex = await Assert.ThrowsAsync<RpcException>(() =>
                Client.UnaryAsync(EchoMethods.Fail, Encoding.UTF8.GetBytes($"{code}|m{code}")).WaitAsync(Timeout));
            Assert.Equal(code, (int)ex.StatusCode);
            Assert.Equal($"m{code}", ex.Status.Detail);
        }
    }

    [Fact]
    public async Task Deadline_exceeded_ends_a_slow_call()
    {
        var watch = Stopwatch.StartNew();
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() =>
            Client.UnaryAsync(EchoMethods.Sleep, "10000"u8.ToArray(), new CallOptions(deadline: DateTime.UtcNow.AddMilliseconds(300)))
                .WaitAsync(Timeout));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Deadline_already_passed_fails_without_calling()
    {
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() =>
            Client.UnaryAsync(EchoMethods.Unary, "x"u8.ToArray(), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(-1)))
                .WaitAsync(Timeout));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task Deadline_reaches_the_server_as_grpc_timeout()
    {
        byte[] reply = await Client.UnaryAsync(EchoMethods.Deadline, [], new CallOptions(deadline: DateTime.UtcNow.AddSeconds(5)))
            .WaitAsync(Timeout);
        long ms = long.Parse(Encoding.ASCII.GetString(reply), CultureInfo.InvariantCulture);
        Assert.InRange(ms, 1000, 5000);

        byte[] none = await Client.UnaryAsync(EchoMethods.Deadline, []).WaitAsync(Timeout);
        Assert.Equal("none", Encoding.ASCII.GetString(none));
    }

    [Fact]
    public async Task Metadata_flows_both_ways_including_binary()
    {
        byte[] binary = [0x00, 0x01, 0xFE, 0xFF, 0x80];
        var headers = new Metadata().Add("x-ascii", "hello world").Add("x-data-bin", binary).Add("other", "not echoed");
        using AsyncUnaryCall<byte[]> call = Client.Unary(EchoMethods.Metadata, [], new CallOptions(headers));
        Metadata responseHeaders = await call.ResponseHeadersAsync.WaitAsync(Timeout);
        await call.ResponseAsync.WaitAsync(Timeout);

        Assert.Equal("hello world", responseHeaders.GetValue("x-ascii"));
        Assert.Equal(binary, responseHeaders.GetValueBytes("x-data-bin"));
        Assert.Null(responseHeaders.Get("other"));
        Metadata trailers = call.GetTrailers();
        Assert.Equal("hello world", trailers.GetValue("t-x-ascii"));
        Assert.Equal(binary, trailers.GetValueBytes("t-x-data-bin"));
    }

    [Fact]
    public async Task Unknown_method_and_service_are_unimplemented()
    {
        RpcException method = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(EchoMethods.Nope, []).WaitAsync(Timeout));
        Assert.Equal(StatusCode.Unimplemented, method.StatusCode);
        RpcException service = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(EchoMethods.NopeService, []).WaitAsync(Timeout));
        Assert.Equal(StatusCode.Unimplemented, service.StatusCode);
    }

    [Fact]
    public async Task Request_over_the_servers_4_MiB_limit_is_resource_exhausted()
    {
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() =>
            Client.UnaryAsync(EchoMethods.Unary, new byte[(4 * 1024 * 1024) + 1]).WaitAsync(Timeout));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);

        // The connection is still usable afterwards.
        Assert.Equal("ok"u8.ToArray(), await Client.UnaryAsync(EchoMethods.Unary, "ok"u8.ToArray()).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Response_over_the_clients_4_MiB_limit_is_resource_exhausted()
    {
        using AsyncServerStreamingCall<byte[]> call = Client.ServerStreaming(EchoMethods.ServerStream, "1,4194305"u8.ToArray());
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(default).WaitAsync(Timeout));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Exactly_4_MiB_is_accepted_both_ways()
    {
        byte[] request = new byte[4 * 1024 * 1024];
        Assert.Equal(request.Length, (await Client.UnaryAsync(EchoMethods.Unary, request).WaitAsync(Timeout)).Length);
    }

    [Fact]
    public async Task Cancelling_a_streaming_call_reports_cancelled()
    {
        using var cts = new CancellationTokenSource();
        using AsyncServerStreamingCall<byte[]> call = Client.ServerStreaming(EchoMethods.ServerStream, "100000,1000"u8.ToArray(),
            new CallOptions(cancellationToken: cts.Token));
        Assert.True(await call.ResponseStream.MoveNext(default).WaitAsync(Timeout));
        cts.Cancel();
        RpcException ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(default).WaitAsync(Timeout))
            {
            }
        });
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    [Fact]
    public async Task Concurrent_calls_share_the_connection()
    {
        Task<byte[]>[] calls = Enumerable.Range(0, 50)
            .Select(i => Client.UnaryAsync(EchoMethods.Unary, Encoding.ASCII.GetBytes($"call {i}")))
            .ToArray();
        byte[][] results = await Task.WhenAll(calls).WaitAsync(Timeout);
        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal($"call {i}", Encoding.ASCII.GetString(results[i]));
        }
    }
}

public sealed class OurServerH2cContract(OurServerH2cTarget target) : EchoContractTests<OurServerH2cTarget>(target);

public sealed class OurServerTlsContract(OurServerTlsTarget target) : EchoContractTests<OurServerTlsTarget>(target);

public sealed class PythonServerH2cContract(PythonServerH2cTarget target) : EchoContractTests<PythonServerH2cTarget>(target);

public sealed class PythonServerTlsContract(PythonServerTlsTarget target) : EchoContractTests<PythonServerTlsTarget>(target);
