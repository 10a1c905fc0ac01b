using SecureTransmit.Codec.Entropy.Internal;

namespace SecureTransmit.Codec.Entropy;

/// <summary>
/// A discrete distribution over the integers, quantized to 16-bit precision: the in-table symbols are the
/// values <see cref="Offset"/> .. Offset + <see cref="SymbolCount"/> − 1, and one more interval, the escape,
/// stands for every value outside them (coded exactly after the escape, see <see cref="RangeEncoder"/>).
/// Immutable and safe to share between threads and coders.
/// </summary>
public sealed class CdfTable
{
    /// <summary>Bits of precision: the frequencies sum to 1 &lt;&lt; 16.</summary>
    public const int Precision = 16;

    /// <summary>Sum of all frequencies, 65536.</summary>
    public const int Total = 1 << Precision;

    /// <summary>Most in-table symbols a table may hold.</summary>
    public const int MaxSymbolCount = 4096;

    // Decoder lookup: the symbol whose interval holds the value (b << BucketShift), for each of 2^10 buckets.
    internal const int BucketShift = Precision - 10;

    private readonly int[] _cdf;
    private readonly ushort[] _bucketStart;

    private CdfTable(int offset, int[] cdf)
    {
        Offset = offset;
        _cdf = cdf;
        _bucketStart = new ushort[Total >> BucketShift];
        int s = 0;
        for (int b = 0; b < _bucketStart.Length; b++)
        {
            int v = b << BucketShift;
            while (cdf[s + 1] <= v) s++;
            _bucketStart[b] = (ushort)s;
        }
    }

    /// <summary>Value of symbol 0.</summary>
    public int Offset { get; }

    /// <summary>Number of in-table symbols (the escape not counted), 1..4096.</summary>
    public int SymbolCount => _cdf.Length - 2;

    /// <summary>
    /// Cumulative frequencies, length SymbolCount + 2: Cdf[0] = 0, Cdf[^1] = 65536; symbol i has the interval
    /// [Cdf[i], Cdf[i+1]), and the last interval [Cdf[SymbolCount], 65536) is the escape.
    /// </summary>
    public ReadOnlySpan<int> Cdf => _cdf;

    /// <summary>Frequency (out of 65536) of in-table symbol <paramref name="index"/>, or of the escape at index SymbolCount.</summary>
    public int Frequency(int index) => _cdf[index + 1] - _cdf[index];

    /// <summary>
    /// Ideal cost in bits of coding <paramref name="value"/> with this table: −log2(freq/65536) for an in-table
    /// value; for any other value the escape's cost plus its exact payload (sign bit and Elias-gamma distance).
    /// For rate estimates only; the coder never calls it.
    /// </summary>
    public double CostBits(int value)
    {
        long index = (long)value - Offset;
        if ((ulong)index < (ulong)SymbolCount) return Precision - Math.Log2(Frequency((int)index));
        ulong distance = index < 0 ? (ulong)(-index) : (ulong)(index - SymbolCount + 1);
        int n = 64 - System.Numerics.BitOperations.LeadingZeroCount(distance);
        return Precision - Math.Log2(Frequency(SymbolCount)) + 1 + (2 * n - 1);
    }

    /// <summary>
    /// Builds a table from a probability mass over the in-table symbols (<paramref name="pmf"/>[i] for value
    /// offset + i) and the mass of every value outside them (<paramref name="tailMass"/>, given to the escape).
    /// The masses need not sum to 1; they are normalised. Every symbol and the escape get frequency ≥ 1 and the
    /// frequencies sum to exactly 65536.
    /// <para>Rounding rule (deterministic: only IEEE-754 double +, −, ×, ÷ and floor, in a fixed order):
    /// let m_i be the K = SymbolCount + 1 masses (escape last), each divided by the largest. Find the set U of symbols that get the floor
    /// frequency 1: start with U empty and repeat until U stops growing: scale = (65536 − |U|) / Σ_{i∉U} m_i
    /// (sum in index order), add every i with m_i · scale &lt; 1 to U. Then every i ∉ U gets floor(m_i · scale),
    /// and the 65536 − Σ frequencies units left over go one each to the symbols ∉ U with the largest fractional
    /// part m_i · scale − floor(m_i · scale), ties to the lower index. This keeps each frequency within one
    /// unit of the exact proportional share (the KL-optimal real-valued solution with a floor of 1).</para>
    /// </summary>
    /// <exception cref="CodecException">The pmf is empty, longer than 4096, holds a negative or non-finite mass,
    /// has no mass at all, or offset + SymbolCount − 1 overflows int.</exception>
    public static CdfTable FromPmf(ReadOnlySpan<double> pmf, int offset, double tailMass)
    {
        CheckShape(pmf.Length, offset);
        var masses = new double[pmf.Length + 1];
        for (int i = 0; i < pmf.Length; i++)
        {
            if (!double.IsFinite(pmf[i]) || pmf[i] < 0)
                throw new CodecException($"pmf[{i}] is {pmf[i]}: masses must be finite and ≥ 0");
            masses[i] = pmf[i];
        }
        if (!double.IsFinite(tailMass) || tailMass < 0)
            throw new CodecException($"tail mass is {tailMass}: it must be finite and ≥ 0");
        masses[pmf.Length] = tailMass;
        var freq = PmfQuantizer.Quantize(masses, Total);
        var cdf = new int[freq.Length + 1];
        for (int i = 0; i < freq.Length; i++) cdf[i + 1] = cdf[i] + freq[i];
        return new CdfTable(offset, cdf);
    }

    /// <summary>
    /// Rebuilds a table from its exact integer form (as shipped in a weights file): <paramref name="cdf"/> has
    /// SymbolCount + 2 entries, starts at 0, ends at 65536 and rises by at least 1 at every step.
    /// </summary>
    /// <exception cref="CodecException">Names the first rule the table breaks.</exception>
    public static CdfTable FromCdf(int offset, ReadOnlySpan<int> cdf)
    {
        if (cdf.Length < 3)
            throw new CodecException($"CDF has {cdf.Length} entries: it needs at least 3 (one symbol and the escape)");
        CheckShape(cdf.Length - 2, offset);
        if (cdf[0] != 0) throw new CodecException($"CDF starts at {cdf[0]}, not 0");
        if (cdf[^1] != Total) throw new CodecException($"CDF ends at {cdf[^1]}, not {Total}");
        for (int i = 0; i + 1 < cdf.Length; i++)
        {
            if (cdf[i + 1] <= cdf[i])
                throw new CodecException(
                    $"CDF is not strictly increasing at entry {i + 1} ({cdf[i]} then {cdf[i + 1]}): every interval needs frequency ≥ 1");
        }
        return new CdfTable(offset, cdf.ToArray());
    }

    private static void CheckShape(int symbolCount, int offset)
    {
        if (symbolCount < 1) throw new CodecException("a CDF table needs at least one in-table symbol");
        if (symbolCount > MaxSymbolCount)
            throw new CodecException($"a CDF table holds at most {MaxSymbolCount} symbols, not {symbolCount}");
        if ((long)offset + symbolCount - 1 > int.MaxValue)
            throw new CodecException($"table values {offset} + {symbolCount} − 1 overflow a 32-bit integer");
    }

    /// <summary>Index of the interval (0..SymbolCount, the last the escape) that holds <paramref name="target"/> ∈ [0, 65536).</summary>
    internal int FindInterval(uint target)
    {
        int s = _bucketStart[target >> BucketShift];
        var cdf = _cdf;
        while ((uint)cdf[s + 1] <= target) s++;
        return s;
    }

    internal int[] RawCdf => _cdf;
}
