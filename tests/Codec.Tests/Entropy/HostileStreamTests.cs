using SecureTransmit.Codec.Entropy;

namespace SecureTransmit.Codec.Tests.Entropy;

/// <summary>
/// The decoder on streams an attacker or a broken link could hand it: random bytes, truncations, bit flips,
/// constant runs. Each must decode in bounded time and either pass <see cref="RangeDecoder.Finish"/> or fail it
/// with a <see cref="CodecException"/>; nothing else may be thrown.
/// </summary>
public sealed class HostileStreamTests
{
    // tables chosen to reach every decoder path: a likely escape (long gamma prefixes on random input),
    // a one-symbol table, a wide table, a peaked one
    private static readonly CdfTable[] Tables =
    [
        CdfTable.FromCdf(0, [0, 1, 65536]),
        CdfTable.FromCdf(-3, [0, 60000, 65536]),
        CdfTable.FromPmf(Enumerable.Repeat(1.0, 4096).ToArray(), -2048, 0.01),
        CdfTable.FromPmf(EntropyTestData.Laplacian(0.7, 20).Pmf, -20, 1e-4),
        CdfTable.FromCdf(int.MaxValue - 1, [0, 2, 4, 65536]),
        CdfTable.FromCdf(int.MinValue, [0, 2, 4, 65536]),
    ];

    /// <summary>Decodes and finishes; true when Finish reported the stream (anything but CodecException fails the test).</summary>
    private static bool DecodeAndFinish(ReadOnlyMemory<byte> data, int symbols, int tableSeed)
    {
        var decoder = new RangeDecoder(data);
        for (int i = 0; i < symbols; i++) decoder.Decode(Tables[(i + tableSeed) % Tables.Length]);
        try
        {
            decoder.Finish();
            return false;
        }
        catch (CodecException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            Assert.DoesNotContain('\n', e.Message);
            return true;
        }
    }

    private static byte[] ValidStream(int seed, out int symbols)
    {
        var rng = new Random(seed);
        symbols = rng.Next(1, 400);
        var encoder = new RangeEncoder();
        for (int i = 0; i < symbols; i++)
        {
            var t = Tables[(i + seed) % Tables.Length];
            encoder.Encode(rng.Next(4) == 0 ? rng.Next(int.MinValue, int.MaxValue) : EntropyTestData.Sample(t, rng), t);
        }
        return encoder.Finish();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(257)]
    [InlineData(4099)]
    public void Random_bytes_decode_or_fail_with_a_codec_exception(int length)
    {
        var rng = new Random(length);
        int reported = 0;
        for (int round = 0; round < 300; round++)
        {
            var data = new byte[length];
            rng.NextBytes(data);
            if (DecodeAndFinish(data, rng.Next(0, 2000), round)) reported++;
        }
        // random bytes are almost never a well-formed stream of exactly the decoded length
        Assert.True(reported >= 250, $"only {reported} of 300 random streams were reported");
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0xFF)]
    [InlineData(0x80)]
    public void Constant_streams_decode_or_fail_with_a_codec_exception(byte fill)
    {
        foreach (int length in new[] { 1, 2, 5, 100, 10_000 })
        {
            var data = Enumerable.Repeat(fill, length).ToArray();
            for (int seed = 0; seed < Tables.Length; seed++) DecodeAndFinish(data, 5000, seed);
        }
    }

    [Fact]
    public void Every_truncation_of_valid_streams_decodes_or_fails_with_a_codec_exception()
    {
        for (int seed = 0; seed < 60; seed++)
        {
            var stream = ValidStream(seed, out int symbols);
            for (int cut = 0; cut < stream.Length; cut++) DecodeAndFinish(stream.AsMemory(0, cut), symbols, seed);
        }
    }

    [Fact]
    public void Bit_flipped_valid_streams_decode_or_fail_with_a_codec_exception()
    {
        var rng = new Random(11);
        for (int seed = 0; seed < 60; seed++)
        {
            var stream = ValidStream(seed, out int symbols);
            if (stream.Length == 0) continue;
            for (int flip = 0; flip < 40; flip++)
            {
                var bad = (byte[])stream.Clone();
                bad[rng.Next(bad.Length)] ^= (byte)(1 << rng.Next(8));
                DecodeAndFinish(bad, symbols, seed);
                DecodeAndFinish(bad, symbols + rng.Next(1, 50), seed); // the receiver may also expect more symbols
            }
        }
    }

    [Fact]
    public void Decoding_hostile_bytes_allocates_nothing()
    {
        var data = new byte[512];
        new Random(9).NextBytes(data);
        var warm = new RangeDecoder(data);
        for (int i = 0; i < 20_000; i++) warm.Decode(Tables[i % Tables.Length]);

        var decoder = new RangeDecoder(data);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200_000; i++) decoder.Decode(Tables[i % Tables.Length]);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Throws<CodecException>(decoder.Finish); // 200,000 symbols cannot fit in 512 bytes
    }

    [Fact]
    public void A_non_array_memory_decodes_like_an_array()
    {
        var stream = ValidStream(5, out int symbols);
        var copy = new NativeCopy(stream);
        var a = new RangeDecoder(stream);
        var b = new RangeDecoder(copy.Memory);
        for (int i = 0; i < symbols; i++)
        {
            var t = Tables[(i + 5) % Tables.Length];
            Assert.Equal(a.Decode(t), b.Decode(t));
        }
        a.Finish();
        b.Finish();
    }

    /// <summary>A memory not backed by a managed array, to take the decoder's other read path.</summary>
    private sealed class NativeCopy(byte[] bytes) : System.Buffers.MemoryManager<byte>
    {
        private readonly byte[] _bytes = (byte[])bytes.Clone();
        public override Span<byte> GetSpan() => _bytes;
        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
    }
}
