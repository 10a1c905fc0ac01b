using SecureTransmit.Metrics;

namespace SecureTransmit.Metrics.Tests;

public class DifferentialTests
{
    [Fact]
    public void OnePixelOfFourDiffers_Npcr25_UaciByHand()
    {
        var r = DifferentialAnalysis.Compute(new byte[] { 0, 0, 0, 0 }, new byte[] { 0, 0, 0, 255 }, 2, 2, 1);
        Assert.Equal(25.0, r.Npcr, 12);
        Assert.Equal(25.0, r.Uaci, 12); // (255/255)/4 · 100

        r = DifferentialAnalysis.Compute(new byte[] { 10, 20, 30, 40 }, new byte[] { 10, 20, 30, 91 }, 2, 2, 1);
        Assert.Equal(25.0, r.Npcr, 12);
        Assert.Equal(5.0, r.Uaci, 12); // (51/255)/4 · 100
    }

    [Fact]
    public void PerChannel_AndPooled()
    {
        // 2x1 RGB. R differs in both pixels (|Δ| 255, 255), G in one (|Δ| 102), B in none.
        byte[] c1 = [0, 0, 7, 255, 10, 9];
        byte[] c2 = [255, 102, 7, 0, 10, 9];
        var r = DifferentialAnalysis.Compute(c1, c2, 2, 1, 3);
        Assert.Equal(new[] { 100.0, 50.0, 0.0 }, r.NpcrPerChannel);
        Assert.Equal(100.0, r.UaciPerChannel[0], 12);
        Assert.Equal(20.0, r.UaciPerChannel[1], 12); // (102/255)/2 · 100
        Assert.Equal(0.0, r.UaciPerChannel[2], 12);
        Assert.Equal(50.0, r.Npcr, 12); // 3 of 6 samples
        Assert.Equal(100.0 * (255 + 255 + 102) / (255.0 * 6), r.Uaci, 12);
    }

    [Fact]
    public void ExpectedValues()
    {
        Assert.Equal(99.609375, DifferentialAnalysis.NpcrExpected(), 12); // 255/256
        Assert.Equal(100.0 * 257 / 768, DifferentialAnalysis.UaciExpected(), 12); // 33.4635
    }

    [Theory]
    [InlineData(256, 99.5693, 33.2824, 33.6447)]
    [InlineData(512, 99.5893, 33.3730, 33.5541)]
    public void CriticalValues_ReproduceWu2011Table(int side, double npcr, double uaciLow, double uaciHigh)
    {
        long pixels = (long)side * side;
        Assert.Equal(npcr, Math.Round(DifferentialAnalysis.NpcrCriticalValue(pixels, 0.05), 4));
        var u = DifferentialAnalysis.UaciCriticalInterval(pixels, 0.05);
        Assert.Equal(uaciLow, Math.Round(u.Low, 4));
        Assert.Equal(uaciHigh, Math.Round(u.High, 4));
    }

    [Fact]
    public void RandomCipherPair_PassesTests()
    {
        var rng = new Random(3);
        var a = new byte[256 * 256 * 3];
        var b = new byte[a.Length];
        rng.NextBytes(a);
        rng.NextBytes(b);
        var r = DifferentialAnalysis.Compute(a, b, 256, 256, 3);
        Assert.Equal(DifferentialAnalysis.NpcrCriticalValue(65536), r.NpcrCritical);
        Assert.InRange(r.Npcr, 99.5, 99.7);
        Assert.InRange(r.Uaci, 33.2, 33.7);

        // Identical ciphers fail both.
        var same = DifferentialAnalysis.Compute(a, a, 256, 256, 3);
        Assert.All(same.NpcrPassesPerChannel, p => Assert.False(p));
        Assert.All(same.UaciPassesPerChannel, p => Assert.False(p));
    }
}
