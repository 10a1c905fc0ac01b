using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace SecureTransmit.Receiver.Internal;

/// <summary>One stored image as the dashboard shows it.</summary>
/// <param name="OriginalPng">The sender's original, only when it asked for a demo comparison (at most <see cref="ReceivedFeed.MaxOriginalBytes"/>).</param>
public sealed record ReceivedItem(long Number, string StoredName, JsonObject Sidecar, byte[] CiphertextPreview, int Width, int Height, byte[]? OriginalPng = null);

/// <summary>
/// The most recent stored images (newest last), and live subscriptions for the dashboard's event stream.
/// Holds at most <see cref="Capacity"/> items; each keeps a bounded prefix of its ciphertext for drawing.
/// </summary>
public sealed class ReceivedFeed(int capacity = 200)
{
    /// <summary>Ciphertext bytes kept per image for the "ciphertext as an image" view.</summary>
    public const int PreviewBytes = 64 * 1024;

    /// <summary>Largest demo original (PNG bytes) kept per image for display; larger ones are not shown.</summary>
    public const int MaxOriginalBytes = 4 * 1024 * 1024;

    private readonly LinkedList<ReceivedItem> _items = new();
    private readonly List<Channel<ReceivedItem>> _subscribers = [];
    private long _number;

    public int Capacity { get; } = capacity;

    public void Publish(string storedName, JsonObject sidecar, ReadOnlySpan<byte> ciphertext, int width, int height, byte[]? originalPng = null)
    {
        ReceivedItem item;
        Channel<ReceivedItem>[] subs;
        lock (_items)
        {
            item = new ReceivedItem(++_number, storedName, (JsonObject)sidecar.DeepClone(), ciphertext[..Math.Min(ciphertext.Length, PreviewBytes)].ToArray(), width, height,
                originalPng is { Length: > 0 and <= MaxOriginalBytes } ? originalPng : null);
            _items.AddLast(item);
            while (_items.Count > Capacity) _items.RemoveFirst();
            subs = [.. _subscribers];
        }
        foreach (var s in subs) s.Writer.TryWrite(item);
    }

    public IReadOnlyList<ReceivedItem> Snapshot()
    {
        lock (_items) return [.. _items];
    }

    public ReceivedItem? Find(string storedName)
    {
        lock (_items) return _items.FirstOrDefault(i => i.StoredName == storedName);
    }

    /// <summary>A live feed of new items; dispose the returned handle to stop. Slow readers drop the oldest pending items.</summary>
    public (ChannelReader<ReceivedItem> Reader, IDisposable Handle) Subscribe()
    {
        var ch = Channel.CreateBounded<ReceivedItem>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_items) _subscribers.Add(ch);
        return (ch.Reader, new Unsubscribe(this, ch));
    }

    private sealed class Unsubscribe(ReceivedFeed feed, Channel<ReceivedItem> ch) : IDisposable
    {
        public void Dispose()
        {
            lock (feed._items) feed._subscribers.Remove(ch);
            ch.Writer.TryComplete();
        }
    }
}
