using System.Diagnostics;
using SecureTransmit.Codec.Entropy;
using Xunit.Abstractions;

namespace SecureTransmit.Codec.Tests.Entropy;

/// <summary>
/// Throughput printout only (no timing assertion): run with
/// <c>dotnet test tests/Codec.Tests -c Release --filter FullyQualifiedName~EntropyBenchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class EntropyBenchmark(ITestOutputHelper output)
{
    [Fact]
    public void Throughput_on_a_peaked_factorized_prior_latent()
    {
        // 192 channels with Laplacian scales 0.3..3 (peaked, ~1.5 bits a symbol), interleaved by position
        const int channels = 192, positions = 48 * 32 * 4;
        var tables = new CdfTable[channels];
        for (int c = 0; c < channels; c++)
        {
            var (pmf, offset, tail) = EntropyTestData.Laplacian(0.3 + 2.7 * c / (channels - 1), 24);
            tables[c] = CdfTable.FromPmf(pmf, offset, tail);
        }
        var rng = new Random(1);
        var values = new int[channels * positions];
        for (int i = 0; i < values.Length; i++) values[i] = EntropyTestData.Sample(tables[i % channels], rng);

        byte[] stream = [];
        var decoded = new int[values.Length];
        double bestEncode = double.MaxValue, bestDecode = double.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            var sw = Stopwatch.StartNew();
            var encoder = new RangeEncoder(values.Length / 2);
            for (int i = 0; i < values.Length; i++) encoder.Encode(values[i], tables[i % channels]);
            stream = encoder.Finish();
            bestEncode = Math.Min(bestEncode, sw.Elapsed.TotalSeconds);

            sw.Restart();
            var decoder = new RangeDecoder(stream);
            for (int i = 0; i < decoded.Length; i++) decoded[i] = decoder.Decode(tables[i % channels]);
            decoder.Finish();
            bestDecode = Math.Min(bestDecode, sw.Elapsed.TotalSeconds);
        }
        Assert.Equal(values, decoded);
        output.WriteLine(
            $"{values.Length} symbols, {stream.Length * 8.0 / values.Length:F3} bits/symbol: " +
            $"encode {values.Length / bestEncode / 1e6:F1} M symbols/s, decode {values.Length / bestDecode / 1e6:F1} M symbols/s " +
            $"(best of 5, one core, shared machine: load-affected)");
    }
}
