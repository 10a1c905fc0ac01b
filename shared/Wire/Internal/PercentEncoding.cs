using System.Text;

namespace SecureTransmit.Wire.Internal;

/// <summary>
/// The grpc-message encoding: the message is UTF-8 encoded, bytes 0x20-0x7E except '%' (0x25) are sent as-is and
/// every other byte as "%XX" (two hex digits). Decoding is lenient as the spec asks: a '%' not followed by two hex
/// digits is kept literally, and invalid UTF-8 becomes U+FFFD.
/// </summary>
internal static class PercentEncoding
{
    public static string Encode(string value)
    {
        if (!NeedsEncoding(value))
        {
            return value;
        }

        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        var sb = new StringBuilder(utf8.Length * 3);
        foreach (byte b in utf8)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
        }

        return sb.ToString();
    }

    public static string Decode(string value)
    {
        if (!value.Contains('%'))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '%' && i + 2 < value.Length && TryHex(value[i + 1], out int hi) && TryHex(value[i + 2], out int lo))
            {
                bytes.Add((byte)((hi << 4) | lo));
                i += 2;
            }
            else if (c <= 0x7F)
            {
                bytes.Add((byte)c);
            }
            else
            {
                // Not expected in a header value; keep it as UTF-8.
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool NeedsEncoding(string value)
    {
        foreach (char c in value)
        {
            if (c < 0x20 || c > 0x7E || c == '%')
            {
                return true;
            }
        }

        return false;
    }

    private static char HexDigit(int v) => (char)(v < 10 ? '0' + v : 'A' + v - 10);

    private static bool TryHex(char c, out int v)
    {
        v = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return v >= 0;
    }
}
