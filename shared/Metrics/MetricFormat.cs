using System.Globalization;

namespace SecureTransmit.Metrics;

/// <summary>Culture-invariant formatting of metric values for reports, CSV and chart labels.</summary>
public static class MetricFormat
{
    /// <summary>
    /// A dB value (PSNR) with <paramref name="decimals"/> decimals; +∞ is written "inf", −∞ "-inf", NaN "nan".
    /// </summary>
    public static string Decibels(double db, int decimals = 2) => Number(db, decimals);

    /// <summary>Fixed-point with <paramref name="decimals"/> decimals; "inf", "-inf", "nan" for non-finite values.</summary>
    public static string Number(double value, int decimals)
    {
        if (decimals < 0 || decimals > 15) throw new MetricsException($"format: decimals must be 0..15 (got {decimals})");
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        if (double.IsNaN(value)) return "nan";
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>A percentage with <paramref name="decimals"/> decimals and a trailing "%", e.g. "99.6094%".</summary>
    public static string Percent(double percent, int decimals = 4) => Number(percent, decimals) + "%";

    /// <summary>Shortest round-trip text ("R" style) for CSV/JSON, with "inf"/"-inf"/"nan" for non-finite values.</summary>
    public static string RoundTrip(double value)
    {
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        if (double.IsNaN(value)) return "nan";
        return value.ToString("R", CultureInfo.InvariantCulture);
    }
}
