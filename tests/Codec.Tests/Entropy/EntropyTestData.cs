using SecureTransmit.Codec.Entropy;

namespace SecureTransmit.Codec.Tests.Entropy;

/// <summary>Distributions and samplers for the entropy-coder tests (written independently of the coder).</summary>
internal static class EntropyTestData
{
    /// <summary>
    /// A discretized zero-mean Laplacian with scale <paramref name="b"/> over −radius..radius:
    /// p(k) = F(k + ½) − F(k − ½), where F is the Laplace CDF; tail = 1 − Σ p(k).
    /// </summary>
    public static (double[] Pmf, int Offset, double Tail) Laplacian(double b, int radius)
    {
        static double F(double x, double b) => x < 0 ? 0.5 * Math.Exp(x / b) : 1 - 0.5 * Math.Exp(-x / b);
        var pmf = new double[2 * radius + 1];
        double sum = 0;
        for (int k = -radius; k <= radius; k++)
        {
            pmf[k + radius] = F(k + 0.5, b) - F(k - 0.5, b);
            sum += pmf[k + radius];
        }
        return (pmf, -radius, Math.Max(0, 1 - sum));
    }

    /// <summary>Draws a value from the table's own frequencies; an escape draw becomes a value outside the table.</summary>
    public static int Sample(CdfTable table, Random rng)
    {
        int u = rng.Next(CdfTable.Total);
        var cdf = table.Cdf;
        int s = 0;
        while (cdf[s + 1] <= u) s++;
        if (s < table.SymbolCount) return table.Offset + s;
        int distance = 1 + (int)Math.Min(1 << 20, -Math.Log(1 - rng.NextDouble()) * 8);
        return rng.Next(2) == 0 ? table.Offset - distance : table.Offset + table.SymbolCount - 1 + distance;
    }

    /// <summary>Ideal code length in bits of <paramref name="value"/> under <paramref name="table"/> (escape payload included).</summary>
    public static double IdealBits(CdfTable table, int value)
    {
        var cdf = table.Cdf;
        long index = (long)value - table.Offset;
        if (index >= 0 && index < table.SymbolCount) return 16 - Math.Log2(cdf[(int)index + 1] - cdf[(int)index]);
        long d = index < 0 ? -index : index - table.SymbolCount + 1;
        int n = 0;
        while ((d >> n) > 0) n++;
        return 16 - Math.Log2(cdf[^1] - cdf[^2]) + 1 + (2 * n - 1);
    }

    public static int[] RoundTrip(IReadOnlyList<(int Value, CdfTable Table)> symbols, out byte[] stream)
    {
        var encoder = new RangeEncoder();
        foreach (var (v, t) in symbols) encoder.Encode(v, t);
        stream = encoder.Finish();
        var decoder = new RangeDecoder(stream);
        var back = new int[symbols.Count];
        for (int i = 0; i < back.Length; i++) back[i] = decoder.Decode(symbols[i].Table);
        decoder.Finish();
        return back;
    }
}
