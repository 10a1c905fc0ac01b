using System.Collections;
using System.Text;

namespace SecureTransmit.Wire;

/// <summary>
/// Custom metadata (HTTP/2 headers or trailers) of a call: an ordered list of key/value entries where a key may repeat.
/// Keys are lower-cased and limited to <c>0-9 a-z _ - .</c>. A key ending in <c>-bin</c> carries binary data
/// (sent base64-encoded); any other key carries printable ASCII text (0x20-0x7E). Keys reserved by the gRPC or
/// HTTP/2 protocols (<c>grpc-*</c>, <c>content-type</c>, <c>te</c>, <c>host</c>, ...) are rejected with
/// <see cref="WireArgumentException"/>.
/// </summary>
public sealed class Metadata : IList<Metadata.Entry>
{
    /// <summary>Suffix that marks a key whose value is binary.</summary>
    public const string BinaryHeaderSuffix = "-bin";

    /// <summary>An empty, read-only instance.</summary>
    public static readonly Metadata Empty = new Metadata().Freeze();

    private readonly List<Entry> _entries = [];
    private bool _readOnly;

    /// <summary>Creates an empty metadata list.</summary>
    public Metadata()
    {
    }

    /// <summary>Number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>True for instances that cannot be modified (e.g. <see cref="Empty"/>).</summary>
    public bool IsReadOnly => _readOnly;

