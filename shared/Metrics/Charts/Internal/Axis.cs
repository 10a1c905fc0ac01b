using System.Globalization;

namespace SecureTransmit.Metrics.Charts.Internal;

/// <summary>A mapping from data values to pixels along one axis, with its tick marks.</summary>
internal sealed class Axis
{
    private readonly double _lo, _hi, _p0, _p1;

    public Axis(double lo, double hi, bool log, IReadOnlyList<(double Value, string Label)> ticks, IReadOnlyList<double> minorTicks)
    {
        _lo = lo;
        _hi = hi;
        IsLog = log;
        Ticks = ticks;
        MinorTicks = minorTicks;
    }

    private Axis(Axis a, double p0, double p1) : this(a._lo, a._hi, a.IsLog, a.Ticks, a.MinorTicks)
    {
        _p0 = p0;
        _p1 = p1;
    }

    public bool IsLog { get; }

    public IReadOnlyList<(double Value, string Label)> Ticks { get; }

    public IReadOnlyList<double> MinorTicks { get; }

    /// <summary>Lower data bound (actual value, not log).</summary>
    public double Min => IsLog ? Math.Pow(10, _lo) : _lo;

    public double Max => IsLog ? Math.Pow(10, _hi) : _hi;

    /// <summary>The same axis mapped onto pixels p0 (at Min) .. p1 (at Max).</summary>
    public Axis WithPixels(double p0, double p1) => new(this, p0, p1);

    /// <summary>Whether the value can be drawn (finite, and positive on a log axis).</summary>
    public bool CanMap(double v) => double.IsFinite(v) && (!IsLog || v > 0);

    public double Map(double v)
    {
        double t = IsLog ? Math.Log10(v) : v;
        return _p0 + (t - _lo) / (_hi - _lo) * (_p1 - _p0);
    }

    /// <summary>Linear axis over [min, max] with "nice" bounds and about <paramref name="targetTicks"/> ticks.</summary>
    public static Axis Linear(double min, double max, int targetTicks = 6, bool tight = false)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) { min = 0; max = 1; }
        if (min > max) (min, max) = (max, min);
        if (max - min < 1e-12 * Math.Max(1, Math.Abs(max)))
        {
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        double step = NiceNumber((max - min) / Math.Max(1, targetTicks - 1), round: true);
        double lo = tight ? min : Math.Floor(min / step) * step;
        double hi = tight ? max : Math.Ceiling(max / step) * step;
        int decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(step) + 1e-9));
        var ticks = new List<(double, string)>();
        double first = Math.Ceiling(lo / step - 1e-9) * step;
        for (int i = 0; i < 1000; i++)
        {
            double v = first + i * step;
            if (v > hi + step * 1e-9) break;
            if (Math.Abs(v) < step * 1e-9) v = 0;
            ticks.Add((v, v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)));
        }
        return new Axis(lo, hi, log: false, ticks, []);
    }

    /// <summary>Base-10 log axis over whole decades covering the positive range [min, max].</summary>
    public static Axis Log(double min, double max)
    {
        if (!(min > 0) || !double.IsFinite(min) || !(max > 0) || !double.IsFinite(max)) { min = 1; max = 10; }
        if (min > max) (min, max) = (max, min);
        int lo = (int)Math.Floor(Math.Log10(min) + 1e-12);
        int hi = (int)Math.Ceiling(Math.Log10(max) - 1e-12);
        if (hi <= lo) hi = lo + 1;
        var ticks = new List<(double, string)>();
        var minor = new List<double>();
        bool fewDecades = hi - lo <= 1;
        for (int d = lo; d <= hi; d++)
        {
            ticks.Add((Math.Pow(10, d), PowerLabel(d, 1)));
            if (d == hi) break;
            for (int m = 2; m <= 9; m++)
            {
                if (fewDecades && (m == 2 || m == 5)) ticks.Add((m * Math.Pow(10, d), PowerLabel(d, m)));
                else minor.Add(m * Math.Pow(10, d));
            }
        }
        return new Axis(lo, hi, log: true, ticks, minor);
    }

    private static string PowerLabel(int exponent, int mantissa)
    {
        if (exponent >= -4 && exponent <= 5)
        {
            double v = mantissa * Math.Pow(10, exponent);
            return v.ToString(exponent < 0 ? "0.#####" : "0", CultureInfo.InvariantCulture);
        }
        return (mantissa == 1 ? "" : mantissa.ToString(CultureInfo.InvariantCulture) + "×") + "1e" + exponent.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Heckbert's "nice number": a 1, 2, 5 (or 10) multiple of a power of ten near <paramref name="x"/>.</summary>
    public static double NiceNumber(double x, bool round)
    {
        if (!(x > 0)) return 1;
        double exp = Math.Floor(Math.Log10(x));
        double f = x / Math.Pow(10, exp);
        double nf = round
            ? (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10)
            : (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10);
        return nf * Math.Pow(10, exp);
    }
}
