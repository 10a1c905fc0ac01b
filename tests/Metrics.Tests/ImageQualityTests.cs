using SecureTransmit.Metrics;

namespace SecureTransmit.Metrics.Tests;

public class ImageQualityTests
{
    [Fact]
    public void Mse_OfTinyBuffers_IsHandComputed()
    {
        // diffs 1,2,3,4 -> (1 + 4 + 9 + 16) / 4 = 7.5
        Assert.Equal(7.5, ImageQuality.Mse(new byte[] { 0, 0, 0, 0 }, new byte[] { 1, 2, 3, 4 }), 12);
        // float diffs 0.5, 0 -> 0.25 / 2
        Assert.Equal(0.125, ImageQuality.Mse(new float[] { 0.5f, 1f }, new float[] { 0f, 1f }), 12);
    }

    [Fact]
    public void MsePerChannel_ReadsInterleavedHwc()
    {
        // 2x1 image, 2 channels: pixel0 (10,20) vs (12,20); pixel1 (30,40) vs (30,44).
        byte[] a = [10, 20, 30, 40];
        byte[] b = [12, 20, 30, 44];
        double[] per = ImageQuality.MsePerChannel(a, b, 2, 1, 2);
        Assert.Equal(2.0, per[0], 12); // (2² + 0) / 2
        Assert.Equal(8.0, per[1], 12); // (0 + 4²) / 2
        Assert.Equal(5.0, ImageQuality.Mse(a, b), 12); // (4 + 16) / 4
    }

    [Fact]
    public void MsePerChannelPlanar_ReadsChw()
    {
        // C=2, H=1, W=2: plane0 = [0, 0] vs [0.5, 0]; plane1 = [1, 1] vs [1, 1].
        float[] a = [0f, 0f, 1f, 1f];
        float[] b = [0.5f, 0f, 1f, 1f];
        double[] per = ImageQuality.MsePerChannelPlanar(a, b, 2, 1, 2);
        Assert.Equal(0.125, per[0], 12);
        Assert.Equal(0.0, per[1], 12);
        double[] psnr = ImageQuality.PsnrPerChannelPlanar(a, b, 2, 1, 2);
        Assert.Equal(10 * Math.Log10(1 / 0.125), psnr[0], 9); // 9.0309 dB
        Assert.True(double.IsPositiveInfinity(psnr[1]));
    }

    [Fact]
    public void Psnr_OfKnownMse()
    {
        // 10·log10(255² / 65.025) = 10·log10(1000) = 30 dB exactly.
        Assert.Equal(30.0, ImageQuality.PsnrFromMse(65.025, 255), 9);
        // MSE 1 on bytes: 20·log10(255) = 48.1308036 dB.
        Assert.Equal(48.1308036, ImageQuality.PsnrFromMse(1, 255), 6);
        // MSE 0.01 on [0,1] floats: 20 dB.
        Assert.Equal(20.0, ImageQuality.PsnrFromMse(0.01, 1.0), 9);
        // Bytes all off by 2: MSE 4, PSNR = 10·log10(65025/4) = 42.1102037 dB.
        Assert.Equal(42.1102037, ImageQuality.Psnr(new byte[] { 0, 0, 0, 0 }, new byte[] { 2, 2, 2, 2 }), 6);
        // Floats all off by 0.1: MSE 0.01 -> 20 dB (float rounding of 0.1 allowed for).
        Assert.Equal(20.0, ImageQuality.Psnr(new float[] { 0f, 0.5f }, new float[] { 0.1f, 0.6f }), 4);
    }

    [Fact]
    public void Psnr_OfIdenticalImages_IsInfinite_AndFormatsAsInf()
    {
        byte[] a = [1, 2, 3, 4, 5, 6];
        double psnr = ImageQuality.Psnr(a, a);
        Assert.True(double.IsPositiveInfinity(psnr));
        Assert.Equal("inf", MetricFormat.Decibels(psnr));
        Assert.Equal("31.42", MetricFormat.Decibels(31.4159));
        Assert.All(ImageQuality.PsnrPerChannel(a, a, 1, 2, 3), p => Assert.True(double.IsPositiveInfinity(p)));
    }

    [Fact]
    public void MeanAbsoluteError_IsHandComputed()
    {
        Assert.Equal(2.5, ImageQuality.MeanAbsoluteError(new byte[] { 10, 0, 255, 7 }, new byte[] { 9, 4, 250, 7 }), 12); // (1+4+5+0)/4
        Assert.Equal(0.25, ImageQuality.MeanAbsoluteError(new float[] { 0f, 1f }, new float[] { 0.5f, 1f }), 12);
    }

    [Fact]
    public void KerasCategoricalAccuracy_ArgmaxOverChannels_TiesToFirst()
    {
        // 2x2 RGB. Original argmax: R, G, B, tie R=G -> R(0).
        byte[] original =
        [
            200, 10, 10,   10, 200, 10,
            10, 10, 200,   90, 90, 5,
        ];
        // Reconstruction argmax: R (hit), B (miss), B (hit), G (miss: 0 vs 1).
        byte[] recon =
        [
            150, 20, 20,   10, 100, 101,
            0, 0, 1,       50, 60, 10,
        ];
        Assert.Equal(0.5, ImageQuality.KerasCategoricalAccuracy(original, recon, 2, 2, 3), 12);

        // Recon tie G=B at pixel 1 -> first index G: now a hit -> 3/4.
        recon[4] = 100;
        recon[5] = 100;
        Assert.Equal(0.75, ImageQuality.KerasCategoricalAccuracy(original, recon, 2, 2, 3), 12);
        Assert.Equal(1.0, ImageQuality.KerasCategoricalAccuracy(original, original, 2, 2, 3), 12);
    }

    [Fact]
    public void KerasCategoricalAccuracyPlanar_MatchesInterleavedOnSameData()
    {
        byte[] original = [200, 10, 10, 10, 200, 10, 10, 10, 200, 90, 90, 5];
        byte[] recon = [150, 20, 20, 10, 100, 101, 0, 0, 1, 50, 60, 10];
        float[] pa = ToPlanar(original, 4, 3), pb = ToPlanar(recon, 4, 3);
        Assert.Equal(0.5, ImageQuality.KerasCategoricalAccuracyPlanar(pa, pb, 2, 2, 3), 12);
    }

    [Fact]
    public void Mismatched_Buffers_ThrowMetricsException()
    {
        var ex = Assert.Throws<MetricsException>(() => ImageQuality.Mse(new byte[3], new byte[4]));
        Assert.Contains("differ in length", ex.Message);
        ex = Assert.Throws<MetricsException>(() => ImageQuality.MsePerChannel(new byte[12], new byte[12], 2, 2, 2));
        Assert.Contains("2x2x2", ex.Message);
        Assert.Throws<MetricsException>(() => ImageQuality.Ssim(new byte[12], new byte[12], 0, 4, 3));
        Assert.Throws<MetricsException>(() => ImageQuality.SsimLuma(new byte[8], new byte[8], 2, 2, 2));
        Assert.Throws<MetricsException>(() => new SsimOptions { Sigma = -1 });
    }

    internal static float[] ToPlanar(byte[] hwc, int pixels, int channels)
    {
        var chw = new float[hwc.Length];
        for (int p = 0; p < pixels; p++)
        {
            for (int c = 0; c < channels; c++) chw[c * pixels + p] = hwc[p * channels + c] / 255f;
        }
        return chw;
    }
}
