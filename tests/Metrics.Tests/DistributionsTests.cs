using SecureTransmit.Metrics;

namespace SecureTransmit.Metrics.Tests;

public class DistributionsTests
{
    [Theory]
    [InlineData(0.975, 1.959963985)]
    [InlineData(0.95, 1.644853627)]
    [InlineData(0.995, 2.575829304)]
    [InlineData(0.5, 0.0)]
    [InlineData(0.025, -1.959963985)]
    [InlineData(1e-6, -4.753424309)]
    public void NormalQuantile_MatchesTables(double p, double z)
        => Assert.InRange(Distributions.NormalQuantile(p), z - 1e-8, z + 1e-8);

    [Theory]
    [InlineData(1.96, 0.9750021049)]
    [InlineData(0.0, 0.5)]
    [InlineData(-3.5, 0.0002326291)]
    [InlineData(5.0, 0.9999997133)]
    public void NormalCdf_MatchesTables(double x, double p)
        => Assert.InRange(Distributions.NormalCdf(x), p - 1e-10, p + 1e-10);

    [Theory]
    [InlineData(1, 0.05, 3.841458821)]
    [InlineData(10, 0.05, 18.30703805)]
    [InlineData(255, 0.05, 293.2478)]
    public void ChiSquareCriticalValue_MatchesTables(int dof, double alpha, double expected)
        => Assert.InRange(Distributions.ChiSquareCriticalValue(dof, alpha), expected - 1e-4, expected + 1e-4);

    [Fact]
    public void LogGamma_MatchesFactorials()
    {
        Assert.Equal(Math.Log(24), Distributions.LogGamma(5), 12);
        Assert.Equal(0.5 * Math.Log(Math.PI), Distributions.LogGamma(0.5), 12);
        Assert.Equal(0.0, Distributions.LogGamma(1), 12);
    }

    [Fact]
    public void BadArguments_Throw()
    {
        Assert.Throws<MetricsException>(() => Distributions.NormalQuantile(0));
        Assert.Throws<MetricsException>(() => Distributions.NormalQuantile(1));
        Assert.Throws<MetricsException>(() => Distributions.ChiSquareCriticalValue(0, 0.05));
    }
}
