using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SecureTransmit.Wire.Tests.Infrastructure;

/// <summary>Raw-bytes methods of the wiretest.Echo test service (same paths as python/echo_server.py).</summary>
internal static class EchoMethods
{
    private const string Service = "wiretest.Echo";

    public static readonly Method<byte[], byte[]> Unary = Create(MethodType.Unary, "Unary");
    public static readonly Method<byte[], byte[]> ClientStream = Create(MethodType.ClientStreaming, "ClientStream");
    public static readonly Method<byte[], byte[]> ServerStream = Create(MethodType.ServerStreaming, "ServerStream");
    public static readonly Method<byte[], byte[]> Bidi = Create(MethodType.DuplexStreaming, "Bidi");
    public static readonly Method<byte[], byte[]> Fail = Create(MethodType.Unary, "Fail");
    public static readonly Method<byte[], byte[]> Sleep = Create(MethodType.Unary, "Sleep");
    public static readonly Method<byte[], byte[]> Deadline = Create(MethodType.Unary, "Deadline");
    public static readonly Method<byte[], byte[]> Metadata = Create(MethodType.Unary, "Metadata");

    // Only in the C# service.
    public static readonly Method<byte[], byte[]> Throw = Create(MethodType.Unary, "Throw");
    public static readonly Method<byte[], byte[]> WaitForCancel = Create(MethodType.ServerStreaming, "WaitForCancel");
    public static readonly Method<byte[], byte[]> BidiFailAfter = Create(MethodType.DuplexStreaming, "BidiFailAfter");
    public static readonly Method<byte[], byte[]> CallInfo = Create(MethodType.Unary, "CallInfo");

    // Never implemented anywhere.
    public static readonly Method<byte[], byte[]> Nope = Create(MethodType.Unary, "Nope");
    public static readonly Method<byte[], byte[]> NopeService = new(MethodType.Unary, "wiretest.Nope", "Unary", Marshallers.Bytes, Marshallers.Bytes);

    private static Method<byte[], byte[]> Create(MethodType type, string name) => new(type, Service, name, Marshallers.Bytes, Marshallers.Bytes);
}

/// <summary>The C# implementation of wiretest.Echo, recording what the handlers observed.</summary>
internal sealed class EchoService
{
    /// <summary>Set when a Sleep handler's cancellation token fired (deadline or client cancel).</summary>
    public TaskCompletionSource SleepCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when a WaitForCancel handler's cancellation token fired.</summary>
    public TaskCompletionSource WaitCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The grpc-encoding header of each Unary request ("" when absent).</summary>
    public ConcurrentQueue<string> UnaryEncodings { get; } = new();

    public static string ClientStreamSummary(IEnumerable<byte[]> messages)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int count = 0;
        long total = 0;
        foreach (byte[] m in messages)
        {
            count++;
            total += m.Length;
            hash.AppendData(m);
        }

        return $"count={count};bytes={total};sha256={Convert.ToHexStringLower(hash.GetHashAndReset())}";
    }

    public ServerServiceDefinition Build() => ServerServiceDefinition.CreateBuilder()
        .AddUnary(EchoMethods.Unary, (request, context) =>
        {
            UnaryEncodings.Enqueue(context.GetHttpContext().Request.Headers["grpc-encoding"].ToString());
            return Task.FromResult(request);
        })
        .AddClientStreaming(EchoMethods.ClientStream, async (requests, context) =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            int count = 0;
            long total = 0;
            await foreach (byte[] m in requests.ReadAllAsync(context.CancellationToken))
            {
                count++;
                total += m.Length;
                hash.AppendData(m);
            }

            return Encoding.ASCII.GetBytes($"count={count};bytes={total};sha256={Convert.ToHexStringLower(hash.GetHashAndReset())}");
        })
        .AddServerStreaming(EchoMethods.ServerStream, async (request, responses, context) =>
        {
            string[] parts = Encoding.ASCII.GetString(request).Split(',');
            int count = int.Parse(parts[0], CultureInfo.InvariantCulture);
            int size = int.Parse(parts[1], CultureInfo.InvariantCulture);
            for (int i = 0; i < count; i++)
            {
                byte[] message = new byte[size];
                Array.Fill(message, (byte)(i % 256));
                await responses.WriteAsync(message);
            }
        })
        .AddDuplexStreaming(EchoMethods.Bidi, async (requests, responses, context) =>
        {
            await foreach (byte[] m in requests.ReadAllAsync(context.CancellationToken))
            {
                await responses.WriteAsync(m);
            }
        })
        .AddUnary(EchoMethods.Fail, (request, context) =>
        {
            string text = Encoding.UTF8.GetString(request);
            int bar = text.IndexOf('|');
            var code = (StatusCode)int.Parse(text.AsSpan(0, bar), CultureInfo.InvariantCulture);
            context.ResponseTrailers.Add("fail-info", "yes");
            context.ResponseTrailers.Add("fail-info-bin", [0x00, 0xFF]);
            throw new RpcException(new Status(code, text[(bar + 1)..]));
        })
        .AddUnary(EchoMethods.Sleep, async (request, context) =>
        {
            int ms = int.Parse(Encoding.ASCII.GetString(request), CultureInfo.InvariantCulture);
            try
            {
                await Task.Delay(ms, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                SleepCancelled.TrySetResult();
                throw;
            }

            return "slept"u8.ToArray();
        })
        .AddUnary(EchoMethods.Deadline, (request, context) =>
        {
            string reply = context.Deadline == DateTime.MaxValue
                ? "none"
                : ((long)(context.Deadline - DateTime.UtcNow).TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            return Task.FromResult(Encoding.ASCII.GetBytes(reply));
        })
        .AddUnary(EchoMethods.Metadata, async (request, context) =>
        {
            var headers = new Metadata();
            foreach (Metadata.Entry entry in context.RequestHeaders.Where(e => e.Key.StartsWith("x-", StringComparison.Ordinal)))
            {
                headers.Add(entry);
                context.ResponseTrailers.Add(entry.IsBinary
                    ? new Metadata.Entry("t-" + entry.Key, entry.ValueBytes)
                    : new Metadata.Entry("t-" + entry.Key, entry.Value));
            }

            await context.WriteResponseHeadersAsync(headers);
            return [];
        })
        .AddUnary(EchoMethods.Throw, (request, context) =>
            throw new InvalidOperationException("secret detail: connection string Password=hunter2"))
        .AddServerStreaming(EchoMethods.WaitForCancel, async (request, responses, context) =>
        {
            await responses.WriteAsync("started"u8.ToArray());
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                WaitCancelled.TrySetResult();
                throw;
            }
        })
        .AddDuplexStreaming(EchoMethods.BidiFailAfter, async (requests, responses, context) =>
        {
            // Echoes two messages, then fails while the client may still be sending.
            int n = 0;
            await foreach (byte[] m in requests.ReadAllAsync(context.CancellationToken))
            {
                await responses.WriteAsync(m);
                if (++n == 2)
                {
                    throw new RpcException(new Status(StatusCode.Aborted, "stopped after two"));
                }
            }
        })
        .AddUnary(EchoMethods.CallInfo, (request, context) =>
        {
            string? clientCert = context.GetHttpContext().Connection.ClientCertificate?.Subject;
            string info = $"method={context.Method};peer={context.Peer};host={context.Host};clientcert={clientCert ?? "none"}";
            return Task.FromResult(Encoding.UTF8.GetBytes(info));
        })
        .Build();
}
