namespace SecureTransmit.Wire.Internal;

/// <summary>Non-generic view of a client call, used by the public call wrappers.</summary>
internal interface IClientCallState : IDisposable
{
    Task<Metadata> ResponseHeadersAsync { get; }

    Status GetStatus();

    Metadata GetTrailers();
}

/// <summary>The response stream of a server- or duplex-streaming client call.</summary>
internal sealed class ClientResponseStream<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call) : IAsyncStreamReader<TResponse>
{
    private int _pending;

    public TResponse Current { get; private set; } = default!;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _pending, 1) == 1)
        {
            throw new InvalidOperationException("Only one read can be pending at a time.");
        }

        try
        {
            ReadMessageResult<TResponse> result = await call.ReadNextAsync(cancellationToken).ConfigureAwait(false);
            Current = result.HasMessage ? result.Message : default!;
            return result.HasMessage;
        }
        finally
        {
            Volatile.Write(ref _pending, 0);
        }
    }
}

/// <summary>The request stream of a client- or duplex-streaming client call.</summary>
internal sealed class ClientRequestStream<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call, StreamingRequestContent content)
    : IClientStreamWriter<TRequest>
{
    private readonly FrameBuffer _frame = new();
    private int _pending;
    private bool _completed;
    private bool _unflushed;

    public WriteOptions? WriteOptions { get; set; } = call.DefaultWriteOptions;

    public Task WriteAsync(TRequest message) => WriteAsync(message, CancellationToken.None);

    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The request stream has already been completed.");
        }

        call.ThrowIfFinished();
        if (Interlocked.Exchange(ref _pending, 1) == 1)
        {
            throw new InvalidOperationException("Only one write can be pending at a time.");
        }

        try
        {
            try
            {
                MessageFraming.SerializeFrame(call.Method.RequestMarshaller, message, _frame, call.MaxSendMessageSize);
            }
            catch (RpcException ex)
            {
                throw call.FailLocally(ex.Status);
            }

            using CancellationTokenSource? linked = cancellationToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.CallToken)
                : null;
            CancellationToken token = linked?.Token ?? call.CallToken;
            try
            {
                Stream stream = await content.RequestStream.WaitAsync(token).ConfigureAwait(false);
                await stream.WriteAsync(_frame.Frame, token).ConfigureAwait(false);
                if (((WriteOptions?.Flags ?? WriteFlags.None) & WriteFlags.BufferHint) != 0)
                {
                    _unflushed = true;
                }
                else
                {
                    await stream.FlushAsync(token).ConfigureAwait(false);
                    _unflushed = false;
                }
            }
            catch (Exception ex) when (ex is not RpcException)
            {
                if (cancellationToken.IsCancellationRequested && !call.CallToken.IsCancellationRequested)
                {
                    throw call.FailLocally(new Status(StatusCode.Cancelled, "Write canceled by the caller."));
                }

                throw await call.CreateWriteExceptionAsync(ex).ConfigureAwait(false);
            }
        }
        finally
        {
            Volatile.Write(ref _pending, 0);
        }
    }

    public async Task CompleteAsync()
    {
        if (_completed)
        {
            return;
        }

        if (Volatile.Read(ref _pending) == 1)
        {
            throw new InvalidOperationException("Cannot complete the request stream while a write is pending.");
        }

        _completed = true;
        try
        {
            if (_unflushed && content.RequestStream.IsCompletedSuccessfully)
            {
                await content.RequestStream.Result.FlushAsync(call.CallToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw await call.CreateWriteExceptionAsync(ex).ConfigureAwait(false);
        }
        finally
        {
            content.Complete();
            _frame.Dispose();
        }
    }
}
