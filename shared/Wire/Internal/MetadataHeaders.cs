namespace SecureTransmit.Wire.Internal;

/// <summary>Converts between <see cref="Metadata"/> and HTTP/2 header fields.</summary>
internal static class MetadataHeaders
{
    /// <summary>Headers that are protocol, not metadata: never surfaced as incoming metadata.</summary>
    private static readonly HashSet<string> s_protocolHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        GrpcProtocol.ContentTypeHeader, GrpcProtocol.TeHeader, "host", "connection", "keep-alive", "content-length",
        "transfer-encoding", "upgrade", "proxy-connection",
        GrpcProtocol.StatusHeader, GrpcProtocol.MessageHeader, GrpcProtocol.TimeoutHeader,
        GrpcProtocol.EncodingHeader, GrpcProtocol.AcceptEncodingHeader,
    };

    public static bool IsProtocolHeader(string name) => name.StartsWith(':') || s_protocolHeaders.Contains(name);

    /// <summary>Header value of an entry: text as-is, binary as base64 without padding (what the spec says to emit).</summary>
    public static string ToHeaderValue(Metadata.Entry entry)
    {
        if (!entry.IsBinary)
        {
            return entry.Value;
        }

        return Convert.ToBase64String(entry.RawBytes).TrimEnd('=');
    }

    /// <summary>Adds the entries carried by one incoming header field (several values possible) to <paramref name="target"/>.</summary>
    public static void AddIncoming(Metadata target, string name, IEnumerable<string?> values)
    {
        if (IsProtocolHeader(name))
        {
            return;
        }

        string key = name.ToLowerInvariant();
        bool binary = Metadata.IsBinaryKey(key);
        foreach (string? value in values)
        {
            if (value is null)
            {
                continue;
            }

            if (!binary)
            {
                target.Add(Metadata.Entry.CreateUnchecked(key, value));
                continue;
            }

            // Binary values may be sent comma-separated in one field; padded and unpadded base64 are both valid.
            foreach (string part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (TryDecodeBase64(part, out byte[] bytes))
                {
                    target.Add(Metadata.Entry.CreateUnchecked(key, bytes));
                }
            }

            if (value.Length == 0)
            {
                target.Add(Metadata.Entry.CreateUnchecked(key, Array.Empty<byte>()));
            }
        }
    }

    internal static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        string padded = (text.Length % 4) switch
        {
            2 => text + "==",
            3 => text + "=",
            _ => text,
        };
        bytes = new byte[padded.Length / 4 * 3];
        if (Convert.TryFromBase64String(padded, bytes, out int written))
        {
            Array.Resize(ref bytes, written);
            return true;
        }

        bytes = [];
        return false;
    }
}
