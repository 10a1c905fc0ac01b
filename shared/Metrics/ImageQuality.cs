using SecureTransmit.Metrics.Internal;

namespace SecureTransmit.Metrics;

/// <summary>
/// Full-reference image quality: MSE, PSNR, MAE, SSIM and Keras categorical accuracy.
/// <para>
/// Layouts: <c>byte</c> overloads take interleaved HWC 8-bit images (row-major, channel fastest,
/// values 0..255, MAX = 255). Overloads whose name ends in <c>Planar</c> take planar CHW
/// <c>float</c> images (channel-major) in [0, 1], MAX = 1.0. All sums run in double precision.
/// </para>
/// <para>
/// "Overall" values pool every sample of every channel (MSE over W·H·C samples; PSNR from that pooled MSE),
/// which is what <c>skimage.metrics.peak_signal_noise_ratio</c> does on a colour array; it is not the mean
/// of the per-channel PSNRs. Identical images give MSE 0 and PSNR +∞ (format it with
/// <see cref="MetricFormat.Decibels"/>, which writes "inf").
/// </para>
/// </summary>
public static partial class ImageQuality
{
    /// <summary>MAX for 8-bit samples.</summary>
    public const double ByteMax = 255.0;

    /// <summary>MAX for float samples in [0, 1].</summary>
    public const double UnitMax = 1.0;

    // ---------------------------------------------------------------- MSE

