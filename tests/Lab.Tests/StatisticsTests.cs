using SecureTransmit.Lab.Analysis;
using SecureTransmit.Lab.Analysis.Internal;

namespace SecureTransmit.Lab.Tests;

/// <summary>χ², entropy, correlation, NPCR/UACI driven through the analysis code on tiny hand-made inputs.</summary>
public class StatisticsTests
{
    /// <summary>
    /// 4×2 RGB image. R: 0..7 in raster order (8 distinct values); G: all 5; B: 10, 10, 20, 20, 30, 30, 40, 40.
    /// </summary>
    private static byte[] Tiny()
    {
        byte[] b = [10, 10, 20, 20, 30, 30, 40, 40];
        var hwc = new byte[4 * 2 * 3];
        for (int i = 0; i < 8; i++)
        {
            hwc[3 * i] = (byte)i;
            hwc[3 * i + 1] = 5;
            hwc[3 * i + 2] = b[i];
        }
        return hwc;
    }

    [Fact]
    public void ChiSquareAndEntropy_MatchHandComputedValues()
    {
        var s = StatisticsAnalysis.Compute(Tiny(), 4, 2, 3, seed: 0);
        // χ² = 256·Σo²/N − N with N = 8: R eight bins of 1 → 256·8/8 − 8 = 248; G one bin of 8 → 256·64/8 − 8 = 2040;
        // B four bins of 2 → 256·16/8 − 8 = 504.
        Assert.Equal(248.0, s.ChiSquare[0], 9);
        Assert.Equal(2040.0, s.ChiSquare[1], 9);
        Assert.Equal(504.0, s.ChiSquare[2], 9);
    }

    [Fact]
    public void ChiSquareVerdicts_UseTheCriticalValue()
    {
        var s = StatisticsAnalysis.Compute(Tiny(), 4, 2, 3, seed: 0);
        Assert.Equal(new[] { true, false, false }, s.ChiSquarePass);
    }

    [Fact]
    public void Entropy_MatchesHandComputedValues_AndSmallImagesSkipLocalEntropy()
    {
        var s = StatisticsAnalysis.Compute(Tiny(), 4, 2, 3, seed: 0);
        Assert.Equal(3.0, s.Entropy[0], 12); // 8 equiprobable values
        Assert.Equal(0.0, s.Entropy[1], 12); // constant
        Assert.Equal(2.0, s.Entropy[2], 12); // 4 equiprobable values
        Assert.Equal(8, s.SamplesPerChannel);
        Assert.Null(s.LocalEntropy);
        Assert.Contains("cannot hold", s.LocalEntropySkipped);
    }

    [Fact]
    public void Correlation_OfARampIsOne_InEveryDirection()
    {
        var s = StatisticsAnalysis.Compute(Tiny(), 4, 2, 3, seed: 0);
        // R rows are 0 1 2 3 / 4 5 6 7: every horizontal, vertical and diagonal neighbour is x + 1, x + 4, x + 5.
        foreach (var row in s.Correlation)
        {
            Assert.Equal(1.0, row.R[0], 12);
            Assert.Equal(1.96 / Math.Sqrt(row.PairCount), row.Band, 12);
            Assert.Equal(1.0 < 1.96 / Math.Sqrt(row.PairCount), row.Pass[0]); // 6 pairs: band 0.80 (fail); 3 pairs: 1.13 (pass)
            Assert.True(double.IsNaN(row.R[1])); // constant channel
        }
        Assert.Equal(6, s.Correlation.Single(c => c.Direction == "Horizontal").PairCount);
        Assert.Equal(4, s.Correlation.Single(c => c.Direction == "Vertical").PairCount);
        Assert.Equal(3, s.Correlation.Single(c => c.Direction == "Diagonal").PairCount);
    }

