using FsCheck;
using FsCheck.Fluent;
using SecureTransmit.Codec.Entropy;
using Xunit.Abstractions;

namespace SecureTransmit.Codec.Tests.Entropy;

public sealed class CdfTableTests(ITestOutputHelper output)
{
    private sealed record PmfCase(double[] Pmf, int Offset, double Tail);

    // masses: zeros, tiny (1e-12), ordinary, and a few large; lengths 1..4096 (mostly small)
    private static readonly Gen<double> MassGen = Gen.Frequency(
        (2, Gen.Constant(0.0)),
        (1, Gen.Constant(1e-12)),
        (6, Gen.Choose(1, 1_000_000).Select(i => i / 1e6)),
        (1, Gen.Choose(1, 1000).Select(i => i * 1000.0)));

    private static readonly Gen<PmfCase> PmfGen =
        from n in Gen.Frequency((8, Gen.Choose(1, 64)), (2, Gen.Choose(65, 1000)), (1, Gen.Choose(1001, 4096)))
        from pmf in Gen.ArrayOf(MassGen, n)
        from big in Gen.Choose(0, n - 1)
        from offset in Gen.Choose(-5000, 5000)
        from tail in Gen.Frequency((2, Gen.Constant(0.0)), (3, MassGen))
        select new PmfCase(WithOneMass(pmf, big), offset, tail);

    private static double[] WithOneMass(double[] pmf, int index)
    {
        var copy = (double[])pmf.Clone();
        copy[index] += 0.5; // at least one symbol carries mass
        return copy;
    }