    /// <summary>Mean squared error over all samples of two equally long 8-bit buffers (any layout).</summary>
    public static double Mse(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Guard.SameLength("MSE", a.Length, b.Length);
        long sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int d = a[i] - b[i];
            sum += d * d;
        }
        return (double)sum / a.Length;
    }

    /// <summary>Mean squared error over all samples of two equally long float buffers (any layout).</summary>
    public static double Mse(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Guard.SameLength("MSE", a.Length, b.Length);
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }
        return sum / a.Length;
    }

    /// <summary>Per-channel MSE of two interleaved HWC 8-bit images; element c is channel c.</summary>
    public static double[] MsePerChannel(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int width, int height, int channels)
    {
        int n = Guard.Pair("MSE", a.Length, b.Length, width, height, channels);
        var sums = new long[channels];
        for (int i = 0; i < n; i += channels)
        {
            for (int c = 0; c < channels; c++)
            {
                int d = a[i + c] - b[i + c];
                sums[c] += d * d;
            }
        }
        double pixels = (double)width * height;
        var result = new double[channels];
        for (int c = 0; c < channels; c++) result[c] = sums[c] / pixels;
        return result;
    }

    /// <summary>Per-channel MSE of two planar CHW float images; element c is channel c.</summary>
    public static double[] MsePerChannelPlanar(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int width, int height, int channels)
    {
        Guard.Pair("MSE", a.Length, b.Length, width, height, channels);
        int plane = width * height;
        var result = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            result[c] = Mse(a.Slice(c * plane, plane), b.Slice(c * plane, plane));
        }
        return result;
    }

    // ---------------------------------------------------------------- PSNR

    /// <summary>PSNR in dB from an MSE: 10·log10(MAX²/MSE); +∞ when MSE is 0.</summary>
    public static double PsnrFromMse(double mse, double max)
    {
        if (!(mse >= 0) || double.IsInfinity(mse)) throw new MetricsException($"PSNR: MSE must be a finite non-negative number (got {mse})");
        if (!(max > 0) || double.IsInfinity(max)) throw new MetricsException($"PSNR: MAX must be a finite positive number (got {max})");
        if (mse == 0) return double.PositiveInfinity;
        return 10.0 * Math.Log10(max * max / mse);
    }

    /// <summary>Overall PSNR (dB, MAX = 255) of two equally long 8-bit buffers.</summary>
    public static double Psnr(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => PsnrFromMse(Mse(a, b), ByteMax);

    /// <summary>Overall PSNR (dB, MAX = 1.0) of two equally long [0, 1] float buffers.</summary>
    public static double Psnr(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => PsnrFromMse(Mse(a, b), UnitMax);

    /// <summary>Per-channel PSNR (dB, MAX = 255) of two interleaved HWC 8-bit images.</summary>
    public static double[] PsnrPerChannel(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int width, int height, int channels)
        => Array.ConvertAll(MsePerChannel(a, b, width, height, channels), m => PsnrFromMse(m, ByteMax));

    /// <summary>Per-channel PSNR (dB, MAX = 1.0) of two planar CHW float images.</summary>
    public static double[] PsnrPerChannelPlanar(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int width, int height, int channels)
        => Array.ConvertAll(MsePerChannelPlanar(a, b, width, height, channels), m => PsnrFromMse(m, UnitMax));

    // ---------------------------------------------------------------- MAE

    /// <summary>Mean absolute error over all samples of two equally long 8-bit buffers (in 0..255 units).</summary>
    public static double MeanAbsoluteError(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Guard.SameLength("MAE", a.Length, b.Length);
        long sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return (double)sum / a.Length;
    }

    /// <summary>Mean absolute error over all samples of two equally long float buffers.</summary>
    public static double MeanAbsoluteError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Guard.SameLength("MAE", a.Length, b.Length);
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs((double)a[i] - b[i]);
        return sum / a.Length;
    }

    // ---------------------------------------------------------------- Keras categorical accuracy

    /// <summary>
    /// Keras <c>categorical_accuracy</c> over the channel axis, as paper A reports it: the fraction of pixels
    /// whose argmax over channels in <paramref name="reconstruction"/> equals the argmax in
    /// <paramref name="original"/>. Ties resolve to the first (lowest) channel index, like numpy.argmax.
    /// Interleaved HWC 8-bit images. Returns a fraction in [0, 1].
    /// </summary>
    public static double KerasCategoricalAccuracy(ReadOnlySpan<byte> original, ReadOnlySpan<byte> reconstruction, int width, int height, int channels)
    {
        int n = Guard.Pair("categorical accuracy", original.Length, reconstruction.Length, width, height, channels);
        long hits = 0;
        for (int i = 0; i < n; i += channels)
        {
            if (ArgMax(original.Slice(i, channels)) == ArgMax(reconstruction.Slice(i, channels))) hits++;
        }
        return (double)hits / ((long)width * height);
    }

    /// <summary>
    /// <see cref="KerasCategoricalAccuracy(ReadOnlySpan{byte}, ReadOnlySpan{byte}, int, int, int)"/> on planar
    /// CHW float images (argmax across the C planes at each pixel; ties to the first index).
    /// </summary>
    public static double KerasCategoricalAccuracyPlanar(ReadOnlySpan<float> original, ReadOnlySpan<float> reconstruction, int width, int height, int channels)
    {
        Guard.Pair("categorical accuracy", original.Length, reconstruction.Length, width, height, channels);
        int plane = width * height;
        long hits = 0;
        for (int p = 0; p < plane; p++)
        {
            int ia = 0, ib = 0;
            float ba = original[p], bb = reconstruction[p];
            for (int c = 1; c < channels; c++)
            {
                float va = original[c * plane + p], vb = reconstruction[c * plane + p];
                if (va > ba) { ba = va; ia = c; }
                if (vb > bb) { bb = vb; ib = c; }
            }
            if (ia == ib) hits++;
        }
        return (double)hits / plane;
    }

    private static int ArgMax(ReadOnlySpan<byte> v)
    {
        int best = 0;
        for (int c = 1; c < v.Length; c++)
        {
            if (v[c] > v[best]) best = c;
        }
        return best;
    }

    // ---------------------------------------------------------------- all at once

    /// <summary>
    /// Every quality metric of <paramref name="reconstruction"/> against <paramref name="original"/>
    /// (interleaved HWC 8-bit). SSIM is skipped (NaN) when <paramref name="includeSsim"/> is false;
    /// luma SSIM is NaN unless channels is 1 or 3.
    /// </summary>
    public static QualityReport Compare(ReadOnlySpan<byte> original, ReadOnlySpan<byte> reconstruction, int width, int height, int channels, bool includeSsim = true)
    {
        Guard.Pair("quality report", original.Length, reconstruction.Length, width, height, channels);
        double[] msePerChannel = MsePerChannel(original, reconstruction, width, height, channels);
        double mse = Mse(original, reconstruction);
        double[] ssimPerChannel = includeSsim ? SsimPerChannel(original, reconstruction, width, height, channels) : [];
        double ssim = includeSsim ? ssimPerChannel.Average() : double.NaN;
        double ssimLuma = includeSsim && (channels == 1 || channels == 3) ? SsimLuma(original, reconstruction, width, height, channels) : double.NaN;
        return new QualityReport(
            Width: width,
            Height: height,
            Channels: channels,
            Mse: mse,
            MsePerChannel: msePerChannel,
            Psnr: PsnrFromMse(mse, ByteMax),
            PsnrPerChannel: Array.ConvertAll(msePerChannel, m => PsnrFromMse(m, ByteMax)),
            MeanAbsoluteError: MeanAbsoluteError(original, reconstruction),
            Ssim: ssim,
            SsimPerChannel: ssimPerChannel,
            SsimLuma: ssimLuma,
            CategoricalAccuracy: KerasCategoricalAccuracy(original, reconstruction, width, height, channels));
    }
}

/// <summary>The result of <see cref="ImageQuality.Compare"/>. PSNR values are in dB and may be +∞.</summary>
public sealed record QualityReport(
    int Width,
    int Height,
    int Channels,
    double Mse,
    double[] MsePerChannel,
    double Psnr,
    double[] PsnrPerChannel,
    double MeanAbsoluteError,
    double Ssim,
    double[] SsimPerChannel,
    double SsimLuma,
    double CategoricalAccuracy)
{
    /// <summary>One line, invariant culture, e.g. <c>PSNR 31.42 dB, SSIM 0.9123, MSE 4.7000, acc 0.9871</c>.</summary>
    public override string ToString()
        => $"PSNR {MetricFormat.Decibels(Psnr)} dB, SSIM {MetricFormat.Number(Ssim, 4)}, MSE {MetricFormat.Number(Mse, 4)}, acc {MetricFormat.Number(CategoricalAccuracy, 4)}";
}
