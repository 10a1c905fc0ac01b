using System.Text.Json;
using SecureTransmit.Metrics;

namespace SecureTransmit.Metrics.Tests;

public class SsimTests
{
    [Fact]
    public void Ssim_OfIdenticalImages_IsOne()
    {
        var rng = new Random(7);
        var a = new byte[32 * 24 * 3];
        rng.NextBytes(a);
        Assert.Equal(1.0, ImageQuality.Ssim(a, a, 32, 24, 3), 12);
        Assert.Equal(1.0, ImageQuality.SsimLuma(a, a, 32, 24, 3), 12);
        float[] f = ImageQualityTests.ToPlanar(a, 32 * 24, 3);
        Assert.Equal(1.0, ImageQuality.SsimPlanar(f, f, 32, 24, 3), 12);
    }

    [Fact]
    public void Ssim_OfConstantImages_IsTheLuminanceTerm()
    {
        // Zero variance everywhere: S = (2·100·110 + C1)/(100² + 110² + C1), C1 = (0.01·255)² = 6.5025
        // = 22006.5025 / 22106.5025 = 0.99547644.
        byte[] a = Enumerable.Repeat((byte)100, 16 * 16).ToArray();
        byte[] b = Enumerable.Repeat((byte)110, 16 * 16).ToArray();
        Assert.Equal(0.9954764441, ImageQuality.Ssim(a, b, 16, 16, 1), 9);
    }

    [Fact]
    public void Ssim_OnOnePixel_ShrinksWindowToOne()
    {
        // w = 1: luminance term only; (0 + 6.5025)/(0 + 255² + 6.5025) = 9.9990001e-5.
        Assert.Equal(9.9990001e-5, ImageQuality.Ssim(new byte[] { 0 }, new byte[] { 255 }, 1, 1, 1), 12);
        Assert.Equal(1.0, ImageQuality.Ssim(new byte[] { 77, 77 }, new byte[] { 77, 77 }, 2, 1, 1), 12);
    }

    public static TheoryData<string> FixtureCases() => new() { "rgb16_noise", "rgb23x19_contrast", "gray9x7_small" };

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void Ssim_MatchesIndependentNumpyReference(string name)
    {
        var c = LoadCase(name);
        int w = c.GetProperty("width").GetInt32(), h = c.GetProperty("height").GetInt32(), ch = c.GetProperty("channels").GetInt32();
        byte[] a = Convert.FromBase64String(c.GetProperty("a").GetString()!);
        byte[] b = Convert.FromBase64String(c.GetProperty("b").GetString()!);

        double[] expectedPer = c.GetProperty("ssim_per_channel").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double[] per = ImageQuality.SsimPerChannel(a, b, w, h, ch);
        Assert.Equal(expectedPer.Length, per.Length);
        for (int i = 0; i < per.Length; i++) Assert.InRange(per[i] - expectedPer[i], -1e-6, 1e-6);

        double expected = c.GetProperty("ssim").GetDouble();
        Assert.InRange(ImageQuality.Ssim(a, b, w, h, ch) - expected, -1e-6, 1e-6);

        // Same images as [0,1] planar floats with data range 1 give the same SSIM (the constants scale with L).
        float[] fa = ImageQualityTests.ToPlanar(a, w * h, ch), fb = ImageQualityTests.ToPlanar(b, w * h, ch);
        Assert.InRange(ImageQuality.SsimPlanar(fa, fb, w, h, ch) - expected, -1e-6, 1e-6);

        if (c.TryGetProperty("ssim_luma", out var luma))
        {
            Assert.InRange(ImageQuality.SsimLuma(a, b, w, h, ch) - luma.GetDouble(), -1e-6, 1e-6);
        }

        // The fixture also carries MSE and PSNR from numpy.
        Assert.InRange(ImageQuality.Mse(a, b) - c.GetProperty("mse").GetDouble(), -1e-9, 1e-9);
        Assert.InRange(ImageQuality.Psnr(a, b) - c.GetProperty("psnr").GetDouble(), -1e-9, 1e-9);
    }

    [Fact]
    public void Ssim_FixtureValuesAreNotTrivial()
    {
        // Guards the comparison above: the cases must actually differ from 1 and from each other.
        var values = new[] { "rgb16_noise", "rgb23x19_contrast", "gray9x7_small" }.Select(n => LoadCase(n).GetProperty("ssim").GetDouble()).ToArray();
        Assert.All(values, v => Assert.InRange(v, 0.5, 0.99));
        Assert.Equal(values.Length, values.Distinct().Count());
    }

    private static JsonElement LoadCase(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "fixtures", "ssim_fixture.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"SSIM fixture missing at {path}; regenerate it with: /usr/bin/python3 tests/Metrics.Tests/fixtures/make_ssim_fixture.py > tests/Metrics.Tests/fixtures/ssim_fixture.json");
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            if (c.GetProperty("name").GetString() == name) return c.Clone();
        }
        throw new InvalidOperationException($"SSIM fixture has no case {name}");
    }
}
