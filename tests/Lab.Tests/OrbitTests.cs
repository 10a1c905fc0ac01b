using SecureTransmit.Lab.Analysis;
using SecureTransmit.Lab.Analysis.Internal;

namespace SecureTransmit.Lab.Tests;

/// <summary>Brent's cycle search, the equivalent-key search and the key-space estimates.</summary>
public class OrbitTests
{
    /// <summary>Reference: remember every value's first index; the first repeat gives μ and λ.</summary>
    private static (long Mu, long Lambda) Naive(Func<double, double> f, double x0, int limit)
    {
        var first = new Dictionary<double, long>();
        double x = x0;
        for (long i = 0; i < limit; i++)
        {
            if (first.TryGetValue(x, out long j)) return (j, i - j);
            first[x] = i;
            x = f(x);
        }
        throw new InvalidOperationException("no cycle within the limit");
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(2.0)]
    [InlineData(200.0)]
    public void Brent_MatchesANaiveSearch_OnAnIntegerMap(double x0)
    {
        static double F(double x) => (x * x + 1) % 1009;
        var (mu, lambda) = Naive(F, x0, 100_000);
        var search = OrbitAnalysis.Generic(F, x0, 100_000);
        Assert.True(search.Found);
        Assert.Equal(mu, search.Transient);
        Assert.Equal(lambda, search.Period);
    }

    [Theory]
    [InlineData(0.3, 3.2)]   // attracting 2-cycle
    [InlineData(0.3, 3.5)]   // attracting 4-cycle
    [InlineData(0.123, 3.83)] // period-3 window
    public void LogisticBrent_MatchesANaiveSearch(double x0, double r)
    {
        var (mu, lambda) = Naive(x => r * x * (1.0 - x), x0, 2_000_000);
        var search = OrbitAnalysis.Logistic(x0, r, 10_000_000);
        Assert.True(search.Found);
        Assert.Equal(mu, search.Transient);
        Assert.Equal(lambda, search.Period);
    }

    [Fact]
    public void Brent_GivesUpAtTheLimit()
    {
        var search = OrbitAnalysis.Logistic(0.3, 3.99, 1000);
        Assert.False(search.Found);
        Assert.Equal(1000, search.Iterations);
    }

    [Fact]
    public void EquivalentKeys_FindsEveryGridKeyThatAForwardScanFinds()
    {
        const double Step = 1.0 / (1L << 53);
        const int Depth = 6;
        var samples = EquivalentKeys.Samples(6, 42);
        foreach (var (x0, r) in samples)
        {
            double y = x0;
            for (int i = 0; i < Depth; i++) y = r * y * (1.0 - y);
            // Forward reference over ±3000 grid neighbours of x0 and of 1 − x0.
            long forward = 0;
            foreach (double centre in new[] { x0, 1.0 - x0 })
                for (int k = -3000; k <= 3000; k++)
                {
                    double z = centre + k * Step;
                    double w = z;
                    for (int i = 0; i < Depth; i++) w = r * w * (1.0 - w);
                    if (w == y) forward++;
                }
            var count = EquivalentKeys.Count(x0, r, Depth);
            Assert.False(count.Capped);
            Assert.True(count.GridAncestors >= forward, $"backward search found {count.GridAncestors} keys, a forward scan {forward}");
            Assert.True(count.GridAncestors >= 1);
        }
    }

    [Fact]
    public void PaperKeySpace_IsAtMostEightBits_AndFailsTheCriterion()
    {
        var (log2, _, terms, _) = KeySpace.Estimate(AnalysisModes.PaperLogistic, 1, 0, 1);
        Assert.True(log2 <= 8);
        Assert.Contains(terms, t => t.Name.StartsWith("distinct keystreams", StringComparison.Ordinal));
        Assert.True(log2 < KeySpace.MinimumLog2);
    }

    [Fact]
    public void LogisticNominalKeySpace_IsAbout2To103()
    {
        var (log2, _, _, _) = KeySpace.Estimate(AnalysisModes.Logistic, 1, 0, 1);
        // 53-bit x0 grid (less the excluded ends) and the doubles of [3.57, 4): 0.43 · 2^51.
        Assert.Equal(53 + Math.Log2(0.43 * Math.Pow(2, 51)), log2, 2);
    }
}
