using System.Collections.Concurrent;
using SecureTransmit.Metrics;

namespace SecureTransmit.Lab.Analysis.Internal;

/// <summary>Histogram/χ², global and local entropy and adjacent correlation of one HWC 8-bit image, per channel.</summary>
internal static class StatisticsAnalysis
{
    /// <summary>z₀.₉₇₅ of the standard normal (two-sided 95 %).</summary>
    public const double Z975 = 1.959963984540054;

    public static readonly AdjacencyDirection[] Directions = [AdjacencyDirection.Horizontal, AdjacencyDirection.Vertical, AdjacencyDirection.Diagonal];

    private static readonly ConcurrentDictionary<long, (double Mean, double Sd)> EntropyMoments = new();

    /// <summary>Exact mean and standard deviation of the plug-in entropy of N uniform bytes (cached per N).</summary>
    public static (double Mean, double Sd) UniformEntropy(long samples) =>
        EntropyMoments.GetOrAdd(samples, n => (CipherStatistics.ExpectedEntropy(n),
            n <= 1_000_000 ? CipherStatistics.EntropyStandardDeviation(n) : double.NaN));

    public static ImageStatistics Compute(ReadOnlySpan<byte> hwc, int width, int height, int channels, ulong seed)
    {
        long n = (long)width * height;
        var chi = new double[channels];
        var entropy = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            var hist = CipherStatistics.Histogram(CipherStatistics.Channel(hwc, width, height, channels, c));
            chi[c] = CipherStatistics.ChiSquare(hist);
            entropy[c] = CipherStatistics.ShannonEntropy(hist);
        }

        var (mean, sd) = UniformEntropy(n);
        var interval = new Interval(mean - Z975 * sd, mean + Z975 * sd);

        LocalEntropySummary? local = null;
        string? skipped = null;
        try
        {
            var le = CipherStatistics.LocalShannonEntropy(hwc, width, height, channels, new LocalEntropyOptions { Seed = seed });
            var published = le.PublishedInterval ?? CipherStatistics.PublishedLocalEntropyInterval30x1936Alpha005;
            local = new LocalEntropySummary(le.BlockCount, le.BlockWidth, le.BlockHeight, le.MeanPerChannel,
                Array.ConvertAll(le.MeanPerChannel, le.ExactInterval.Contains),
                Array.ConvertAll(le.MeanPerChannel, published.Contains));
        }
        catch (MetricsException e)
        {
            skipped = e.Message;
        }

        var correlation = new List<CorrelationRow>();
        foreach (var direction in Directions)
        {
            var r = new double[channels];
            int pairs = 0;
            double band = 0;
            var pass = new bool[channels];
            for (int c = 0; c < channels; c++)
            {
                var result = AdjacentCorrelation.Compute(hwc, width, height, channels, c, direction);
                r[c] = result.R;
                pairs = result.PairCount;
                band = result.SignificanceBand;
                pass[c] = result.WithinBand;
            }
            correlation.Add(new CorrelationRow(direction.ToString(), r, pairs, band, pass));
        }

        return new ImageStatistics(n, chi, Array.ConvertAll(chi, v => v < CipherStatistics.ChiSquareCritical255Alpha005),
            entropy, mean, sd, interval, Array.ConvertAll(entropy, interval.Contains), local, skipped, correlation);
    }

    /// <summary>
    /// Expected PSNR (dB) of <paramref name="plain"/> against independent uniform bytes:
    /// MSE = mean over samples of (p − 127.5)² + (256² − 1)/12.
    /// </summary>
    public static double NoiseReferencePsnr(ReadOnlySpan<byte> plain)
    {
        double sum = 0;
        foreach (byte p in plain)
        {
            double d = p - 127.5;
            sum += d * d;
        }
        double mse = sum / plain.Length + (256.0 * 256.0 - 1) / 12.0;
        return 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    /// <summary>Share (%) of positions where two equally long byte arrays agree.</summary>
    public static double EqualPercent(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length) throw new AnalysisException($"cannot compare {a.Length} bytes with {b.Length} bytes");
        if (a.IsEmpty) throw new AnalysisException("cannot compare empty byte arrays");
        long equal = 0;
        for (int i = 0; i < a.Length; i++) if (a[i] == b[i]) equal++;
        return 100.0 * equal / a.Length;
    }

    public static byte[] Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length) throw new AnalysisException($"cannot XOR {a.Length} bytes with {b.Length} bytes");
        var r = new byte[a.Length];
        for (int i = 0; i < r.Length; i++) r[i] = (byte)(a[i] ^ b[i]);
        return r;
    }
}