    /// <summary>Gets or replaces the entry at <paramref name="index"/>.</summary>
    public Entry this[int index]
    {
        get => _entries[index];
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            CheckWritable();
            _entries[index] = value;
        }
    }

    /// <summary>Adds an ASCII entry. Returns this instance so calls can be chained.</summary>
    public Metadata Add(string key, string value)
    {
        Add(new Entry(key, value));
        return this;
    }

    /// <summary>Adds a binary entry (the key must end in <c>-bin</c>). Returns this instance so calls can be chained.</summary>
    public Metadata Add(string key, byte[] valueBytes)
    {
        Add(new Entry(key, valueBytes));
        return this;
    }

    /// <summary>Adds an entry.</summary>
    public void Add(Entry item)
    {
        ArgumentNullException.ThrowIfNull(item);
        CheckWritable();
        _entries.Add(item);
    }

    /// <summary>The last entry with the given key, or null.</summary>
    public Entry? Get(string key)
    {
        string normalized = key.ToLowerInvariant();
        for (int i = _entries.Count - 1; i >= 0; i--)
        {
            if (_entries[i].Key == normalized)
            {
                return _entries[i];
            }
        }

        return null;
    }

    /// <summary>The text value of the last entry with the given (non-binary) key, or null.</summary>
    public string? GetValue(string key) => Get(key)?.Value;

    /// <summary>The bytes of the last entry with the given binary key, or null.</summary>
    public byte[]? GetValueBytes(string key) => Get(key)?.ValueBytes;

    /// <summary>Every entry with the given key, in order.</summary>
    public IEnumerable<Entry> GetAll(string key)
    {
        string normalized = key.ToLowerInvariant();
        return _entries.Where(e => e.Key == normalized);
    }

    /// <inheritdoc/>
    public int IndexOf(Entry item) => _entries.IndexOf(item);

    /// <inheritdoc/>
    public void Insert(int index, Entry item)
    {
        ArgumentNullException.ThrowIfNull(item);
        CheckWritable();
        _entries.Insert(index, item);
    }

    /// <inheritdoc/>
    public void RemoveAt(int index)
    {
        CheckWritable();
        _entries.RemoveAt(index);
    }

    /// <inheritdoc/>
    public void Clear()
    {
        CheckWritable();
        _entries.Clear();
    }

    /// <inheritdoc/>
    public bool Contains(Entry item) => _entries.Contains(item);

    /// <inheritdoc/>
    public void CopyTo(Entry[] array, int arrayIndex) => _entries.CopyTo(array, arrayIndex);

    /// <inheritdoc/>
    public bool Remove(Entry item)
    {
        CheckWritable();
        return _entries.Remove(item);
    }

    /// <inheritdoc/>
    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() => "[" + string.Join(", ", _entries) + "]";

    internal Metadata Freeze()
    {
        _readOnly = true;
        return this;
    }

    private void CheckWritable()
    {
        if (_readOnly)
        {
            throw new InvalidOperationException("This metadata instance is read-only.");
        }
    }

    /// <summary>True for keys that end in <c>-bin</c> (binary values).</summary>
    public static bool IsBinaryKey(string key) => key.EndsWith(BinaryHeaderSuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// True for header names that the gRPC or HTTP/2 protocols own and that user metadata may therefore not use.
    /// </summary>
    public static bool IsReservedKey(string key)
    {
        string k = key.ToLowerInvariant();
        return k.StartsWith("grpc-", StringComparison.Ordinal)
            || k.StartsWith(':')
            || k is "content-type" or "te" or "host" or "connection" or "keep-alive" or "proxy-connection"
                or "transfer-encoding" or "upgrade" or "content-length" or "user-agent";
    }

    /// <summary>One metadata entry: a key and either a text or a binary value.</summary>
    public sealed class Entry
    {
        private readonly string? _value;
        private readonly byte[]? _valueBytes;

        /// <summary>Creates an ASCII entry; <paramref name="key"/> must not end in <c>-bin</c>.</summary>
        public Entry(string key, string value)
        {
            Key = NormalizeAndValidateKey(key);
            ArgumentNullException.ThrowIfNull(value);
            if (IsBinaryKey(Key))
            {
                throw new WireArgumentException($"Metadata key '{Key}' ends in '-bin' and needs a byte[] value.", nameof(value));
            }

            foreach (char c in value)
            {
                if (c < 0x20 || c > 0x7E)
                {
                    throw new WireArgumentException(
                        $"Metadata value for '{Key}' contains character U+{(int)c:X4}; ASCII metadata values must be printable ASCII (0x20-0x7E). Use a '-bin' key for other data.",
                        nameof(value));
                }
            }

            _value = value;
        }

        /// <summary>Creates a binary entry; <paramref name="key"/> must end in <c>-bin</c>. The bytes are copied.</summary>
        public Entry(string key, byte[] valueBytes)
        {
            Key = NormalizeAndValidateKey(key);
            ArgumentNullException.ThrowIfNull(valueBytes);
            if (!IsBinaryKey(Key))
            {
                throw new WireArgumentException($"Metadata key '{Key}' carries a byte[] value and must end in '-bin'.", nameof(key));
            }

            _valueBytes = (byte[])valueBytes.Clone();
        }

        private Entry(string key, string? value, byte[]? valueBytes)
        {
            Key = key;
            _value = value;
            _valueBytes = valueBytes;
        }

        /// <summary>The key, lower-case.</summary>
        public string Key { get; }

        /// <summary>True when the key ends in <c>-bin</c>.</summary>
        public bool IsBinary => _valueBytes is not null;

        /// <summary>The text value. Throws <see cref="InvalidOperationException"/> for a binary entry.</summary>
        public string Value => _value ?? throw new InvalidOperationException($"Metadata entry '{Key}' is binary; read ValueBytes.");

        /// <summary>The value as bytes: a copy of the binary value, or the ASCII bytes of a text value.</summary>
        public byte[] ValueBytes => _valueBytes is not null ? (byte[])_valueBytes.Clone() : Encoding.ASCII.GetBytes(_value!);

        internal ReadOnlySpan<byte> RawBytes => _valueBytes;

        /// <inheritdoc/>
        public override string ToString() => IsBinary
            ? $"{Key}=[{Convert.ToHexString(_valueBytes!)}]"
            : $"{Key}={_value}";

        // Incoming headers are taken as they are (reserved names included, e.g. grpc-status-details-bin), without the
        // strict checks that apply to what a user adds.
        internal static Entry CreateUnchecked(string key, string value) => new(key, value, null);

        internal static Entry CreateUnchecked(string key, byte[] valueBytes) => new(key, null, valueBytes);

        private static string NormalizeAndValidateKey(string key)
        {
            ArgumentNullException.ThrowIfNull(key);
            if (key.Length == 0)
            {
                throw new WireArgumentException("Metadata key must not be empty.", nameof(key));
            }

            string normalized = key.ToLowerInvariant();
            foreach (char c in normalized)
            {
                bool ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.';
                if (!ok)
                {
                    throw new WireArgumentException(
                        $"Metadata key '{key}' contains '{c}'; keys may only contain 0-9, a-z, '-', '_' and '.'.", nameof(key));
                }
            }

            if (IsReservedKey(normalized))
            {
                throw new WireArgumentException($"Metadata key '{normalized}' is reserved by the gRPC/HTTP2 protocol.", nameof(key));
            }

            return normalized;
        }
    }
}
