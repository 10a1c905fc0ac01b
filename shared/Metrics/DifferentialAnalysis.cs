using SecureTransmit.Metrics.Internal;

namespace SecureTransmit.Metrics;

/// <summary>
/// NPCR and UACI between two cipher images (values in percent), per channel and pooled over all samples,
/// with the per-channel randomness tests of Wu, Noonan, Agaian, "NPCR and UACI Randomness Tests for Image
/// Encryption", Cyber Journals JSAT (April 2011).
/// </summary>
public sealed record DifferentialResult(
    int Width,
    int Height,
    int Channels,
    double[] NpcrPerChannel,
    double[] UaciPerChannel,
    double Npcr,
    double Uaci,
    double Alpha,
    double NpcrCritical,
    AcceptanceInterval UaciInterval)
{
    /// <summary>Per channel: NPCR ≥ N*α (one-sided test; critical value for W·H pixels).</summary>
    public bool[] NpcrPassesPerChannel => Array.ConvertAll(NpcrPerChannel, v => v >= NpcrCritical);

    /// <summary>Per channel: UACI inside [U*−, U*+] (two-sided test; W·H pixels).</summary>
    public bool[] UaciPassesPerChannel => Array.ConvertAll(UaciPerChannel, v => UaciInterval.Contains(v));
}

/// <summary>NPCR/UACI and their critical values.</summary>
public static class DifferentialAnalysis
{
    /// <summary>Largest pixel value F of 8-bit images.</summary>
    public const int ByteMaxValue = 255;

    /// <summary>
    /// NPCR (% of positions whose values differ) and UACI (mean |c₁ − c₂| / 255, in %) of two HWC 8-bit cipher
    /// images, per channel and pooled, plus the α-level critical values for a W·H-pixel channel.
    /// </summary>
    public static DifferentialResult Compute(ReadOnlySpan<byte> cipher1, ReadOnlySpan<byte> cipher2, int width, int height, int channels, double alpha = 0.05)
    {
        int n = Guard.Pair("NPCR/UACI", cipher1.Length, cipher2.Length, width, height, channels);
        Guard.Probability("NPCR/UACI", "alpha", alpha);
        var changed = new long[channels];
        var absSum = new long[channels];
        for (int i = 0; i < n; i += channels)
        {
            for (int c = 0; c < channels; c++)
            {
                int d = Math.Abs(cipher1[i + c] - cipher2[i + c]);
                if (d != 0) changed[c]++;
                absSum[c] += d;
            }
        }
        long pixels = (long)width * height;
        var npcr = new double[channels];
        var uaci = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            npcr[c] = 100.0 * changed[c] / pixels;
            uaci[c] = 100.0 * absSum[c] / ((double)ByteMaxValue * pixels);
        }
        return new DifferentialResult(
            Width: width,
            Height: height,
            Channels: channels,
            NpcrPerChannel: npcr,
            UaciPerChannel: uaci,
            Npcr: 100.0 * changed.Sum() / n,
            Uaci: 100.0 * absSum.Sum() / ((double)ByteMaxValue * n),
            Alpha: alpha,
            NpcrCritical: NpcrCriticalValue(pixels, alpha),
            UaciInterval: UaciCriticalInterval(pixels, alpha));
    }

    /// <summary>Expected NPCR of two ideal cipher images, μ_N = F/(F+1), in % (99.6094 for F = 255).</summary>
    public static double NpcrExpected(int maxValue = ByteMaxValue) => 100.0 * maxValue / (maxValue + 1.0);

    /// <summary>Expected UACI of two ideal cipher images, μ_U = (F+2)/(3F+3), in % (33.4635 for F = 255).</summary>
    public static double UaciExpected(int maxValue = ByteMaxValue) => 100.0 * (maxValue + 2.0) / (3.0 * maxValue + 3.0);

    /// <summary>
    /// NPCR critical value N*α (in %) for <paramref name="pixelCount"/> = M·N pixels:
    /// N*α = μ_N − z₁₋α σ_N with σ_N² = F / ((F+1)² M N), i.e. (F − z₁₋α √(F/(MN))) / (F+1).
    /// 256×256, α = 0.05 → 99.5693 %; 512×512 → 99.5893 %.
    /// </summary>
    public static double NpcrCriticalValue(long pixelCount, double alpha = 0.05, int maxValue = ByteMaxValue)
    {
        CheckArgs(pixelCount, alpha, maxValue);
        double f = maxValue;
        double sigma = Math.Sqrt(f / ((f + 1) * (f + 1) * pixelCount));
        return 100.0 * (f / (f + 1) - Distributions.NormalQuantile(1 - alpha) * sigma);
    }

    /// <summary>
    /// UACI acceptance interval [U*−α, U*+α] (in %) for M·N pixels: μ_U ∓ z₁₋α/₂ σ_U with
    /// σ_U² = (F+2)(F² + 2F + 3) / (18 (F+1)² M N F).
    /// 256×256, α = 0.05 → [33.2824, 33.6447] %; 512×512 → [33.3730, 33.5541] %.
    /// </summary>
    public static AcceptanceInterval UaciCriticalInterval(long pixelCount, double alpha = 0.05, int maxValue = ByteMaxValue)
    {
        CheckArgs(pixelCount, alpha, maxValue);
        double f = maxValue;
        double mu = (f + 2) / (3 * f + 3);
        double sigma = Math.Sqrt((f + 2) * (f * f + 2 * f + 3) / (18 * (f + 1) * (f + 1) * pixelCount * f));
        double half = Distributions.NormalQuantile(1 - alpha / 2) * sigma;
        return new AcceptanceInterval(100.0 * (mu - half), 100.0 * (mu + half));
    }

    private static void CheckArgs(long pixelCount, double alpha, int maxValue)
    {
        if (pixelCount <= 0) throw new MetricsException($"NPCR/UACI: pixel count must be positive (got {pixelCount})");
        if (maxValue <= 0) throw new MetricsException($"NPCR/UACI: largest pixel value must be positive (got {maxValue})");
        Guard.Probability("NPCR/UACI", "alpha", alpha);
    }
}
