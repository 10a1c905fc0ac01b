using System.Runtime.CompilerServices;
using SecureTransmit.Wire.Internal;

namespace SecureTransmit.Wire;

/// <summary>A unary call in progress. Await it (or <see cref="ResponseAsync"/>) for the response; dispose it when done.</summary>
public sealed class AsyncUnaryCall<TResponse> : IDisposable
{
    private readonly IClientCallState _state;

    internal AsyncUnaryCall(Task<TResponse> responseAsync, IClientCallState state)
    {
        ResponseAsync = responseAsync;
        _state = state;
    }

    /// <summary>The response; faults with <see cref="RpcException"/> when the call fails.</summary>
    public Task<TResponse> ResponseAsync { get; }

    /// <summary>The response headers (custom metadata); faults with <see cref="RpcException"/> when the call fails first.</summary>
    public Task<Metadata> ResponseHeadersAsync => _state.ResponseHeadersAsync;

    /// <summary>The final status; throws <see cref="InvalidOperationException"/> before the call has finished.</summary>
    public Status GetStatus() => _state.GetStatus();

    /// <summary>The trailing metadata; throws <see cref="InvalidOperationException"/> before the call has finished.</summary>
    public Metadata GetTrailers() => _state.GetTrailers();

    /// <summary>Allows <c>await call</c>.</summary>
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    /// <summary>Cancels the call if still running and frees its resources.</summary>
    public void Dispose() => _state.Dispose();
}

/// <summary>A client-streaming call: write requests to <see cref="RequestStream"/>, complete it, then await the response.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly IClientCallState _state;

    internal AsyncClientStreamingCall(IClientStreamWriter<TRequest> requestStream, Task<TResponse> responseAsync, IClientCallState state)
    {
        RequestStream = requestStream;
        ResponseAsync = responseAsync;
        _state = state;
    }

    /// <summary>The request stream; call <see cref="IClientStreamWriter{T}.CompleteAsync"/> after the last message.</summary>
    public IClientStreamWriter<TRequest> RequestStream { get; }

    /// <summary>The response; faults with <see cref="RpcException"/> when the call fails.</summary>
    public Task<TResponse> ResponseAsync { get; }

    /// <summary>The response headers; faults with <see cref="RpcException"/> when the call fails first.</summary>
    public Task<Metadata> ResponseHeadersAsync => _state.ResponseHeadersAsync;

    /// <summary>The final status; throws <see cref="InvalidOperationException"/> before the call has finished.</summary>
    public Status GetStatus() => _state.GetStatus();

    /// <summary>The trailing metadata; throws <see cref="InvalidOperationException"/> before the call has finished.</summary>
    public Metadata GetTrailers() => _state.GetTrailers();

    /// <summary>Allows <c>await call</c>.</summary>
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    /// <summary>Cancels the call if still running and frees its resources.</summary>
    public void Dispose() => _state.Dispose();
}

/// <summary>A server-streaming call: read responses from <see cref="ResponseStream"/>.</summary>
public sealed class AsyncServerStreamingCall<TResponse> : IDisposable
{
    private readonly IClientCallState _state;

    internal AsyncServerStreamingCall(IAsyncStreamReader<TResponse> responseStream, IClientCallState state)
    {
        ResponseStream = responseStream;
        _state = state;
    }

    /// <summary>The response stream; a non-OK final status is thrown from MoveNext as <see cref="RpcException"/>.</summary>
    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    /// <summary>The response headers; faults with <see cref="RpcException"/> when the call fails first.</summary>
    public Task<Metadata> ResponseHeadersAsync => _state.ResponseHeadersAsync;

    /// <summary>The final status; throws <see cref="InvalidOperationException"/> before the call has finished.</summary>
    public Status GetStatus() => _state.GetStatus();

    /// <summary>The trailing metadata; throws <see cref="InvalidOperationException"/> before the call has finished.</summary>
    public Metadata GetTrailers() => _state.GetTrailers();

    /// <summary>Cancels the call if still running and frees its resources.</summary>
    public void Dispose() => _state.Dispose();
}

/// <summary>A duplex call: write to <see cref="RequestStream"/> and read <see cref="ResponseStream"/> concurrently.</summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly IClientCallState _state;

    internal AsyncDuplexStreamingCall(IClientStreamWriter<TRequest> requestStream, IAsyncStreamReader<TResponse> responseStream,
        IClientCallState state)
    {
        RequestStream = requestStream;
        ResponseStream = responseStream;
        _state = state;
    }

    /// <summary>The request stream; call <see cref="IClientStreamWriter{T}.CompleteAsync"/> after the last message.</summary>
    public IClientStreamWriter<TRequest> RequestStream { get; }

    /// <summary>The response stream; a non-OK final status is thrown from MoveNext as <see cref="RpcException"/>.</summary>
    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    /// <summary>The response headers; faults with <see cref="RpcException"/> when the call fails first.</summary>
    public Task<Metadata> ResponseHeadersAsync => _state.ResponseHeadersAsync;

    /// <summary>The final status; throws <see cref="InvalidOperationException"/> before the call has finished.</summary>
    public Status GetStatus() => _state.GetStatus();

    /// <summary>The trailing metadata; throws <see cref="InvalidOperationException"/> before the call has finished.</summary>
    public Metadata GetTrailers() => _state.GetTrailers();

    /// <summary>Cancels the call if still running and frees its resources.</summary>
    public void Dispose() => _state.Dispose();
}
