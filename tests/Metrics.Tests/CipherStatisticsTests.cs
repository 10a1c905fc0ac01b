using SecureTransmit.Metrics;

namespace SecureTransmit.Metrics.Tests;

public class CipherStatisticsTests
{
    [Fact]
    public void Entropy_OfTinyInputs_IsHandComputed()
    {
        Assert.Equal(1.0, CipherStatistics.ShannonEntropy(new byte[] { 0, 0, 1, 1 }), 12);
        Assert.Equal(2.0, CipherStatistics.ShannonEntropy(new byte[] { 0, 1, 2, 3 }), 12);
        Assert.Equal(0.0, CipherStatistics.ShannonEntropy(new byte[] { 9, 9, 9 }), 12);
        // p = (1/2, 1/4, 1/4): 0.5·1 + 2·0.25·2 = 1.5 bits
        Assert.Equal(1.5, CipherStatistics.ShannonEntropy(new byte[] { 5, 5, 6, 7 }), 12);
        byte[] all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        Assert.Equal(8.0, CipherStatistics.ShannonEntropy(all), 12);
    }

    [Fact]
    public void Histogram_CountsEveryByte()
    {
        long[] h = CipherStatistics.Histogram(new byte[] { 0, 255, 255, 7 });
        Assert.Equal(256, h.Length);
        Assert.Equal(1, h[0]);
        Assert.Equal(2, h[255]);
        Assert.Equal(1, h[7]);
        Assert.Equal(4, h.Sum());
        Assert.Equal(new byte[] { 2, 5 }, CipherStatistics.Channel(new byte[] { 1, 2, 3, 4, 5, 6 }, 2, 1, 3, 1));
    }

    [Fact]
    public void ChiSquare_IsHandComputed()
    {
        // Each value once: o = e = 1 everywhere -> 0.
        byte[] all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        Assert.Equal(0.0, CipherStatistics.ChiSquare(all), 12);
        // 256 zeros: e = 1; bin 0: (256-1)²/1 = 65025; 255 empty bins: 1 each -> 65280.
        Assert.Equal(65280.0, CipherStatistics.ChiSquare(new byte[256]), 9);
    }

    [Fact]
    public void ChiSquareCriticalValue_ReproducesPublished293_2478()
    {
        double v = CipherStatistics.ChiSquareCriticalValue();
        Assert.InRange(v, 293.2478 - 5e-4, 293.2478 + 5e-4);
        Assert.Equal(CipherStatistics.ChiSquareCritical255Alpha005, Math.Round(v, 4));
    }

    [Fact]
    public void ExpectedEntropy_SmallN_IsHandComputed()
    {
        Assert.Equal(0.0, CipherStatistics.ExpectedEntropy(1), 12);
        // N = 2: 1 bit when the two bytes differ (probability 255/256), else 0.
        Assert.Equal(255.0 / 256.0, CipherStatistics.ExpectedEntropy(2), 12);
        // H is Bernoulli(255/256) -> sd = sqrt(255/256 · 1/256) = sqrt(255)/256 = 15.968719422671/256 = 0.0623778102.
        Assert.Equal(0.0623778102, CipherStatistics.EntropyStandardDeviation(2), 9);
    }

    [Fact]
    public void ExpectedEntropy_1936_ReproducesWu2013Mean()
    {
        // Wu et al. 2013: μ = 7.902469317 for T_B = 1936 (fixtures/entropy_moments.py: 7.90246931664656).
        Assert.InRange(CipherStatistics.ExpectedEntropy(1936), 7.90246931664656 - 1e-12, 7.90246931664656 + 1e-12);
        Assert.Equal(7.902469317, Math.Round(CipherStatistics.ExpectedEntropy(1936), 9));
    }

    [Fact]
    public void ExpectedEntropy_512Squared_MatchesMillerMadowApproximation()
    {
        // Approximation by hand: 8 − 255/(2·262144·ln 2) = 8 − 255/363408.9 = 7.9992983108.
        Assert.Equal(7.9992983108, CipherStatistics.ExpectedEntropyApprox(512 * 512), 9);
        double exact = CipherStatistics.ExpectedEntropy(512 * 512);
        Assert.Equal(7.9993, Math.Round(exact, 4));
        Assert.InRange(exact - CipherStatistics.ExpectedEntropyApprox(512 * 512), -1e-6, 1e-6);
        // For small N the approximation is visibly off (7.90499 vs 7.90247).
        Assert.InRange(CipherStatistics.ExpectedEntropyApprox(1936) - CipherStatistics.ExpectedEntropy(1936), 0.002, 0.003);
    }

    [Fact]
    public void EntropyStandardDeviation_1936_MatchesIndependentComputation()
    {
        // 0.00869422583929578 from fixtures/entropy_moments.py (exact integer trinomial weights, 50-digit
        // decimals); a 10⁵-block Monte Carlo gave 0.00872.
        Assert.InRange(CipherStatistics.EntropyStandardDeviation(1936), 0.0086942258393 - 1e-12, 0.0086942258393 + 1e-12);
    }

