using System.Net;
using System.Net.Http.Headers;

namespace SecureTransmit.Wire.Internal;

/// <summary>Request body of a unary or server-streaming call: one ready-made frame.</summary>
internal sealed class SingleMessageContent : HttpContent
{
    private readonly byte[] _frame;

    public SingleMessageContent(byte[] frame)
    {
        _frame = frame;
        Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(_frame, cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

/// <summary>
/// Request body of a client- or duplex-streaming call. HttpClient calls <see cref="SerializeToStreamAsync(Stream, TransportContext?, CancellationToken)"/>
/// right after sending the request HEADERS; the stream is handed to the writer, which writes messages as the caller
/// produces them, and the method returns (END_STREAM) when the caller completes the request stream.
/// Custom HttpContent types are duplex in SocketsHttpHandler over HTTP/2, so responses can be read meanwhile.
/// </summary>
internal sealed class StreamingRequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamingRequestContent()
    {
        Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);
        // Nobody may be waiting when the call is aborted; observe the faults so they are not reported as unobserved.
        _stream.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        _completed.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.NotOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously);
    }

    /// <summary>The HTTP/2 request stream, once HttpClient has started sending the body.</summary>
    public Task<Stream> RequestStream => _stream.Task;

    /// <summary>Ends the body normally (END_STREAM).</summary>
    public void Complete() => _completed.TrySetResult();

    /// <summary>Ends the body because the call is over or cancelled.</summary>
    public void Abort(Exception reason)
    {
        _stream.TrySetException(reason);
        _completed.TrySetException(reason);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _stream.TrySetResult(stream);
        using CancellationTokenRegistration registration = cancellationToken.Register(
            static s => ((TaskCompletionSource)s!).TrySetCanceled(), _completed);
        await _completed.Task.ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
