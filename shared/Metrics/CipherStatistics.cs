using SecureTransmit.Metrics.Internal;

namespace SecureTransmit.Metrics;

/// <summary>
/// Statistics used to judge how random-like a cipher image is: the 256-bin histogram, the χ² uniformity
/// statistic and its critical value, Shannon entropy (bits per byte), and the expected entropy of a finite
/// sample of uniform bytes. The byte overloads pool every sample they are given; to test one channel of an
/// HWC image, pass <see cref="Channel"/>'s output.
/// </summary>
public static partial class CipherStatistics
{
    /// <summary>Number of histogram bins (8-bit samples).</summary>
    public const int Bins = 256;

    /// <summary>
    /// χ² critical value at α = 0.05 for 255 degrees of freedom, as quoted in the image-encryption literature;
    /// <see cref="ChiSquareCriticalValue"/> recomputes it (293.24783…).
    /// </summary>
    public const double ChiSquareCritical255Alpha005 = 293.2478;

    /// <summary>256-bin histogram of all bytes of <paramref name="data"/>.</summary>
    public static long[] Histogram(ReadOnlySpan<byte> data)
    {
        var h = new long[Bins];
        foreach (byte v in data) h[v]++;
        return h;
    }

    /// <summary>The samples of one channel of an interleaved HWC 8-bit image, in raster order.</summary>
    public static byte[] Channel(ReadOnlySpan<byte> hwc, int width, int height, int channels, int channel)
    {
        int n = Guard.SampleCount("channel", width, height, channels);
        Guard.Length("channel", "image", hwc.Length, n, width, height, channels);
        if (channel < 0 || channel >= channels) throw new MetricsException($"channel: index {channel} is outside 0..{channels - 1}");
        var result = new byte[width * height];
        for (int p = 0, i = channel; i < n; p++, i += channels) result[p] = hwc[i];
        return result;
    }

    /// <summary>
    /// χ² uniformity statistic Σ (oᵢ − e)² / e over the 256 bins with e = N/256. A uniform source gives
    /// about 255 on average; values above <see cref="ChiSquareCriticalValue"/> reject uniformity.
    /// </summary>
    public static double ChiSquare(ReadOnlySpan<long> histogram)
    {
        if (histogram.Length != Bins) throw new MetricsException($"chi-square: histogram must have {Bins} bins (got {histogram.Length})");
        long total = 0;
        foreach (long c in histogram)
        {
            if (c < 0) throw new MetricsException("chi-square: histogram has a negative count");
            total += c;
        }
        if (total == 0) throw new MetricsException("chi-square: histogram is empty");
        double e = (double)total / Bins;
        double sum = 0;
        foreach (long c in histogram)
        {
            double d = c - e;
            sum += d * d / e;
        }
        return sum;
    }

    /// <summary>χ² uniformity statistic of all bytes of <paramref name="data"/>.</summary>
    public static double ChiSquare(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) throw new MetricsException("chi-square: data is empty");
        return ChiSquare(Histogram(data));
    }

    /// <summary>Upper χ² critical value for the given dof and α (default 255 dof, α = 0.05 → 293.2478).</summary>
    public static double ChiSquareCriticalValue(int degreesOfFreedom = Bins - 1, double alpha = 0.05)
        => Distributions.ChiSquareCriticalValue(degreesOfFreedom, alpha);

    /// <summary>Shannon entropy −Σ pᵢ log₂ pᵢ (bits per byte, 0..8) of a 256-bin histogram.</summary>
    public static double ShannonEntropy(ReadOnlySpan<long> histogram)
    {
        long total = 0;
        foreach (long c in histogram)
        {
            if (c < 0) throw new MetricsException("entropy: histogram has a negative count");
            total += c;
        }
        if (total == 0) throw new MetricsException("entropy: histogram is empty");
        double h = 0;
        foreach (long c in histogram)
        {
            if (c == 0) continue;
            double p = (double)c / total;
            h -= p * Math.Log2(p);
        }
        return h;
    }

    /// <summary>Shannon entropy (bits per byte) of all bytes of <paramref name="data"/>.</summary>
    public static double ShannonEntropy(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) throw new MetricsException("entropy: data is empty");
        return ShannonEntropy(Histogram(data));
    }

    /// <summary>
    /// Second-order (Miller–Madow) approximation of the expected plug-in entropy of N independent uniform
    /// bytes: E[H] ≈ 8 − 255 / (2 N ln 2). For N = 512² this is 7.99930; it is poor for small N
    /// (N = 1936 gives 7.90499 against the exact 7.90247) — use <see cref="ExpectedEntropy"/> there.
    /// </summary>
    public static double ExpectedEntropyApprox(long sampleCount)
    {
        if (sampleCount <= 0) throw new MetricsException($"expected entropy: sample count must be positive (got {sampleCount})");
        return 8.0 - (Bins - 1) / (2.0 * sampleCount * Math.Log(2.0));
    }

    /// <summary>
    /// Exact expected plug-in Shannon entropy (bits) of N independent uniform bytes:
    /// E[H] = −256 Σₙ P(n) (n/N) log₂(n/N) with n ~ Binomial(N, 1/256) (Wu et al. 2013 derive the same mean;
    /// N = 1936 gives 7.902469317). The size-matched reference for a cipher image's global entropy.
    /// </summary>
    public static double ExpectedEntropy(long sampleCount)
    {
        if (sampleCount <= 0) throw new MetricsException($"expected entropy: sample count must be positive (got {sampleCount})");
        return UniformEntropyMoments.Mean(sampleCount, Bins);
    }

    /// <summary>
    /// Exact standard deviation of the plug-in entropy (bits) of N independent uniform bytes, including the
    /// (negative) covariance between bins of the multinomial. N = 1936 gives 0.008694.
    /// Costs O(N/256 · 40)² work; N is limited to 10⁶.
    /// </summary>
    public static double EntropyStandardDeviation(long sampleCount)
    {
        if (sampleCount <= 0 || sampleCount > 1_000_000)
            throw new MetricsException($"entropy standard deviation: sample count must be 1..1000000 (got {sampleCount})");
        return Math.Sqrt(UniformEntropyMoments.Variance(sampleCount, Bins));
    }
}
