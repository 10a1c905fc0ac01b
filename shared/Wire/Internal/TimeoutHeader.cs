using System.Globalization;

namespace SecureTransmit.Wire.Internal;

/// <summary>
/// The grpc-timeout header: <c>TimeoutValue TimeoutUnit</c> where TimeoutValue is 1 to 8 ASCII digits and TimeoutUnit is
/// H (hours), M (minutes), S (seconds), m (milliseconds), u (microseconds) or n (nanoseconds).
/// </summary>
internal static class TimeoutHeader
{
    public const int MaxDigits = 8;
    private const long MaxValue = 99_999_999;

    /// <summary>Parses a header value; false when it is malformed.</summary>
    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length < 2 || value.Length > MaxDigits + 1)
        {
            return false;
        }

        long amount = 0;
        for (int i = 0; i < value.Length - 1; i++)
        {
            char c = value[i];
            if (c < '0' || c > '9')
            {
                return false;
            }

            amount = amount * 10 + (c - '0');
        }

        // TimeSpan ticks are 100 ns. The largest value (99,999,999 H) is about 1.1e4 years, inside TimeSpan's range.
        long ticks;
        switch (value[^1])
        {
            case 'H': ticks = amount * TimeSpan.TicksPerHour; break;
            case 'M': ticks = amount * TimeSpan.TicksPerMinute; break;
            case 'S': ticks = amount * TimeSpan.TicksPerSecond; break;
            case 'm': ticks = amount * TimeSpan.TicksPerMillisecond; break;
            case 'u': ticks = amount * 10; break;
            case 'n': ticks = (amount + 99) / 100; break;
            default: return false;
        }

        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>
    /// Formats a positive timeout with the finest unit whose value fits in 8 digits, rounding up so the server never
    /// sees a shorter timeout than the client's.
    /// </summary>
    public static string Format(TimeSpan timeout)
    {
        long ticks = Math.Max(timeout.Ticks, 1);
        (long ticksPerUnit, char unit)[] units =
        [
            (10, 'u'),
            (TimeSpan.TicksPerMillisecond, 'm'),
            (TimeSpan.TicksPerSecond, 'S'),
            (TimeSpan.TicksPerMinute, 'M'),
            (TimeSpan.TicksPerHour, 'H'),
        ];
        foreach ((long perUnit, char unit) in units)
        {
            long amount = (ticks + perUnit - 1) / perUnit;
            if (amount <= MaxValue)
            {
                return amount.ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return MaxValue.ToString(CultureInfo.InvariantCulture) + "H";
    }
}
