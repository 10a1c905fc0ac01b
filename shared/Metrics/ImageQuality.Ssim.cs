using SecureTransmit.Metrics.Internal;

namespace SecureTransmit.Metrics;

public static partial class ImageQuality
{
    /// <summary>BT.601 luma weights used by <see cref="SsimLuma"/>: Y = 0.299 R + 0.587 G + 0.114 B (not rounded).</summary>
    public static readonly double[] Bt601LumaWeights = [0.299, 0.587, 0.114];

    /// <summary>
    /// SSIM of two interleaved HWC 8-bit images: computed on each channel separately and averaged over
    /// channels (this is what <see cref="Ssim"/> returns, equal to skimage's <c>channel_axis=-1</c> result;
    /// for 1 channel it is the grey SSIM). Data range 255 unless <paramref name="options"/> says otherwise.
    /// </summary>
    /// <remarks>
    /// Small images: when the window (11 by default) is larger than the smaller side, the window is shrunk to
    /// the largest odd size w ≤ min(width, height), keeping σ and truncating the Gaussian to radius (w−1)/2
    /// (then renormalised). That equals skimage with <c>truncate = ((w−1)/2)/σ</c>, which skimage itself would
    /// refuse to run for sides below 11. A 1- or 2-pixel side gives w = 1: the SSIM map is then the per-pixel
    /// luminance term (2xy + C1)/(x² + y² + C1).
    /// </remarks>
    public static double Ssim(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int width, int height, int channels, SsimOptions? options = null)
        => SsimPerChannel(a, b, width, height, channels, options).Average();

    /// <summary>Per-channel SSIM of two interleaved HWC 8-bit images (see <see cref="Ssim"/>).</summary>
    public static double[] SsimPerChannel(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int width, int height, int channels, SsimOptions? options = null)
    {
        int n = Guard.Pair("SSIM", a.Length, b.Length, width, height, channels);
        options ??= SsimOptions.Default;
        double range = options.DataRange ?? ByteMax;
        int plane = width * height;
        var x = new double[plane];
        var y = new double[plane];
        var result = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            for (int p = 0, i = c; i < n; p++, i += channels)
            {
                x[p] = a[i];
                y[p] = b[i];
            }
            result[c] = SsimKernel.Mean(x, y, width, height, range, options);
        }
        return result;
    }

    /// <summary>
    /// SSIM on luma: both HWC 8-bit images are reduced to Y = 0.299 R + 0.587 G + 0.114 B (BT.601, kept as
    /// doubles, not rounded) and compared as one grey image with data range 255. 1-channel images are used as is.
    /// </summary>
    public static double SsimLuma(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int width, int height, int channels, SsimOptions? options = null)
    {
        int n = Guard.Pair("SSIM (luma)", a.Length, b.Length, width, height, channels);
        if (channels != 1 && channels != 3) throw new MetricsException($"SSIM (luma): needs 1 or 3 channels (got {channels})");
        options ??= SsimOptions.Default;
        int plane = width * height;
        var x = new double[plane];
        var y = new double[plane];
        for (int p = 0, i = 0; i < n; p++, i += channels)
        {
            if (channels == 1)
            {
                x[p] = a[i];
                y[p] = b[i];
            }
            else
            {
                x[p] = 0.299 * a[i] + 0.587 * a[i + 1] + 0.114 * a[i + 2];
                y[p] = 0.299 * b[i] + 0.587 * b[i + 1] + 0.114 * b[i + 2];
            }
        }
        return SsimKernel.Mean(x, y, width, height, options.DataRange ?? ByteMax, options);
    }

    /// <summary>Channel-averaged SSIM of two planar CHW float images; data range 1.0 unless set in options.</summary>
    public static double SsimPlanar(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int width, int height, int channels, SsimOptions? options = null)
        => SsimPerChannelPlanar(a, b, width, height, channels, options).Average();

    /// <summary>Per-channel SSIM of two planar CHW float images; data range 1.0 unless set in options.</summary>
    public static double[] SsimPerChannelPlanar(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int width, int height, int channels, SsimOptions? options = null)
    {
        Guard.Pair("SSIM", a.Length, b.Length, width, height, channels);
        options ??= SsimOptions.Default;
        double range = options.DataRange ?? UnitMax;
        int plane = width * height;
        var x = new double[plane];
        var y = new double[plane];
        var result = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> pa = a.Slice(c * plane, plane), pb = b.Slice(c * plane, plane);
            for (int p = 0; p < plane; p++)
            {
                x[p] = pa[p];
                y[p] = pb[p];
            }
            result[c] = SsimKernel.Mean(x, y, width, height, range, options);
        }
        return result;
    }
}
