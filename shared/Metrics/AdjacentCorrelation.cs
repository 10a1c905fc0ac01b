using SecureTransmit.Metrics.Internal;

namespace SecureTransmit.Metrics;

/// <summary>Which neighbour a pixel is paired with in the adjacent-pixel correlation test.</summary>
public enum AdjacencyDirection
{
    /// <summary>(x, y) with (x + 1, y).</summary>
    Horizontal,

    /// <summary>(x, y) with (x, y + 1).</summary>
    Vertical,

    /// <summary>(x, y) with (x + 1, y + 1) (main diagonal).</summary>
    Diagonal,

    /// <summary>(x + 1, y) with (x, y + 1) (anti-diagonal).</summary>
    AntiDiagonal,
}

/// <summary>Options of <see cref="AdjacentCorrelation.Compute"/>.</summary>
public sealed class CorrelationOptions
{
    private int? _sampleCount;

    /// <summary>
    /// Number N of random pairs (drawn with replacement, seeded); null = every adjacent pair of the image.
    /// Papers commonly use 3000 or 5000. Default null; must be ≥ 2 when set.
    /// </summary>
    public int? SampleCount
    {
        get => _sampleCount;
        init => _sampleCount = value is null or >= 2 ? value : throw new MetricsException($"correlation: SampleCount must be at least 2 (got {value})");
    }

    /// <summary>Seed (SplitMix64) for random pairs. Default 0.</summary>
    public ulong Seed { get; init; }
}

/// <summary>Result of an adjacent-pixel correlation test on one channel and direction.</summary>
/// <param name="R">Pearson r = cov(x, y) / (σx σy) with 1/N normalisation; NaN when either side is constant.</param>
/// <param name="PairCount">N, the number of pairs used.</param>
public sealed record CorrelationResult(AdjacencyDirection Direction, int Channel, double R, int PairCount)
{
    /// <summary>Half-width of the 95 % band for r under independence: 1.96 / √N.</summary>
    public double SignificanceBand => 1.96 / Math.Sqrt(PairCount);

    /// <summary>True when |r| &lt; 1.96/√N, i.e. the correlation is not significant at the 5 % level.</summary>
    public bool WithinBand => Math.Abs(R) < SignificanceBand;
}

/// <summary>
/// Adjacent-pixel correlation of an interleaved HWC 8-bit image (the standard cipher-image test:
/// plain images give r near 1, good ciphers |r| &lt; 1.96/√N).
/// </summary>
public static class AdjacentCorrelation
{
    /// <summary>r on one channel and direction, over all pairs or N random pairs (see options); NaN with a single pair.</summary>
    public static CorrelationResult Compute(ReadOnlySpan<byte> hwc, int width, int height, int channels, int channel,
        AdjacencyDirection direction, CorrelationOptions? options = null)
    {
        var (xs, ys) = Pairs(hwc, width, height, channels, channel, direction, options);
        return new CorrelationResult(direction, channel, Pearson(xs, ys), xs.Length);
    }

    /// <summary>
    /// The (value, neighbour value) pairs the test uses, e.g. for a scatter plot. With no SampleCount this is
    /// every pair in raster order of the first pixel; otherwise N pairs at random first pixels (with replacement).
    /// </summary>
    public static (byte[] First, byte[] Second) Pairs(ReadOnlySpan<byte> hwc, int width, int height, int channels, int channel,
        AdjacencyDirection direction, CorrelationOptions? options = null)
    {
        int n = Guard.SampleCount("correlation", width, height, channels);
        Guard.Length("correlation", "image", hwc.Length, n, width, height, channels);
        if (channel < 0 || channel >= channels) throw new MetricsException($"correlation: channel {channel} is outside 0..{channels - 1}");
        options ??= new CorrelationOptions();

        // First pixel (x0 + dx0, y) and second (x0 + dx1, y + dy) for x0 in [0, w - spanX), y in [0, h - dy).
        var (dx0, dx1, dy) = direction switch
        {
            AdjacencyDirection.Horizontal => (0, 1, 0),
            AdjacencyDirection.Vertical => (0, 0, 1),
            AdjacencyDirection.Diagonal => (0, 1, 1),
            AdjacencyDirection.AntiDiagonal => (1, 0, 1),
            _ => throw new MetricsException($"correlation: unknown direction {direction}"),
        };
        int spanX = Math.Max(dx0, dx1);
        int cols = width - spanX, rows = height - dy;
        if (cols <= 0 || rows <= 0)
            throw new MetricsException($"correlation: a {width}x{height} image has no {direction.ToString().ToLowerInvariant()} pairs");

        int count = options.SampleCount ?? cols * rows;
        var first = new byte[count];
        var second = new byte[count];
        var rng = new SplitMix64(options.Seed);
        for (int i = 0; i < count; i++)
        {
            int x0, y0;
            if (options.SampleCount is null)
            {
                x0 = i % cols;
                y0 = i / cols;
            }
            else
            {
                x0 = rng.NextInt(cols);
                y0 = rng.NextInt(rows);
            }
            first[i] = hwc[((y0 * width) + x0 + dx0) * channels + channel];
            second[i] = hwc[(((y0 + dy) * width) + x0 + dx1) * channels + channel];
        }
        return (first, second);
    }

    /// <summary>
    /// Pearson correlation r = cov(x, y) / (σx σy) with the papers' 1/N normalisation
    /// (E(x) = ΣxᵢN⁻¹, D(x) = Σ(xᵢ − E x)²N⁻¹, cov = Σ(xᵢ − E x)(yᵢ − E y)N⁻¹); NaN when either variance is 0.
    /// </summary>
    public static double Pearson(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        Guard.SameLength("correlation", x.Length, y.Length);
        double mx = 0, my = 0;
        for (int i = 0; i < x.Length; i++)
        {
            mx += x[i];
            my += y[i];
        }
        mx /= x.Length;
        my /= x.Length;
        double sxx = 0, syy = 0, sxy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        if (sxx == 0 || syy == 0) return double.NaN;
        return sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>Pearson correlation of two equally long double sequences (same conventions as the byte overload).</summary>
    public static double Pearson(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        Guard.SameLength("correlation", x.Length, y.Length);
        double mx = 0, my = 0;
        for (int i = 0; i < x.Length; i++)
        {
            mx += x[i];
            my += y[i];
        }
        mx /= x.Length;
        my /= x.Length;
        double sxx = 0, syy = 0, sxy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        if (sxx == 0 || syy == 0) return double.NaN;
        return sxy / Math.Sqrt(sxx * syy);
    }
}
