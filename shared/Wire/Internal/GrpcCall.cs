using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;

namespace SecureTransmit.Wire.Internal;

/// <summary>
/// One client call over one HTTP/2 stream: sends the request (HEADERS, then DATA frames), reads response headers,
/// messages and trailers, and settles the final status exactly once. Deadline and cancellation cancel the HTTP request,
/// which makes SocketsHttpHandler reset the stream (RST_STREAM CANCEL).
/// </summary>
internal sealed class GrpcCall<TRequest, TResponse> : IClientCallState
{
    // CancellationTokenSource accepts at most uint.MaxValue - 1 ms.
    private static readonly TimeSpan s_maxTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    private readonly GrpcClient _client;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _callCts;
    private readonly CancellationTokenSource? _deadlineCts;
    private readonly CancellationTokenRegistration _cancelRegistration;
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _lock = new();
    private readonly TimeSpan? _timeout;
    private readonly bool _deadlineAlreadyPassed;
    private Task<HttpResponseMessage>? _responseTask;
    private HttpResponseMessage? _response;
    private PipeReader? _reader;
    private string? _responseEncoding;
    private StreamingRequestContent? _streamingContent;
    private volatile FinalState? _final;
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    public GrpcCall(GrpcClient client, Method<TRequest, TResponse> method, CallOptions options)
    {
        _client = client;
        Method = method;
        _options = options;
        _headers.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);

