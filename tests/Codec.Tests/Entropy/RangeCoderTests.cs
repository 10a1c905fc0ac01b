using FsCheck;
using FsCheck.Fluent;
using SecureTransmit.Codec.Entropy;
using Xunit.Abstractions;

namespace SecureTransmit.Codec.Tests.Entropy;

public sealed class RangeCoderTests(ITestOutputHelper output)
{
    // ---- known answers ------------------------------------------------------------------------------------
    // Table T: offset 0, cdf [0, 0x4000, 0xC000, 0x10000]: value 0 → [0, 0x4000), value 1 → [0x4000, 0xC000),
    // escape → [0xC000, 0x10000). The coder starts with low = 0, range = 0xFFFFFFFF; a symbol [a, b) does
    // r = range >> 16, low += r·a, range = r·(b − a); a bypass bit does r = range >> 1, low += r·bit, range = r;
    // bytes are shifted out only while range < 2^24 (never in these short streams). The flush picks the
    // multiple of 2^32, else of 2^24, in [low, low + range), writes it as 4 big-endian bytes and drops trailing zeros.
    //
    // [1]:    r = 0xFFFF, low = 0xFFFF·0x4000 = 0x3FFFC000, range = 0xFFFF·0x8000 = 0x7FFF8000;
    //         end = 0xBFFF4000 < 2^32, so v = 0x3FFFC000 rounded up to 2^24 = 0x40000000 → 40 00 00 00 → [40].
    // [1, 1]: then r = 0x7FFF, low += 0x7FFF·0x4000 = 0x1FFFC000 → 0x5FFF8000, range = 0x7FFF·0x8000 =
    //         0x3FFF8000; end = 0x9FFF0000; v = 0x60000000 → [60].
    // [2]:    escape: low = 0xFFFF·0xC000 = 0xBFFF4000, range = 0xFFFF·0x4000 = 0x3FFFC000; 2 lies above the
    //         table by d = 1: side bit 1: r = 0x1FFFE000, low = 0xDFFF2000, range = 0x1FFFE000; gamma(1) is the
    //         single bit 1: r = 0x0FFFF000, low = 0xEFFF1000, range = 0x0FFFF000; end = 0xFFFF0000 < 2^32,
    //         v = 0xF0000000 → [F0].
    // [-1]:   escape as above; below by d = 1: side bit 0: range = 0x1FFFE000 (low unchanged); gamma bit 1:
    //         r = 0x0FFFF000, low = 0xCFFF3000, range = 0x0FFFF000; v = 0xD0000000 → [D0].
    // [3]:    escape; above by d = 2: side bit 1 → low = 0xDFFF2000, range = 0x1FFFE000; gamma(2) = 0 1 0:
    //         bit 0: range = 0x0FFFF000; bit 1: r = 0x07FFF800, low = 0xE7FF1800, range = 0x07FFF800;
    //         bit 0: range = 0x03FFFC00 (still ≥ 2^24); v = 0xE8000000 → [E8].
    // []:     low = 0 is a multiple of 2^32 → 00 00 00 00 → [] (all dropped).
    public static TheoryData<int[], byte[]> KnownAnswers => new()
    {
        { new[] { 1 }, new byte[] { 0x40 } },
        { new[] { 1, 1 }, new byte[] { 0x60 } },
        { new[] { 2 }, new byte[] { 0xF0 } },
        { new[] { -1 }, new byte[] { 0xD0 } },
        { new[] { 3 }, new byte[] { 0xE8 } },
        { Array.Empty<int>(), Array.Empty<byte>() },
    };

    [Theory]
    [MemberData(nameof(KnownAnswers))]
    public void Known_answer_streams_match_the_hand_derivation(int[] values, byte[] expected)
    {
        var table = CdfTable.FromCdf(0, [0, 0x4000, 0xC000, 0x10000]);
        var encoder = new RangeEncoder();
        foreach (int v in values) encoder.Encode(v, table);
        var stream = encoder.Finish();
        Assert.Equal(expected, stream);
        var decoder = new RangeDecoder(stream);
        foreach (int v in values) Assert.Equal(v, decoder.Decode(table));
        decoder.Finish();
    }

    // ---- round trips --------------------------------------------------------------------------------------

    private sealed record TableSpec(int SymbolCount, int Offset, int Shape, int Seed, int TailPermille);
    private sealed record Case(TableSpec[] Tables, int Length, int Seed);

    private static readonly Gen<TableSpec> TableSpecGen =
        from n in Gen.Frequency((6, Gen.Choose(1, 12)), (3, Gen.Choose(13, 300)), (1, Gen.Choose(301, 4096)))
        from offset in Gen.Frequency((6, Gen.Choose(-300, 300)), (1, Gen.Elements(int.MinValue, int.MaxValue - n + 1, -(1 << 24), 1 << 24)))
        from shape in Gen.Choose(0, 3)
        from seed in Gen.Choose(0, int.MaxValue)
        from tail in Gen.Elements(0, 0, 1, 10, 200)
        select new TableSpec(n, offset, shape, seed, tail);