    [Fact]
    public void EntropyMoments_AgreeWithMonteCarlo()
    {
        // 4000 random blocks of 1936 bytes: mean and sd within a few standard errors of the exact moments.
        var rng = new Random(12345);
        var block = new byte[1936];
        var hs = new double[4000];
        for (int i = 0; i < hs.Length; i++)
        {
            rng.NextBytes(block);
            hs[i] = CipherStatistics.ShannonEntropy(block);
        }
        double mean = hs.Average();
        double sd = Math.Sqrt(hs.Select(h => (h - mean) * (h - mean)).Sum() / (hs.Length - 1));
        double mu = CipherStatistics.ExpectedEntropy(1936), sigma = CipherStatistics.EntropyStandardDeviation(1936);
        Assert.InRange(mean, mu - 5 * sigma / Math.Sqrt(hs.Length), mu + 5 * sigma / Math.Sqrt(hs.Length));
        Assert.InRange(sd / sigma, 0.9, 1.1);
    }

    [Fact]
    public void LocalEntropyIntervals_PublishedAndExact()
    {
        var published = CipherStatistics.PublishedLocalEntropyInterval(30, 1936, 0.05);
        Assert.NotNull(published);
        Assert.Equal(7.901515698, published.Value.Low);
        Assert.Equal(7.903422936, published.Value.High);
        Assert.Null(CipherStatistics.PublishedLocalEntropyInterval(30, 1936, 0.01));

        // Published centre = exact mean.
        Assert.InRange((published.Value.Low + published.Value.High) / 2 - CipherStatistics.ExpectedEntropy(1936), -1e-9, 1e-9);

        // Exact interval μ ± 1.959963985·σ/√30 (fixtures/entropy_moments.py): [7.8993581851, 7.9055804482].
        var exact = CipherStatistics.ExactLocalEntropyInterval(30, 1936, 0.05);
        Assert.InRange(exact.Low, 7.8993581851 - 1e-9, 7.8993581851 + 1e-9);
        Assert.InRange(exact.High, 7.9055804482 - 1e-9, 7.9055804482 + 1e-9);
    }

    [Fact]
    public void LocalShannonEntropy_RandomImage_UsesDisjointSquareBlocks()
    {
        const int w = 512, h = 512;
        var img = new byte[w * h];
        new Random(99).NextBytes(img);
        var r = CipherStatistics.LocalShannonEntropy(img, w, h, 1, new LocalEntropyOptions { Seed = 3 });
        Assert.Equal((44, 44), (r.BlockWidth, r.BlockHeight));
        Assert.Equal(30, r.BlockOrigins.Count);
        Assert.Equal(30, r.BlockOrigins.Distinct().Count());
        Assert.All(r.BlockOrigins, o => Assert.True(o.X % 44 == 0 && o.Y % 44 == 0 && o.X + 44 <= w && o.Y + 44 <= h));
        // 30 block means of an ideal source: within 5 standard errors of μ (σ/√30 = 0.0016).
        Assert.InRange(r.Mean, 7.902469 - 0.008, 7.902469 + 0.008);
        Assert.Equal(7.902469317, Math.Round(r.ExpectedMean, 9));
        Assert.NotNull(r.PublishedInterval); // defaults k = 30, T_B = 1936, α = 0.05 are the published row
        Assert.Equal(r.PublishedInterval.Value.Contains(r.Mean), r.Passes);

        // Same seed -> same blocks; different seed -> different blocks.
        var again = CipherStatistics.LocalShannonEntropy(img, w, h, 1, new LocalEntropyOptions { Seed = 3 });
        Assert.Equal(r.BlockOrigins, again.BlockOrigins);
        var other = CipherStatistics.LocalShannonEntropy(img, w, h, 1, new LocalEntropyOptions { Seed = 4 });
        Assert.NotEqual(r.BlockOrigins, other.BlockOrigins);
    }

    [Fact]
    public void LocalShannonEntropy_ConstantImage_Fails_AndSmallImageUsesFlatBlocks()
    {
        var flat = new byte[256 * 256 * 3];
        var r = CipherStatistics.LocalShannonEntropy(flat, 256, 256, 3);
        Assert.Equal((121, 16), (r.BlockWidth, r.BlockHeight)); // 44x44 fits only 25 times in 256x256
        Assert.All(r.MeanPerChannel, m => Assert.Equal(0.0, m));
        Assert.False(r.Passes);
        Assert.Throws<MetricsException>(() => CipherStatistics.LocalShannonEntropy(new byte[100 * 100], 100, 100, 1));
    }

    [Fact]
    public void LocalShannonEntropy_ComputesEachBlockOnItsOwnPixels()
    {
        // 4 blocks of 4 pixels (2x2 tiles of a 4x4 image), k = 4 takes all tiles.
        // Tiles: top-left all 0 (H=0), top-right 0,1,0,1 (H=1), bottom-left 0..3 (H=2), bottom-right 0,0,0,1 (H=0.811278).
        byte[] img =
        [
            0, 0, 0, 1,
            0, 0, 0, 1,
            0, 1, 0, 0,
            2, 3, 0, 1,
        ];
        var r = CipherStatistics.LocalShannonEntropy(img, 4, 4, 1, new LocalEntropyOptions { BlockCount = 4, BlockPixels = 4 });
        Assert.Equal((2, 2), (r.BlockWidth, r.BlockHeight));
        // -(3/4)log2(3/4) - (1/4)log2(1/4) = 0.8112781245
        double expectedMean = (0 + 1 + 2 + 0.8112781245) / 4;
        Assert.Equal(expectedMean, r.Mean, 9);
    }

    [Fact]
    public void BitsPerPixel_IsHandComputed()
    {
        Assert.Equal(1.0, Rate.BitsPerPixel(1000, 100, 80), 12);
        Assert.Equal(24.0, Rate.BitsPerPixel(3 * 64, 8, 8), 12);
        Assert.Throws<MetricsException>(() => Rate.BitsPerPixel(10, 0, 8));
    }
}