        if (options.Deadline is DateTime deadline && deadline != DateTime.MaxValue)
        {
            TimeSpan remaining = deadline.ToUniversalTime() - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                _deadlineAlreadyPassed = true;
            }
            else
            {
                _timeout = remaining;
                if (remaining <= s_maxTimer)
                {
                    _deadlineCts = new CancellationTokenSource(remaining);
                }
            }
        }

        _callCts = _deadlineCts is null
            ? CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken, _deadlineCts.Token);
        CallToken = _callCts.Token;
        _cancelRegistration = CallToken.Register(static s => ((GrpcCall<TRequest, TResponse>)s!).OnCallCancelled(), this);
    }

    public Method<TRequest, TResponse> Method { get; }

    public CancellationToken CallToken { get; }

    public WriteOptions? DefaultWriteOptions => _options.WriteOptions;

    public int? MaxSendMessageSize => _client.Options.MaxSendMessageSize;

    public Task<Metadata> ResponseHeadersAsync => _headers.Task;

    /// <summary>Starts a unary or server-streaming call with its single request message.</summary>
    public void StartSingle(TRequest request)
    {
        if (_deadlineAlreadyPassed)
        {
            Finish(DeadlineStatus(), Metadata.Empty);
            return;
        }

        byte[] frame;
        try
        {
            using var buffer = new FrameBuffer();
            MessageFraming.SerializeFrame(Method.RequestMarshaller, request, buffer, _client.Options.MaxSendMessageSize);
            frame = buffer.Frame.ToArray();
        }
        catch (RpcException ex)
        {
            Finish(ex.Status, Metadata.Empty);
            return;
        }

        _responseTask = SendAsync(CreateRequest(new SingleMessageContent(frame)));
    }

    /// <summary>Starts a client- or duplex-streaming call; messages follow through the returned content.</summary>
    public StreamingRequestContent StartStreaming()
    {
        var content = new StreamingRequestContent();
        _streamingContent = content;
        if (_deadlineAlreadyPassed)
        {
            Finish(DeadlineStatus(), Metadata.Empty);
            return content;
        }

        _responseTask = SendAsync(CreateRequest(content));
        return content;
    }

    /// <summary>Reads the next response message; at the end of the stream settles the status (throwing when not OK).</summary>
    public async Task<ReadMessageResult<TResponse>> ReadNextAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailedBeforeResponse();
        await _responseTask!.ConfigureAwait(false);
        if (_final is FinalState settled)
        {
            if (settled.Status.StatusCode == StatusCode.OK)
            {
                return new ReadMessageResult<TResponse>(false, default!);
            }

            throw settled.ToException();
        }

        using CancellationTokenSource? linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, CallToken)
            : null;
        ReadMessageResult<TResponse> result;
        try
        {
            result = await MessageFraming.ReadMessageAsync(_reader!, Method.ResponseMarshaller, _client.Options.MaxReceiveMessageSize,
                _responseEncoding, linked?.Token ?? CallToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            // A framing or size problem found locally fails the call and resets the stream, unless the call had
            // already ended (then the reason it ended is what the caller needs).
            if (_final is FinalState earlier)
            {
                throw earlier.ToException();
            }

            throw FailLocally(ex.Status);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            if (cancellationToken.IsCancellationRequested && !CallToken.IsCancellationRequested)
            {
                throw FailLocally(new Status(StatusCode.Cancelled, "Read canceled by the caller."));
            }

            // The server may have sent its trailers and then reset the stream (to stop an upload it no longer reads):
            // the transport then fails the read, but the status the server gave is already here.
            if (_final is null && _response?.TrailingHeaders is { } arrived && ReadStatus(arrived) is Status sent)
            {
                Finish(sent, TrailerMetadata(arrived));
            }

            throw _final is FinalState known ? known.ToException() : CreateExceptionFor(ex);
        }

        if (result.HasMessage)
        {
            return result;
        }

        // End of the response body: the trailers carry the status.
        HttpResponseHeaders trailing = _response!.TrailingHeaders;
        Status status = ReadStatus(trailing) ?? new Status(StatusCode.Internal, "No grpc-status found in the response trailers.");
        Finish(status, TrailerMetadata(trailing));
        DisposeResponse();
        FinalState final = _final!;
        if (final.Status.StatusCode != StatusCode.OK)
        {
            throw final.ToException();
        }

        return result;
    }

    /// <summary>Reads exactly one response message (unary and client-streaming calls).</summary>
    public async Task<TResponse> ReadSingleResponseAsync()
    {
        ReadMessageResult<TResponse> first = await ReadNextAsync(default).ConfigureAwait(false);
        if (!first.HasMessage)
        {
            var missing = new FinalState(
                new Status(StatusCode.Internal, "The server returned OK without a response message."), _final?.Trailers ?? Metadata.Empty);
            _final = missing;
            throw missing.ToException();
        }

        ReadMessageResult<TResponse> second = await ReadNextAsync(default).ConfigureAwait(false);
        if (second.HasMessage)
        {
            throw FailLocally(new Status(StatusCode.Internal, "The server returned more than one response message for a single-response method."));
        }

        return first.Message;
    }

    public Status GetStatus() => _final?.Status ?? throw new InvalidOperationException("The call has not finished yet.");

    public Metadata GetTrailers() => _final?.Trailers ?? throw new InvalidOperationException("The call has not finished yet.");

    public void ThrowIfFinished()
    {
        if (_final is FinalState final)
        {
            if (final.Status.StatusCode != StatusCode.OK)
            {
                throw final.ToException();
            }

            throw new InvalidOperationException("Cannot write: the call has already completed.");
        }
    }

    /// <summary>Fails the call with a locally decided status, resets the HTTP/2 stream, and returns the exception to throw.</summary>
    public RpcException FailLocally(Status status)
    {
        Finish(status, Metadata.Empty);
        AbortTransport();
        return _final!.ToException();
    }

    /// <summary>Settles the status for a transport exception and returns the exception to throw.</summary>
    /// <summary>The response trailers as call metadata (frozen).</summary>
    private static Metadata TrailerMetadata(HttpResponseHeaders trailing)
    {
        Metadata trailers = new();
        foreach (KeyValuePair<string, HeaderStringValues> header in trailing.NonValidated)
        {
            MetadataHeaders.AddIncoming(trailers, header.Key, header.Value);
        }

        return trailers.Freeze();
    }

    public RpcException CreateExceptionFor(Exception ex)
    {
        Finish(ResolveStatus(ex), Metadata.Empty);
        AbortTransport();
        return _final!.ToException();
    }

    /// <summary>
    /// The task that reads the single response of a client-streaming call; a failed write waits for it so that the
    /// writer reports the server's status rather than the transport symptom.
    /// </summary>
    public Task? SingleResponseTask { get; set; }

    /// <summary>
    /// How long a failed write of a duplex call waits for the response side to settle the server's status (a reader
    /// reaching the trailers) before settling the call with the transport's failure itself.
    /// </summary>
    internal static readonly TimeSpan DuplexStatusGrace = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Settles the status after a failed request write and returns the exception to throw. A write usually fails
    /// because the server ended the call (its status is in the trailers, on their way) and reset the stream: so for
    /// a client-streaming call it waits for the single response to be read, and for a duplex call it waits a moment
    /// (<see cref="DuplexStatusGrace"/>) for the caller's own reader to reach the trailers. Only then does the
    /// transport's failure become the status; settling it at once would also hand it to the reader.
    /// </summary>
    public async Task<RpcException> CreateWriteExceptionAsync(Exception ex)
    {
        if (_final is null && !CallToken.IsCancellationRequested)
        {
            Task? settled = SingleResponseTask is Task response
                ? response.WaitAsync(TimeSpan.FromSeconds(5), CallToken)
                : Method.Type == MethodType.DuplexStreaming
                    ? _settled.Task.WaitAsync(DuplexStatusGrace, CallToken)
                    : null;
            if (settled is not null)
            {
                try
                {
                    await settled.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The response's own outcome is reported through its reader; here only the settled status matters.
                }
            }
        }

        return _final is FinalState final ? final.ToException() : CreateExceptionFor(ex);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Finish(new Status(StatusCode.Cancelled, "The call was disposed before it finished."), Metadata.Empty);
        AbortTransport();
        _cancelRegistration.Dispose();
        _callCts.Dispose();
        _deadlineCts?.Dispose();
    }

    private HttpRequestMessage CreateRequest(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_client.Address, Method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        HttpRequestHeaders headers = request.Headers;
        headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        headers.TryAddWithoutValidation(GrpcProtocol.UserAgentHeader, GrpcProtocol.UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedAcceptEncoding);
        if (_timeout is TimeSpan timeout)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, TimeoutHeader.Format(timeout));
        }

        if (_options.Headers is Metadata metadata)
        {
            foreach (Metadata.Entry entry in metadata)
            {
                headers.TryAddWithoutValidation(entry.Key, MetadataHeaders.ToHeaderValue(entry));
            }
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        HttpResponseMessage response;
        try
        {
            response = await _client.Invoker.SendAsync(request, CallToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw CreateExceptionFor(ex);
        }

        lock (_lock)
        {
            if (_final is FinalState early)
            {
                // Cancelled or disposed while the request was in flight.
                response.Dispose();
                throw early.ToException();
            }

            _response = response;
        }

        var headerMetadata = new Metadata();
        foreach (KeyValuePair<string, HeaderStringValues> header in response.Headers.NonValidated)
        {
            MetadataHeaders.AddIncoming(headerMetadata, header.Key, header.Value);
        }

        headerMetadata.Freeze();
        Status? headerStatus = ReadStatus(response.Headers);

        if (response.StatusCode != HttpStatusCode.OK)
        {
            int code = (int)response.StatusCode;
            Status status = headerStatus
                ?? new Status(HttpStatusMapping.FromHttpStatus(code), $"Bad gRPC response. HTTP status code: {code}.");
            throw FailWithResponse(status, headerMetadata);
        }

        string? mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!GrpcProtocol.IsGrpcContentType(mediaType) && headerStatus is null)
        {
            throw FailWithResponse(new Status(StatusCode.Internal, $"Bad gRPC response. Invalid content-type: '{mediaType}'."), headerMetadata);
        }

        if (headerStatus is Status trailersOnly)
        {
            // Trailers-Only response: the headers are the trailers; there is no body.
            _headers.TrySetResult(headerMetadata);
            Finish(trailersOnly, headerMetadata);
            DisposeResponse();
            return response;
        }

        _responseEncoding = FirstValue(response.Headers, GrpcProtocol.EncodingHeader);
        try
        {
            Stream body = await response.Content.ReadAsStreamAsync(CallToken).ConfigureAwait(false);
            _reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
        }
        catch (Exception ex)
        {
            throw CreateExceptionFor(ex);
        }

        _headers.TrySetResult(headerMetadata);
        return response;
    }

    private RpcException FailWithResponse(Status status, Metadata trailers)
    {
        Finish(status, trailers);
        AbortTransport();
        return _final!.ToException();
    }

    private void ThrowIfFailedBeforeResponse()
    {
        if (_responseTask is null)
        {
            throw (_final ?? new FinalState(new Status(StatusCode.Internal, "The call was not started."), Metadata.Empty)).ToException();
        }
    }

    /// <summary>Records the final status (first caller wins) and ends the request body.</summary>
    private void Finish(Status status, Metadata trailers)
    {
        lock (_lock)
        {
            if (_final is not null)
            {
                return;
            }

            _final = new FinalState(status, trailers);
        }

        _settled.TrySetResult();

        if (status.StatusCode != StatusCode.OK)
        {
            _headers.TrySetException(new RpcException(status, trailers));
        }
        else
        {
            _headers.TrySetResult(Metadata.Empty);
        }

        if (_streamingContent is StreamingRequestContent content)
        {
            if (status.StatusCode == StatusCode.OK)
            {
                content.Complete();
            }
            else
            {
                content.Abort(new RpcException(status, trailers));
            }
        }
    }

    private void OnCallCancelled()
    {
        Finish(CancellationStatus(), Metadata.Empty);
        AbortTransport();
    }

    private Status CancellationStatus() => _deadlineCts?.IsCancellationRequested == true
        ? DeadlineStatus()
        : new Status(StatusCode.Cancelled, "Call canceled by the client.");

    private static Status DeadlineStatus() => new(StatusCode.DeadlineExceeded, "Deadline Exceeded");

    /// <summary>Resets the HTTP/2 stream (if the response is still open) and aborts the request body.</summary>
    private void AbortTransport()
    {
        _streamingContent?.Abort(new OperationCanceledException("The call is over."));
        DisposeResponse();
    }

    private void DisposeResponse()
    {
        HttpResponseMessage? response;
        lock (_lock)
        {
            response = _response;
        }

        try
        {
            response?.Dispose();
        }
        catch (Exception)
        {
            // Disposing a reset stream can throw; the call's status is already settled.
        }
    }

    private Status ResolveStatus(Exception ex)
    {
        if (_deadlineCts?.IsCancellationRequested == true)
        {
            return DeadlineStatus();
        }

        if (_options.CancellationToken.IsCancellationRequested)
        {
            return new Status(StatusCode.Cancelled, "Call canceled by the client.");
        }

        if (_final is FinalState settled)
        {
            return settled.Status;
        }

        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case RpcException rpc:
                    return rpc.Status;
                case HttpProtocolException protocol:
                    return new Status(HttpStatusMapping.FromHttp2ErrorCode(protocol.ErrorCode),
                        $"HTTP/2 error {protocol.ErrorCode}: {protocol.Message}", ex);
            }
        }

        return ex switch
        {
            HttpRequestException http => new Status(StatusCode.Unavailable, "Error connecting to the server: " + Describe(http), ex),
            IOException or ObjectDisposedException => new Status(StatusCode.Unavailable, "The connection was lost: " + ex.Message, ex),
            OperationCanceledException => new Status(StatusCode.Cancelled, "The call was cancelled.", ex),
            _ => new Status(StatusCode.Internal, $"Unexpected client error: {ex.GetType().Name}: {ex.Message}", ex),
        };
    }

    private static string Describe(Exception ex)
        => ex.InnerException is null ? ex.Message : $"{ex.Message} ({ex.InnerException.Message})";

    private static Status? ReadStatus(HttpHeaders headers)
    {
        string? code = FirstValue(headers, GrpcProtocol.StatusHeader);
        if (code is null)
        {
            return null;
        }

        string message = PercentEncoding.Decode(FirstValue(headers, GrpcProtocol.MessageHeader) ?? "");
        if (!int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
        {
            return new Status(StatusCode.Unknown, $"Invalid grpc-status '{code}'. {message}".TrimEnd());
        }

        // A code outside 0-16 is kept as its number (as Grpc.Core does) so that no information is lost.
        return new Status((StatusCode)value, message);
    }

    private static string? FirstValue(HttpHeaders headers, string name)
    {
        if (headers.NonValidated.TryGetValues(name, out HeaderStringValues values))
        {
            foreach (string value in values)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The settled outcome, published as one reference so readers never see a half-written status.</summary>
    private sealed record FinalState(Status Status, Metadata Trailers)
    {
        public RpcException ToException() => new(Status, Trailers);
    }
}
