namespace SecureTransmit.Metrics.Internal;

/// <summary>
/// Mean and variance of the plug-in entropy H = −Σᵢ (nᵢ/N) log₂(nᵢ/N) when (n₁ … n_L) is multinomial
/// with N trials and equal cell probabilities 1/L. Binomial and conditional-binomial probabilities are built
/// by the ratio recurrence from the mode and renormalised over the window where they are non-negligible,
/// so no factorials of large numbers are formed.
/// </summary>
internal static class UniformEntropyMoments
{
    /// <summary>E[H] = L · E[f(n)], n ~ Binomial(N, 1/L), f(n) = −(n/N) log₂(n/N).</summary>
    public static double Mean(long n, int cells)
    {
        var (lo, probs) = BinomialWindow(n, 1.0 / cells);
        double ef = 0;
        for (int i = 0; i < probs.Length; i++) ef += probs[i] * F(lo + i, n);
        return cells * ef;
    }

    /// <summary>
    /// Var[H] = L·Var f(n₁) + L(L−1)·Cov(f(n₁), f(n₂)); the pair (n₁, n₂) is drawn as n₁ ~ Bin(N, p),
    /// n₂ | n₁ ~ Bin(N − n₁, p/(1 − p)).
    /// </summary>
    public static double Variance(long n, int cells)
    {
        double p = 1.0 / cells;
        var (lo, probs) = BinomialWindow(n, p);
        double ef = 0, ef2 = 0, eff = 0;
        for (int i = 0; i < probs.Length; i++)
        {
            long a = lo + i;
            double fa = F(a, n);
            ef += probs[i] * fa;
            ef2 += probs[i] * fa * fa;
            if (fa == 0) continue;
            var (lo2, cond) = BinomialWindow(n - a, p / (1.0 - p));
            double inner = 0;
            for (int j = 0; j < cond.Length; j++) inner += cond[j] * F(lo2 + j, n);
            eff += probs[i] * fa * inner;
        }
        double varF = ef2 - ef * ef;
        double covF = eff - ef * ef;
        return cells * varF + (double)cells * (cells - 1) * covF;
    }

    private static double F(long count, long n)
    {
        if (count == 0) return 0.0;
        double q = (double)count / n;
        return -q * Math.Log2(q);
    }

    /// <summary>
    /// Binomial(N, p) probabilities for k in [lo, lo + length) covering all mass above 1e-30 of the mode,
    /// normalised to sum to 1.
    /// </summary>
    private static (long Lo, double[] Probs) BinomialWindow(long n, double p)
    {
        if (n == 0) return (0, [1.0]);
        long mode = Math.Min(n, (long)Math.Floor((n + 1) * p));
        double ratio = p / (1.0 - p);
        var up = new List<double>();
        double w = 1.0;
        for (long k = mode; k < n; k++)
        {
            w *= (double)(n - k) / (k + 1) * ratio; // P(k+1)/P(k)
            if (w < 1e-30) break;
            up.Add(w);
        }
        var down = new List<double>();
        w = 1.0;
        for (long k = mode; k > 0; k--)
        {
            w *= k / ((double)(n - k + 1) * ratio); // P(k-1)/P(k)
            if (w < 1e-30) break;
            down.Add(w);
        }
        var probs = new double[down.Count + 1 + up.Count];
        int idx = 0;
        for (int i = down.Count - 1; i >= 0; i--) probs[idx++] = down[i];
        probs[idx++] = 1.0;
        foreach (double u in up) probs[idx++] = u;
        double sum = 0;
        foreach (double v in probs) sum += v;
        for (int i = 0; i < probs.Length; i++) probs[i] /= sum;
        return (mode - down.Count, probs);
    }
}
