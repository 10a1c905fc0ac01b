using System.Runtime.CompilerServices;

namespace SecureTransmit.Wire;

/// <summary>Reads a stream of messages one at a time.</summary>
public interface IAsyncStreamReader<out T>
{
    /// <summary>The message read by the last successful <see cref="MoveNext"/>.</summary>
    T Current { get; }

    /// <summary>
    /// Advances to the next message. Returns false at the end of the stream. Throws <see cref="RpcException"/> when the
    /// call fails (on the client, a non-OK final status is thrown here at the end of the stream).
    /// </summary>
    Task<bool> MoveNext(CancellationToken cancellationToken);
}

/// <summary>Writes a stream of messages; each write completes once the message is handed to HTTP/2 flow control.</summary>
public interface IAsyncStreamWriter<in T>
{
    /// <summary>Options for the following writes; null means <see cref="Wire.WriteOptions.Default"/>.</summary>
    WriteOptions? WriteOptions { get; set; }

    /// <summary>Writes one message. Only one write may be pending at a time.</summary>
    Task WriteAsync(T message);

    /// <summary>Writes one message, observing <paramref name="cancellationToken"/>. Only one write may be pending at a time.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken);
}

/// <summary>The request stream of a client- or duplex-streaming call.</summary>
public interface IClientStreamWriter<in T> : IAsyncStreamWriter<T>
{
    /// <summary>Ends the request stream (HTTP/2 END_STREAM). Further writes fail.</summary>
    Task CompleteAsync();
}

/// <summary>The response stream of a server- or duplex-streaming handler.</summary>
public interface IServerStreamWriter<in T> : IAsyncStreamWriter<T>
{
}

/// <summary>Helpers for <see cref="IAsyncStreamReader{T}"/>.</summary>
public static class AsyncStreamReaderExtensions
{
    /// <summary>Enumerates the remaining messages of the stream.</summary>
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(this IAsyncStreamReader<T> reader,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (await reader.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return reader.Current;
        }
    }
}