    [Fact]
    public void FromPmf_sums_to_65536_with_every_frequency_at_least_one_and_is_deterministic()
    {
        var property = Prop.ForAll(PmfGen.ToArbitrary(), c =>
        {
            var t = CdfTable.FromPmf(c.Pmf, c.Offset, c.Tail);
            var cdf = t.Cdf;
            bool shape = t.SymbolCount == c.Pmf.Length && t.Offset == c.Offset && cdf.Length == c.Pmf.Length + 2
                         && cdf[0] == 0 && cdf[^1] == 65536;
            bool increasing = true;
            for (int i = 0; i + 1 < cdf.Length; i++) increasing &= cdf[i + 1] - cdf[i] >= 1;
            var again = CdfTable.FromPmf((double[])c.Pmf.Clone(), c.Offset, c.Tail);
            var reparsed = CdfTable.FromCdf(c.Offset, cdf);
            return shape && increasing && again.Cdf.SequenceEqual(cdf) && reparsed.Cdf.SequenceEqual(cdf);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Fact]
    public void FromPmf_frequencies_stay_within_one_unit_of_the_proportional_share()
    {
        // share_i = m_i / Σm · 65536. Lifting small masses to 1 only takes units from the others, so no
        // frequency exceeds floor(share) + 1; and when every share is ≥ 1 nothing is lifted, so each frequency
        // is share rounded down or up.
        var property = Prop.ForAll(PmfGen.ToArbitrary(), c =>
        {
            var t = CdfTable.FromPmf(c.Pmf, c.Offset, c.Tail);
            var masses = c.Pmf.Append(c.Tail).ToArray();
            double sum = masses.Sum();
            bool allShares = masses.All(m => m / sum * 65536 >= 1);
            for (int i = 0; i < masses.Length; i++)
            {
                double share = masses[i] / sum * 65536;
                int f = t.Frequency(i);
                if (f < 1 || f > Math.Floor(share + 1e-6) + 1) return false;
                if (allShares && Math.Abs(f - share) >= 1 + 1e-6) return false;
            }
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Theory]
    [InlineData(0.05, 8)]
    [InlineData(0.3, 20)]
    [InlineData(1.0, 30)]
    [InlineData(4.0, 60)]
    [InlineData(20.0, 150)]
    public void Coded_length_is_within_a_small_margin_of_the_entropy(double scale, int radius)
    {
        // each table ends about where the pmf falls below 2^-16, as a codec should cut it: every symbol kept
        // beyond that point costs the others 2^-16 of probability (its floor frequency of 1)
        var (pmf, offset, tail) = EntropyTestData.Laplacian(scale, radius);
        var table = CdfTable.FromPmf(pmf, offset, tail);
        // exact KL divergence of the quantized table from the pmf (the escape carries the tail)
        double entropy = 0, kl = 0;
        for (int i = 0; i <= pmf.Length; i++)
        {
            double p = i < pmf.Length ? pmf[i] : tail;
            if (p <= 0) continue;
            entropy -= p * Math.Log2(p);
            kl += p * Math.Log2(p / (table.Frequency(i) / 65536.0));
        }
        // a large sample drawn from the pmf itself (not from the table), coded for real
        var rng = new Random(radius);
        var cumulative = new double[pmf.Length];
        double acc = 0;
        for (int i = 0; i < pmf.Length; i++) cumulative[i] = acc += pmf[i];
        const int n = 200_000;
        var encoder = new RangeEncoder();
        var values = new int[n];
        double sampleInformation = 0;
        for (int k = 0; k < n; k++)
        {
            int i = Array.BinarySearch(cumulative, rng.NextDouble() * acc);
            i = Math.Min(i < 0 ? ~i : i, pmf.Length - 1);
            while (pmf[i] <= 0) i--; // the search can land on a zero-mass entry only at an exact tie
            values[k] = offset + i;
            sampleInformation -= Math.Log2(pmf[i] / acc);
            encoder.Encode(values[k], table);
        }
        var stream = encoder.Finish();
        var decoder = new RangeDecoder(stream);
        foreach (int v in values) Assert.Equal(v, decoder.Decode(table));
        decoder.Finish();
        double bitsPerSymbol = stream.Length * 8.0 / n;
        double excess = (stream.Length * 8.0 - sampleInformation) / n;
        output.WriteLine($"Laplace b={scale}: H = {entropy:F4} bits, KL = {kl:F5} bits, coded {bitsPerSymbol:F4} bits/symbol, " +
                         $"excess over the sample's information {excess:F5} bits/symbol");
        Assert.InRange(kl, 0, 0.005);
        Assert.InRange(excess, -0.005, 0.01);
    }

    public static TheoryData<int, int[], string> BadCdfs => new()
    {
        { 0, [], "at least 3" },
        { 0, [0, 65536], "at least 3" },
        { 0, [1, 2, 65536], "starts at 1" },
        { 0, [0, 2, 65535], "ends at 65535" },
        { 0, [0, 70000, 65536], "not strictly increasing at entry 2" },
        { 0, [0, 100, 100, 65536], "not strictly increasing at entry 2" },
        { 0, [0, 100, 50, 65536], "not strictly increasing at entry 2" },
        { 0, [0, -5, 65536], "not strictly increasing at entry 1" },
        { int.MaxValue, [0, 1, 2, 65536], "overflow" },
        { 0, Enumerable.Range(0, 4098).Append(65536).ToArray(), "at most 4096" },
    };

    [Theory]
    [MemberData(nameof(BadCdfs))]
    public void FromCdf_rejects_a_malformed_table_naming_the_problem(int offset, int[] cdf, string problem)
    {
        var e = Assert.Throws<CodecException>(() => CdfTable.FromCdf(offset, cdf));
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void FromCdf_accepts_the_limits()
    {
        var widest = CdfTable.FromCdf(-2048, Enumerable.Range(0, 4097).Append(65536).ToArray());
        Assert.Equal(4096, widest.SymbolCount);
        Assert.Equal(65536 - 4096, widest.Frequency(4096));
        var narrowest = CdfTable.FromCdf(int.MaxValue, [0, 65535, 65536]);
        Assert.Equal(1, narrowest.SymbolCount);
        Assert.Equal(1, narrowest.Frequency(1));
    }

    public static TheoryData<double[], double, string> BadPmfs => new()
    {
        { [], 0.1, "at least one" },
        { [0.5, -0.1], 0, "pmf[1]" },
        { [double.NaN], 0, "pmf[0]" },
        { [double.PositiveInfinity, 1], 0, "pmf[0]" },
        { [0.5], double.NaN, "tail mass" },
        { [0.5], -1, "tail mass" },
        { [0, 0, 0], 0, "no mass" },
        { new double[4097], 1, "at most 4096" },
    };

    [Theory]
    [MemberData(nameof(BadPmfs))]
    public void FromPmf_rejects_a_malformed_pmf_naming_the_problem(double[] pmf, double tail, string problem)
    {
        var e = Assert.Throws<CodecException>(() => CdfTable.FromPmf(pmf, 0, tail));
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void FromPmf_handles_subnormal_and_zero_masses()
    {
        // masses ε, 0, 2ε and an empty tail: the zero mass and the tail take 1 unit each; the 65534 left split
        // 1 : 2 as 21844.67 and 43689.33, floored to 21844 + 43689 = 65533, and the one unit left over goes to
        // the larger fractional part (0.67, symbol 0): frequencies 21845, 1, 43689, 1
        var t = CdfTable.FromPmf([double.Epsilon, 0, double.Epsilon * 2], 0, 0);
        Assert.Equal([0, 21845, 21846, 65535, 65536], t.Cdf.ToArray());
    }
}
