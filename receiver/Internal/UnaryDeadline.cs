using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// Caps the deadline of the unary calls (OpenSession, Health): the request's <c>grpc-timeout</c> header is set to the
/// smaller of the client's value and <see cref="ReceiverOptions.UnaryTimeout"/> before the gRPC layer reads it, so a
/// client that trickles its request (or never finishes it) gets DEADLINE_EXCEEDED instead of holding a stream.
/// Upload streams are long-lived by design and are bounded per image by <see cref="ReceiverOptions.ImageReceiveTimeout"/>.
/// </summary>
internal static class UnaryDeadline
{
    private const string Header = "grpc-timeout";

    public static Func<HttpContext, RequestDelegate, Task> Middleware(TimeSpan cap, string streamingPath) => (http, next) =>
    {
        if (http.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true
            && !string.Equals(http.Request.Path.Value, streamingPath, StringComparison.Ordinal))
        {
            var client = http.Request.Headers[Header].ToString();
            if (!TryParse(client, out var requested) || requested > cap)
                http.Request.Headers[Header] = Format(cap);
        }
        return next(http);
    };

    /// <summary>Milliseconds with the 'm' unit: at most 8 digits, as the gRPC spec requires (caps are ≤ 1 hour).</summary>
    internal static string Format(TimeSpan t) =>
        Math.Clamp((long)Math.Ceiling(t.TotalMilliseconds), 1, 99_999_999).ToString(CultureInfo.InvariantCulture) + "m";

    /// <summary>Parses "TimeoutValue TimeoutUnit": 1 to 8 ASCII digits, then one of H M S m u n.</summary>
    internal static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (text.Length is < 2 or > 9) return false;
        var digits = text.AsSpan(0, text.Length - 1);
        foreach (var c in digits) if (!char.IsAsciiDigit(c)) return false;
        long n = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        double ms = text[^1] switch
        {
            'H' => n * 3_600_000.0,
            'M' => n * 60_000.0,
            'S' => n * 1_000.0,
            'm' => n,
            'u' => n / 1_000.0,
            'n' => n / 1_000_000.0,
            _ => double.NaN,
        };
        if (double.IsNaN(ms)) return false;
        value = TimeSpan.FromMilliseconds(ms);
        return true;
    }
}