    private static readonly Gen<Case> CaseGen =
        from tables in Gen.Choose(1, 6).SelectMany(k => Gen.ArrayOf(TableSpecGen, k))
        from length in Gen.Frequency((1, Gen.Constant(0)), (8, Gen.Choose(1, 400)), (1, Gen.Choose(401, 3000)))
        from seed in Gen.Choose(0, int.MaxValue)
        select new Case(tables, length, seed);

    private static CdfTable Build(TableSpec spec)
    {
        var rng = new Random(spec.Seed);
        var pmf = new double[spec.SymbolCount];
        switch (spec.Shape)
        {
            case 0: // arbitrary masses, some zero
                for (int i = 0; i < pmf.Length; i++) pmf[i] = rng.Next(4) == 0 ? 0 : rng.NextDouble();
                pmf[rng.Next(pmf.Length)] += 0.01;
                break;
            case 1: // peaked at a random centre
                int c = rng.Next(pmf.Length);
                double b = 0.1 + rng.NextDouble() * 5;
                for (int i = 0; i < pmf.Length; i++) pmf[i] = Math.Exp(-Math.Abs(i - c) / b);
                break;
            case 2: // one symbol holds nearly everything
                for (int i = 0; i < pmf.Length; i++) pmf[i] = 1e-9;
                pmf[rng.Next(pmf.Length)] = 1;
                break;
            default: // uniform
                Array.Fill(pmf, 1.0);
                break;
        }
        double mass = 0;
        foreach (double p in pmf) mass += p;
        return CdfTable.FromPmf(pmf, spec.Offset, mass * spec.TailPermille / 1000.0);
    }

    private static int Value(CdfTable table, Random rng)
    {
        long lo = table.Offset, hi = (long)table.Offset + table.SymbolCount - 1;
        long v = rng.Next(10) switch
        {
            < 6 => EntropyTestData.Sample(table, rng),
            6 => lo - 1 - rng.Next(40),                                   // just below
            7 => hi + 1 + rng.Next(40),                                   // just above
            8 => rng.Next(int.MinValue, int.MaxValue),                    // anywhere
            _ => rng.Next(6) switch { 0 => int.MinValue, 1 => int.MaxValue, 2 => 1 << 24, 3 => -(1 << 24), 4 => lo, _ => hi },
        };
        return (int)Math.Clamp(v, int.MinValue, int.MaxValue);
    }

