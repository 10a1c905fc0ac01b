using SecureTransmit.Metrics.Internal;

namespace SecureTransmit.Metrics;

/// <summary>
/// The few probability functions the randomness tests need, computed here rather than tabulated:
/// the standard normal CDF and quantile, the chi-square CDF and upper critical value, and log-gamma.
/// Accuracy is about 1e-13 relative in the ranges these tests use (|z| &lt; 8, dof up to 1e6).
/// </summary>
public static class Distributions
{
    /// <summary>Standard normal CDF Φ(x).</summary>
    public static double NormalCdf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        return 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2.0));
    }

    /// <summary>
    /// Standard normal quantile Φ⁻¹(p) for 0 &lt; p &lt; 1, e.g. <c>NormalQuantile(0.975)</c> = 1.959964.
    /// Found by bisection on <see cref="NormalCdf"/> in the lower tail (symmetry for p &gt; 0.5).
    /// </summary>
    public static double NormalQuantile(double p)
    {
        Guard.Probability("normal quantile", "p", p);
        if (p == 0.5) return 0.0;
        if (p > 0.5) return -NormalQuantile(1.0 - p);
        double lo = -40.0, hi = 0.0;
        for (int i = 0; i < 200 && hi - lo > 1e-15; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (NormalCdf(mid) < p) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>Chi-square CDF with <paramref name="degreesOfFreedom"/> dof: P(k/2, x/2).</summary>
    public static double ChiSquareCdf(double x, int degreesOfFreedom)
    {
        if (degreesOfFreedom <= 0) throw new MetricsException($"chi-square: degrees of freedom must be positive (got {degreesOfFreedom})");
        if (x <= 0) return 0.0;
        return SpecialFunctions.RegularizedGammaP(0.5 * degreesOfFreedom, 0.5 * x);
    }

    /// <summary>Upper-tail probability of the chi-square distribution, Q(k/2, x/2).</summary>
    public static double ChiSquareSurvival(double x, int degreesOfFreedom)
    {
        if (degreesOfFreedom <= 0) throw new MetricsException($"chi-square: degrees of freedom must be positive (got {degreesOfFreedom})");
        if (x <= 0) return 1.0;
        return SpecialFunctions.RegularizedGammaQ(0.5 * degreesOfFreedom, 0.5 * x);
    }

    /// <summary>
    /// Upper critical value χ²(α, dof): the x with <c>ChiSquareSurvival(x, dof) = alpha</c>.
    /// For 255 dof and α = 0.05 this is 293.2478 (the value image-encryption papers quote).
    /// </summary>
    public static double ChiSquareCriticalValue(int degreesOfFreedom, double alpha)
    {
        if (degreesOfFreedom <= 0) throw new MetricsException($"chi-square: degrees of freedom must be positive (got {degreesOfFreedom})");
        Guard.Probability("chi-square critical value", "alpha", alpha);
        double lo = 0.0, hi = degreesOfFreedom + 10.0 * Math.Sqrt(2.0 * degreesOfFreedom) + 50.0;
        while (ChiSquareSurvival(hi, degreesOfFreedom) > alpha) hi *= 2.0;
        for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (ChiSquareSurvival(mid, degreesOfFreedom) > alpha) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0)) throw new MetricsException($"log-gamma: argument must be positive (got {x})");
        return SpecialFunctions.LogGamma(x);
    }
}
