using SecureTransmit.Metrics;

namespace SecureTransmit.Metrics.Tests;

public class CorrelationTests
{
    [Fact]
    public void Pearson_IsHandComputed()
    {
        Assert.Equal(1.0, AdjacentCorrelation.Pearson(new byte[] { 0, 10, 20, 30 }, new byte[] { 5, 7, 9, 11 }), 12);
        Assert.Equal(-1.0, AdjacentCorrelation.Pearson(new byte[] { 1, 2, 3 }, new byte[] { 3, 2, 1 }), 12);
        // x = 1,2,3,4; y = 1,3,2,4: sxy = 2.25−0.25−0.25+2.25 = 4, sxx = syy = 5 -> r = 0.8
        Assert.Equal(0.8, AdjacentCorrelation.Pearson(new double[] { 1, 2, 3, 4 }, new double[] { 1, 3, 2, 4 }), 12);
        Assert.True(double.IsNaN(AdjacentCorrelation.Pearson(new byte[] { 4, 4, 4 }, new byte[] { 1, 2, 3 })));
    }

    [Fact]
    public void HorizontalRamp_HasCorrelationOne()
    {
        // 5x2 grey image, each row a linear ramp: horizontal pairs lie on y = x + 10.
        byte[] img = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90];
        var r = AdjacentCorrelation.Compute(img, 5, 2, 1, 0, AdjacencyDirection.Horizontal);
        Assert.Equal(8, r.PairCount); // 4 per row
        Assert.Equal(1.0, r.R, 12);
        Assert.False(r.WithinBand);
    }

    [Fact]
    public void Pairs_FollowDirection()
    {
        // 2x2 image [[1,2],[3,4]].
        byte[] img = [1, 2, 3, 4];
        Assert.Equal("1,3|2,4", Pair(img, AdjacencyDirection.Horizontal));
        Assert.Equal("1,2|3,4", Pair(img, AdjacencyDirection.Vertical));
        Assert.Equal("1|4", Pair(img, AdjacencyDirection.Diagonal));
        Assert.Equal("2|3", Pair(img, AdjacencyDirection.AntiDiagonal));

        // Channel selection on a 2x1 RGB image: G of pixel 0 with G of pixel 1.
        var (f, s) = AdjacentCorrelation.Pairs(new byte[] { 1, 2, 3, 4, 5, 6 }, 2, 1, 3, 1, AdjacencyDirection.Horizontal);
        Assert.Equal(new byte[] { 2 }, f);
        Assert.Equal(new byte[] { 5 }, s);
    }

    [Fact]
    public void RandomPairs_AreSeeded_AndRandomImageIsWithinBand()
    {
        var img = new byte[256 * 256];
        new Random(5).NextBytes(img);
        var opts = new CorrelationOptions { SampleCount = 5000, Seed = 11 };
        foreach (AdjacencyDirection d in Enum.GetValues<AdjacencyDirection>())
        {
            var r = AdjacentCorrelation.Compute(img, 256, 256, 1, 0, d, opts);
            Assert.Equal(5000, r.PairCount);
            Assert.Equal(1.96 / Math.Sqrt(5000), r.SignificanceBand, 12);
            // |r| of independent bytes: sd 1/√5000 = 0.014; 5 sd bound so this cannot flake.
            Assert.InRange(r.R, -0.07, 0.07);
        }
        var a = AdjacentCorrelation.Pairs(img, 256, 256, 1, 0, AdjacencyDirection.Vertical, opts);
        var b = AdjacentCorrelation.Pairs(img, 256, 256, 1, 0, AdjacencyDirection.Vertical, opts);
        Assert.Equal(a.First, b.First);
        Assert.Equal(a.Second, b.Second);
    }

    [Fact]
    public void SmoothImage_IsStronglyCorrelated_InEveryDirection()
    {
        var img = new byte[64 * 64];
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
                img[y * 64 + x] = (byte)(2 * x + y);
        foreach (AdjacencyDirection d in Enum.GetValues<AdjacencyDirection>())
        {
            Assert.True(AdjacentCorrelation.Compute(img, 64, 64, 1, 0, d).R > 0.98, d.ToString());
        }
    }

    [Fact]
    public void TooSmallImage_Throws()
        => Assert.Throws<MetricsException>(() => AdjacentCorrelation.Compute(new byte[] { 1 }, 1, 1, 1, 0, AdjacencyDirection.Horizontal));

    private static string Pair(byte[] img, AdjacencyDirection d)
    {
        var (f, s) = AdjacentCorrelation.Pairs(img, 2, 2, 1, 0, d);
        return string.Join(",", f) + "|" + string.Join(",", s);
    }
}
