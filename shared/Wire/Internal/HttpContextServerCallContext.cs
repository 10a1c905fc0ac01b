using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SecureTransmit.Wire.Internal;

/// <summary>Server side of one call, on top of an ASP.NET Core <see cref="HttpContext"/>.</summary>
internal sealed class HttpContextServerCallContext : ServerCallContext, IDisposable
{
    // CancellationTokenSource.CancelAfter accepts at most uint.MaxValue - 1 milliseconds (~49.7 days).
    private static readonly TimeSpan s_maxTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    private readonly HttpContext _http;
    private readonly GrpcServerOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _callCts;
    private readonly CancellationTokenSource? _deadlineCts;
    private readonly FrameBuffer _frame = new();
    private Metadata? _requestHeaders;
    private int _writePending;
    private int _readPending;
    private bool _completed;
    private bool _messageWritten;

    public HttpContextServerCallContext(HttpContext http, GrpcServerOptions options, string method, TimeSpan? timeout,
        string? requestEncoding, ILogger logger)
    {
        _http = http;
        _options = options;
        _logger = logger;
        Method = method;
        RequestEncoding = requestEncoding;
        Deadline = DateTime.MaxValue;
        if (timeout is TimeSpan t)
        {
            DateTime now = DateTime.UtcNow;
            Deadline = t >= DateTime.MaxValue - now ? DateTime.MaxValue : now + t;
            if (t <= s_maxTimer)
            {
                _deadlineCts = new CancellationTokenSource(t);
            }
        }

        _callCts = _deadlineCts is null
            ? CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted)
            : CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _deadlineCts.Token);
    }

    public override string Method { get; }

    public override string Host => _http.Request.Host.Value ?? "";

    public override string Peer => FormatPeer(_http.Connection.RemoteIpAddress, _http.Connection.RemotePort);

    public override DateTime Deadline { get; }

    public override Metadata RequestHeaders => _requestHeaders ??= BuildRequestHeaders();

    public override CancellationToken CancellationToken => _callCts.Token;

    public override Metadata ResponseTrailers { get; } = new();

    public override Status Status { get; set; } = Status.DefaultSuccess;

    public override WriteOptions? WriteOptions { get; set; }

    public string? RequestEncoding { get; }

    /// <summary>True once the deadline has passed (and the client had not already gone).</summary>
    public bool DeadlineExceeded => _deadlineCts?.IsCancellationRequested == true;

    public bool ClientAborted => _http.RequestAborted.IsCancellationRequested;

    public override HttpContext GetHttpContext() => _http;

    public override async Task WriteResponseHeadersAsync(Metadata responseHeaders)
    {
        ArgumentNullException.ThrowIfNull(responseHeaders);
        if (_http.Response.HasStarted)
        {
            throw new InvalidOperationException("Response headers can only be sent once per call, before the first message.");
        }

        foreach (Metadata.Entry entry in responseHeaders)
        {
            if (Metadata.IsReservedKey(entry.Key))
            {
                throw new WireArgumentException($"Metadata key '{entry.Key}' is reserved by the gRPC/HTTP2 protocol.", nameof(responseHeaders));
            }

            _http.Response.Headers.Append(entry.Key, MetadataHeaders.ToHeaderValue(entry));
        }

        await _http.Response.StartAsync(CancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets the headers every response starts with (before anything is sent).</summary>
    public void PrepareResponse()
    {
        HttpResponse response = _http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedAcceptEncoding;
    }

    public async ValueTask<ReadMessageResult<T>> ReadMessageAsync<T>(Marshaller<T> marshaller, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _readPending, 1) == 1)
        {
            throw new InvalidOperationException("Only one read can be pending at a time.");
        }

        try
        {
            using CancellationTokenSource? linked = cancellationToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(CancellationToken, cancellationToken)
                : null;
            PipeReader reader = _http.Request.BodyReader;
            return await MessageFraming.ReadMessageAsync(reader, marshaller, _options.MaxReceiveMessageSize, RequestEncoding,
                linked?.Token ?? CancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _readPending, 0);
        }
    }

    /// <summary>Reads the single request message of a unary or server-streaming call.</summary>
    public async Task<T> ReadSingleMessageAsync<T>(Marshaller<T> marshaller)
    {
        ReadMessageResult<T> first = await ReadMessageAsync(marshaller, default).ConfigureAwait(false);
        if (!first.HasMessage)
        {
            throw new RpcException(new Status(StatusCode.Internal, "The request did not contain a message."));
        }

        ReadMessageResult<T> second = await ReadMessageAsync(marshaller, default).ConfigureAwait(false);
        if (second.HasMessage)
        {
            throw new RpcException(new Status(StatusCode.Internal, "The request contained more than one message for a single-request method."));
        }

        return first.Message;
    }

    public async Task WriteMessageAsync<T>(Marshaller<T> marshaller, T message, WriteOptions? writeOptions, CancellationToken cancellationToken)
    {
        if (_completed)
        {
            throw new InvalidOperationException("Cannot write a message after the call has completed.");
        }

        if (Interlocked.Exchange(ref _writePending, 1) == 1)
        {
            throw new InvalidOperationException("Only one write can be pending at a time.");
        }

        try
        {
            CancellationToken.ThrowIfCancellationRequested();
            MessageFraming.SerializeFrame(marshaller, message, _frame, _options.MaxSendMessageSize);
            PipeWriter writer = _http.Response.BodyWriter;
            writer.Write(_frame.Frame.Span);
            _messageWritten = true;
            bool buffer = (((writeOptions ?? WriteOptions)?.Flags ?? WriteFlags.None) & WriteFlags.BufferHint) != 0;
            if (!buffer)
            {
                using CancellationTokenSource? linked = cancellationToken.CanBeCanceled
                    ? CancellationTokenSource.CreateLinkedTokenSource(CancellationToken, cancellationToken)
                    : null;
                FlushResult flush = await writer.FlushAsync(linked?.Token ?? CancellationToken).ConfigureAwait(false);
                if (flush.IsCanceled || flush.IsCompleted)
                {
                    // IsCompleted: the client no longer reads (stream reset).
                    throw new OperationCanceledException("The response stream was closed.");
                }
            }
        }
        finally
        {
            Volatile.Write(ref _writePending, 0);
        }
    }

    /// <summary>Maps what a handler threw to the status sent to the client, logging what the client must not see.</summary>
    public Status StatusFromException(Exception ex, out Metadata? trailers)
    {
        trailers = null;
        if (DeadlineExceeded && ex is not RpcException)
        {
            return new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }

        if (ClientAborted && ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            return new Status(StatusCode.Cancelled, "Call canceled by the client.");
        }

        if (ex is RpcException rpc)
        {
            trailers = rpc.Trailers;
            return rpc.Status;
        }

        if (ex is BadHttpRequestException bad)
        {
            // Kestrel rejected the request body (e.g. a MaxRequestBodySize set outside this library).
            return bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? new Status(StatusCode.ResourceExhausted, "The request body exceeds the server's size limit.")
                : new Status(StatusCode.Internal, "Bad request: " + bad.Message);
        }

        _logger.LogError(ex, "gRPC handler for {Method} threw an exception.", Method);
        string detail = _options.EnableDetailedErrors
            ? $"Exception was thrown by handler. {ex.GetType().Name}: {ex.Message}"
            : "Exception was thrown by handler.";
        return new Status(StatusCode.Unknown, detail);
    }

    /// <summary>Sends the final status: as trailers, or as a Trailers-Only response when nothing was sent yet.</summary>
    public void EndCall(Status status, Metadata? extraTrailers)
    {
        _completed = true;
        if (DeadlineExceeded && status.StatusCode == StatusCode.OK)
        {
            // The deadline passed before the handler finished: the call failed even if the handler returned normally.
            status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }

        if (ClientAborted)
        {
            return; // The stream is reset; there is nobody to send a status to.
        }

        HttpResponse response = _http.Response;
        if (!response.HasStarted && !_messageWritten)
        {
            // Trailers-Only: HEADERS with END_STREAM carrying :status, content-type and the status fields.
            IHeaderDictionary headers = response.Headers;
            headers[GrpcProtocol.StatusHeader] = ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture);
            if (status.Detail.Length > 0)
            {
                headers[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(status.Detail);
            }

            AppendTrailers((k, v) => headers.Append(k, v), extraTrailers);
            return;
        }

        if (!response.SupportsTrailers())
        {
            _logger.LogWarning("Cannot send gRPC status for {Method}: the response does not support trailers.", Method);
            return;
        }

        response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture));
        if (status.Detail.Length > 0)
        {
            response.AppendTrailer(GrpcProtocol.MessageHeader, PercentEncoding.Encode(status.Detail));
        }

        AppendTrailers((k, v) => response.AppendTrailer(k, v), extraTrailers);
    }

    public void Dispose()
    {
        _callCts.Dispose();
        _deadlineCts?.Dispose();
        _frame.Dispose();
    }

    private void AppendTrailers(Action<string, string> append, Metadata? extraTrailers)
    {
        foreach (Metadata.Entry entry in ResponseTrailers)
        {
            append(entry.Key, MetadataHeaders.ToHeaderValue(entry));
        }

        if (extraTrailers is not null && !ReferenceEquals(extraTrailers, ResponseTrailers))
        {
            foreach (Metadata.Entry entry in extraTrailers)
            {
                append(entry.Key, MetadataHeaders.ToHeaderValue(entry));
            }
        }
    }

    private Metadata BuildRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> header in _http.Request.Headers)
        {
            MetadataHeaders.AddIncoming(metadata, header.Key, header.Value);
        }

        return metadata.Freeze();
    }

    internal static string FormatPeer(IPAddress? address, int port)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? $"ipv6:[{address}]:{port}"
            : $"ipv4:{address}:{port}";
    }
}
