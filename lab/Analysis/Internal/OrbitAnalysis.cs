using SecureTransmit.Security;

namespace SecureTransmit.Lab.Analysis.Internal;

/// <summary>Result of a cycle search: μ (transient) and λ (period) when a cycle was found; Iterations = map evaluations of the search phase.</summary>
internal readonly record struct CycleSearch(bool Found, long Transient, long Period, long Iterations);

/// <summary>
/// Brent's cycle-finding algorithm (R. P. Brent, "An improved Monte Carlo factorization algorithm", BIT 20,
/// 1980) on the logistic map in IEEE-754 double precision, evaluated exactly as both generators do:
/// x ← (r · x) · (1 − x).
/// </summary>
internal static class OrbitAnalysis
{
    /// <summary>Searches the orbit of <paramref name="x0"/> for a repeated value within <paramref name="maxIterations"/> map evaluations of the search phase.</summary>
    public static CycleSearch Logistic(double x0, double r, long maxIterations)
    {
        // Search phase: the hare runs ahead; the tortoise teleports to the hare at powers of two.
        long power = 1, lambda = 1, steps = 1;
        double tortoise = x0, hare = r * x0 * (1.0 - x0);
        while (tortoise != hare)
        {
            if (steps >= maxIterations) return new CycleSearch(false, 0, 0, steps);
            if (power == lambda)
            {
                tortoise = hare;
                power <<= 1;
                lambda = 0;
            }
            hare = r * hare * (1.0 - hare);
            lambda++;
            steps++;
        }

        // Transient: start one pointer λ ahead of the other and walk both until they meet.
        double t = x0, h = x0;
        for (long i = 0; i < lambda; i++) h = r * h * (1.0 - h);
        long mu = 0;
        while (t != h)
        {
            t = r * t * (1.0 - t);
            h = r * h * (1.0 - h);
            mu++;
        }
        return new CycleSearch(true, mu, lambda, steps);
    }

    /// <summary>Brent's algorithm for any map on doubles (used by the tests with maps of known cycle structure).</summary>
    public static CycleSearch Generic(Func<double, double> f, double x0, long maxIterations)
    {
        long power = 1, lambda = 1, steps = 1;
        double tortoise = x0, hare = f(x0);
        while (tortoise != hare)
        {
            if (steps >= maxIterations) return new CycleSearch(false, 0, 0, steps);
            if (power == lambda)
            {
                tortoise = hare;
                power <<= 1;
                lambda = 0;
            }
            hare = f(hare);
            lambda++;
            steps++;
        }
        double t = x0, h = x0;
        for (long i = 0; i < lambda; i++) h = f(h);
        long mu = 0;
        while (t != h)
        {
            t = f(t);
            h = f(h);
            mu++;
        }
        return new CycleSearch(true, mu, lambda, steps);
    }

    /// <summary>The (x0, r) samples studied for a mode: the logistic mode's own parameter derivation, or the paper form's x0 grid.</summary>
    public static List<(double X0, double R)> Samples(string mode, int count, ulong seed)
    {
        var list = new List<(double, double)>();
        if (mode == AnalysisModes.PaperLogistic)
        {
            // The whole key space is 256 values of x0; take an evenly spaced subset (all 256 when count ≥ 256).
            int n = Math.Min(256, count);
            for (int i = 0; i < n; i++)
                list.Add((PaperLogisticCipher.X0FromLatentByte((byte)(i * 256 / n)), PaperLogisticCipher.DefaultR));
            return list;
        }
        var rng = new Data.SplitMix64(seed);
        while (list.Count < count)
        {
            var key = Seeded.Bytes(rng.Next(), 32);
            if (LogisticKeystream.TryDeriveParameters(key, 0, out double x0, out double r)) list.Add((x0, r));
        }
        return list;
    }
}