    [Fact]
    public void NpcrUaci_OfHandMadeCipherImages()
    {
        // 2×2 RGB. c1 all zero; c2: R = 0, 255, 0, 0; G = 10, 0, 0, 0; B unchanged.
        var c1 = new byte[12];
        var c2 = new byte[12];
        c2[1 * 3 + 0] = 255;
        c2[0 * 3 + 1] = 10;
        var row = DifferentialExperiments.Compare("t", "t", false, c1, c2, 2, 2, 3);
        Assert.Equal(25.0, row.NpcrPerChannel[0], 12);
        Assert.Equal(25.0, row.NpcrPerChannel[1], 12);
        Assert.Equal(0.0, row.NpcrPerChannel[2], 12);
        Assert.Equal(100.0 * 2 / 12, row.Npcr, 12);
        Assert.Equal(25.0, row.UaciPerChannel[0], 12);               // 255/255 over 4 pixels
        Assert.Equal(100.0 * 10 / 255 / 4, row.UaciPerChannel[1], 12); // 10/255 over 4 pixels
        Assert.Equal(100.0 * 265 / 255 / 12, row.Uaci, 12);
        Assert.All(row.NpcrPass, p => Assert.False(p));
    }

    [Fact]
    public void OneByteChange_WrapsModulo256_AtTheRequestedSample()
    {
        var hwc = new byte[3 * 2 * 3];
        hwc[(1 * 3 + 2) * 3 + 1] = 255; // pixel (2, 1), channel G
        var changed = DifferentialExperiments.WithOneByteChanged(hwc, 3, 2, 3, 2, 1, 1);
        Assert.Equal(0, changed[(1 * 3 + 2) * 3 + 1]);
        Assert.Equal(1, hwc.Zip(changed).Count(p => p.First != p.Second));
        Assert.Throws<AnalysisException>(() => DifferentialExperiments.WithOneByteChanged(hwc, 3, 2, 3, 3, 0, 0));
    }

    [Fact]
    public void PaperForm_OneChangedByteChangesOneCipherByte_OursChangesAll()
    {
        var image = SyntheticImages.Noise(16, 16, 99);
        var paper = DifferentialExperiments.Run(CipherUnderTest.Create(AnalysisModes.PaperLogistic, 1), null, image.Pixels, 16, 16, 3, 1);
        var centre = paper.Single(r => r.Variant == "deployed-centre");
        Assert.Equal(100.0 / 256, centre.NpcrPerChannel[0], 12); // one pixel of 256 in R
        Assert.Equal(0.0, centre.NpcrPerChannel[1]);
        Assert.Equal(100.0 / 768, centre.Npcr, 12);

        var logistic = DifferentialExperiments.Run(CipherUnderTest.Create(AnalysisModes.Logistic, 1), new LogisticDerivationModel(1),
            image.Pixels, 16, 16, 3, 1);
        Assert.True(logistic.Single(r => r.Variant == "deployed-centre").Npcr > 97);
        Assert.True(logistic.Single(r => r.Variant == "fixed-nonce-model").Npcr > 97);
        Assert.Equal(100.0 / 768, logistic.Single(r => r.Variant == "key-block-reused").Npcr, 12);

        var aes = DifferentialExperiments.Run(CipherUnderTest.Create(AnalysisModes.Aes256Gcm, 1), null, image.Pixels, 16, 16, 3, 1);
        Assert.True(aes.Single(r => r.Variant == "deployed-centre").Npcr > 97);
        Assert.Equal(100.0 / 768, aes.Single(r => r.Variant == "fixed-nonce").Npcr, 12);
    }

    [Fact]
    public void NoiseReferencePsnr_OfABlackImage()
    {
        // MSE against uniform noise = (0 − 127.5)² + (256² − 1)/12 = 16256.25 + 5461.25 = 21717.5.
        double expected = 10 * Math.Log10(255.0 * 255.0 / 21717.5);
        Assert.Equal(expected, StatisticsAnalysis.NoiseReferencePsnr(new byte[100]), 12);
    }

    [Fact]
    public void Tally_UsesTheNistProportionBound_AndHardFailures()
    {
        // n = 90, α = 0.05: 0.95 − 3·√(0.0475/90) = 0.88108…; 80/90 = 0.8889 passes, 79/90 = 0.8778 fails.
        Assert.True(new TestTally("s", "t", "c", 80, 90, 0.05, false).Verdict);
        Assert.False(new TestTally("s", "t", "c", 79, 90, 0.05, false).Verdict);
        Assert.Equal(0.95 - 3 * Math.Sqrt(0.05 * 0.95 / 90), new TestTally("s", "t", "c", 0, 90, 0.05, false).RequiredProportion, 12);
        Assert.False(new TestTally("s", "t", "c", 90, 90, 0.05, false, HardFailures: 1).Verdict);
        Assert.False(new TestTally("s", "t", "c", 9, 10, 0, false).Verdict);
    }
}
