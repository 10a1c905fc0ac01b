namespace SecureTransmit.Wire.Internal;

/// <summary>The request stream a client- or duplex-streaming handler reads.</summary>
internal sealed class HttpContextStreamReader<T>(HttpContextServerCallContext call, Marshaller<T> marshaller) : IAsyncStreamReader<T>
{
    private bool _ended;

    public T Current { get; private set; } = default!;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return false;
        }

        ReadMessageResult<T> result = await call.ReadMessageAsync(marshaller, cancellationToken).ConfigureAwait(false);
        if (!result.HasMessage)
        {
            _ended = true;
            Current = default!;
            return false;
        }

        Current = result.Message;
        return true;
    }
}

/// <summary>The response stream a server- or duplex-streaming handler writes.</summary>
internal sealed class HttpContextStreamWriter<T>(HttpContextServerCallContext call, Marshaller<T> marshaller) : IServerStreamWriter<T>
{
    public WriteOptions? WriteOptions
    {
        get => call.WriteOptions;
        set => call.WriteOptions = value;
    }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(T message, CancellationToken cancellationToken)
        => call.WriteMessageAsync(marshaller, message, null, cancellationToken);
}
