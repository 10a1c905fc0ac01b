namespace SecureTransmit.Metrics.Internal;

/// <summary>erfc, ln Γ and the regularized incomplete gamma functions, written from their textbook series.</summary>
internal static class SpecialFunctions
{
    private const double SqrtPi = 1.7724538509055160273;

    /// <summary>
    /// Complementary error function. |z| &lt; 3: the all-positive series
    /// erf z = (2/√π) e^{-z²} Σ 2ⁿ z^{2n+1} / (1·3·…·(2n+1)); z ≥ 3: the Laplace continued fraction
    /// erfc z = e^{-z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …)))), evaluated from the tail.
    /// </summary>
    public static double Erfc(double z)
    {
        if (double.IsNaN(z)) return double.NaN;
        if (z < 0) return 2.0 - Erfc(-z);
        if (z < 3.0)
        {
            double term = z, sum = z, z2 = z * z;
            for (int n = 1; n < 500; n++)
            {
                term *= 2.0 * z2 / (2 * n + 1);
                sum += term;
                if (term < 1e-17 * sum) break;
            }
            double erf = 2.0 / SqrtPi * Math.Exp(-z2) * sum;
            return 1.0 - erf;
        }
        if (z > 27.0) return 0.0; // e^{-729} underflows
        double t = z;
        for (int n = 300; n >= 1; n--) t = z + 0.5 * n / t;
        return Math.Exp(-z * z) / SqrtPi / t;
    }

    /// <summary>ln Γ(x), x &gt; 0: shift to x ≥ 10 by Γ(x+1) = xΓ(x), then Stirling's series to z⁻⁹.</summary>
    public static double LogGamma(double x)
    {
        double shift = 0.0;
        double z = x;
        while (z < 10.0)
        {
            shift += Math.Log(z);
            z += 1.0;
        }
        double zi = 1.0 / z, zi2 = zi * zi;
        double series = zi * (1.0 / 12 - zi2 * (1.0 / 360 - zi2 * (1.0 / 1260 - zi2 * (1.0 / 1680 - zi2 * (1.0 / 1188)))));
        return (z - 0.5) * Math.Log(z) - z + 0.91893853320467274178 + series - shift;
    }

    /// <summary>Regularized lower incomplete gamma P(a, x).</summary>
    public static double RegularizedGammaP(double a, double x)
    {
        if (x <= 0) return 0.0;
        return x < a + 1.0 ? GammaSeries(a, x) : 1.0 - GammaContinuedFraction(a, x);
    }

    /// <summary>Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), accurate in the far tail.</summary>
    public static double RegularizedGammaQ(double a, double x)
    {
        if (x <= 0) return 1.0;
        return x < a + 1.0 ? 1.0 - GammaSeries(a, x) : GammaContinuedFraction(a, x);
    }

    // P(a,x) = x^a e^{-x} / Γ(a) · Σ_{n≥0} xⁿ / (a (a+1) … (a+n)).
    private static double GammaSeries(double a, double x)
    {
        double term = 1.0 / a, sum = term;
        for (int n = 1; n < 100000; n++)
        {
            term *= x / (a + n);
            sum += term;
            if (Math.Abs(term) < 1e-17 * Math.Abs(sum)) break;
        }
        return sum * Math.Exp(a * Math.Log(x) - x - LogGamma(a));
    }

    // Q(a,x) = x^a e^{-x} / Γ(a) · 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- …))), modified Lentz.
    private static double GammaContinuedFraction(double a, double x)
    {
        const double tiny = 1e-300;
        double b = x + 1.0 - a;
        double c = 1.0 / tiny;
        double d = 1.0 / b;
        double f = d;
        for (int i = 1; i < 100000; i++)
        {
            double an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            if (Math.Abs(d) < tiny) d = tiny;
            c = b + an / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1.0 / d;
            double delta = d * c;
            f *= delta;
            if (Math.Abs(delta - 1.0) < 1e-16) break;
        }
        return f * Math.Exp(a * Math.Log(x) - x - LogGamma(a));
    }
}