    [Fact]
    public void Random_tables_and_sequences_with_escapes_and_extremes_round_trip_exactly()
    {
        var property = Prop.ForAll(CaseGen.ToArbitrary(), c =>
        {
            var tables = c.Tables.Select(Build).ToArray();
            var rng = new Random(c.Seed);
            var symbols = new List<(int, CdfTable)>(c.Length);
            for (int i = 0; i < c.Length; i++)
            {
                var t = tables[i % tables.Length]; // interleaved: one table per "channel"
                symbols.Add((Value(t, rng), t));
            }
            var back = EntropyTestData.RoundTrip(symbols, out _);
            return back.SequenceEqual(symbols.Select(s => s.Item1));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32768)]
    [InlineData(65535)]
    public void A_single_symbol_table_round_trips_its_symbol_and_escapes(int symbolFrequency)
    {
        var table = CdfTable.FromCdf(7, [0, symbolFrequency, 65536]);
        Assert.Equal(1, table.SymbolCount);
        var values = new List<(int, CdfTable)>();
        var rng = new Random(symbolFrequency);
        for (int i = 0; i < 5000; i++) values.Add((rng.Next(5) == 0 ? rng.Next(-100, 100) : 7, table));
        Assert.Equal(values.Select(v => v.Item1), EntropyTestData.RoundTrip(values, out _));
    }

    [Fact]
    public void A_near_certain_symbol_costs_almost_nothing()
    {
        // frequency 65535 of 65536: the ideal cost is −log2(65535/65536) ≈ 2.2e-5 bits a symbol
        var table = CdfTable.FromCdf(-2, [0, 65535, 65536]);
        var values = Enumerable.Repeat((-2, table), 1_000_000).ToList();
        Assert.Equal(values.Select(v => v.Item1), EntropyTestData.RoundTrip(values, out var stream));
        output.WriteLine($"1e6 near-certain symbols: {stream.Length} bytes");
        // ideal 22 bits; the coder's truncation of range to a multiple of 2^16 costs ≲ 1e-3 bits a symbol
        Assert.True(stream.Length * 8 < 1_000_000 * 1e-3 + 64, $"{stream.Length} bytes");
        Assert.True(stream.Length > 0, "one million symbols of nonzero cost cannot take zero bytes");
    }

    [Fact]
    public void A_huge_probability_symbol_among_many_round_trips()
    {
        // 5 symbols: four of frequency 1, one of 65531, escape 1
        var table = CdfTable.FromCdf(100, [0, 1, 2, 65533, 65534, 65535, 65536]);
        Assert.Equal(65531, table.Frequency(2));
        var rng = new Random(5);
        var values = new List<(int, CdfTable)>();
        for (int i = 0; i < 200_000; i++)
        {
            int roll = rng.Next(1000);
            values.Add((roll switch { 0 => 100, 1 => 101, 2 => 103, 3 => 104, 4 => 99, 5 => 105, _ => 102 }, table));
        }
        Assert.Equal(values.Select(v => v.Item1), EntropyTestData.RoundTrip(values, out _));
    }

    [Fact]
    public void An_empty_sequence_is_an_empty_stream_and_decodes_cleanly()
    {
        var stream = new RangeEncoder().Finish();
        Assert.Empty(stream);
        new RangeDecoder(stream).Finish();
    }

    [Fact]
    public void Every_int_round_trips_as_an_escape_including_the_extremes()
    {
        var table = CdfTable.FromCdf(0, [0, 30000, 60000, 65536]);
        int[] extremes = [int.MinValue, int.MinValue + 1, -(1 << 24) - 1, -(1 << 24), -1, 2, 3, 1 << 24, (1 << 24) + 1, int.MaxValue - 1, int.MaxValue];
        var values = extremes.Select(v => (v, table)).ToList();
        Assert.Equal(extremes, EntropyTestData.RoundTrip(values, out _));
        // a table at the top of the int range: the escape can only go below
        var top = CdfTable.FromCdf(int.MaxValue, [0, 100, 65536]);
        Assert.Equal([int.MinValue, int.MaxValue, 0], EntropyTestData.RoundTrip([(int.MinValue, top), (int.MaxValue, top), (0, top)], out _));
    }

    [Fact]
    public void Many_interleaved_tables_round_trip_and_code_near_the_ideal_length()
    {
        // a factorized-prior-like latent: 192 channels, each its own Laplacian scale, coded position by position
        const int channels = 192, positions = 24 * 16;
        var tables = new CdfTable[channels];
        for (int c = 0; c < channels; c++)
        {
            var (pmf, offset, tail) = EntropyTestData.Laplacian(0.05 + c * 0.1, 40);
            tables[c] = CdfTable.FromPmf(pmf, offset, tail);
        }
        var rng = new Random(192);
        var symbols = new List<(int, CdfTable)>(channels * positions);
        double ideal = 0;
        for (int p = 0; p < positions; p++)
            for (int c = 0; c < channels; c++)
            {
                int v = EntropyTestData.Sample(tables[c], rng);
                symbols.Add((v, tables[c]));
                double bits = EntropyTestData.IdealBits(tables[c], v);
                Assert.Equal(bits, tables[c].CostBits(v), 9);
                ideal += bits;
            }
        Assert.Equal(symbols.Select(s => s.Item1), EntropyTestData.RoundTrip(symbols, out var stream));
        double actual = stream.Length * 8.0;
        output.WriteLine($"{symbols.Count} symbols: ideal {ideal / 8:F0} bytes, coded {stream.Length} bytes ({actual / ideal - 1:P3} over)");
        Assert.InRange(actual, ideal * 0.99, ideal * 1.005 + 64);
    }

    [Fact]
    public void Appending_bytes_to_a_stream_is_reported()
    {
        var table = CdfTable.FromCdf(0, [0, 0x4000, 0xC000, 0x10000]);
        var encoder = new RangeEncoder();
        var rng = new Random(3);
        var values = Enumerable.Range(0, 500).Select(_ => rng.Next(-3, 5)).ToArray();
        encoder.Encode(values, table);
        var stream = encoder.Finish();
        // zeros past the end read the same as the implicit padding, so every value still decodes, but the
        // decoder has not consumed them all
        var padded = stream.Concat(new byte[5]).ToArray();
        var decoder = new RangeDecoder(padded);
        var back = new int[values.Length];
        decoder.Decode(back, table);
        Assert.Equal(values, back);
        var e = Assert.Throws<CodecException>(decoder.Finish);
        Assert.Contains("left after the last symbol", e.Message);
    }

    [Fact]
    public void A_stream_cut_well_short_is_reported()
    {
        var table = CdfTable.FromCdf(0, [0, 0x4000, 0xC000, 0x10000]);
        var rng = new Random(4);
        var values = Enumerable.Range(0, 2000).Select(_ => rng.Next(0, 2)).ToArray();
        var encoder = new RangeEncoder();
        encoder.Encode(values, table);
        var stream = encoder.Finish();
        // decoding 2000 symbols of ~1.5 bits from a few bytes must run far past the end, whatever it decodes
        var decoder = new RangeDecoder(stream.AsMemory(0, 8));
        var back = new int[values.Length];
        decoder.Decode(back, table);
        Assert.Throws<CodecException>(decoder.Finish);
    }

    [Fact]
    public void Misuse_is_an_argument_or_state_error_not_a_codec_error()
    {
        var table = CdfTable.FromCdf(0, [0, 1, 65536]);
        var encoder = new RangeEncoder();
        Assert.Throws<ArgumentNullException>(() => encoder.Encode(0, null!));
        encoder.Encode(0, table);
        encoder.Finish();
        Assert.Throws<InvalidOperationException>(() => encoder.Encode(0, table));
        Assert.Throws<InvalidOperationException>(() => encoder.Finish());
        Assert.Throws<ArgumentNullException>(() => new RangeDecoder(ReadOnlyMemory<byte>.Empty).Decode(null!));
    }
}
