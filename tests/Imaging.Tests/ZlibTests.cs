using System.IO.Compression;
using SecureTransmit.Imaging.Internal;

namespace SecureTransmit.Imaging.Tests;

/// <summary>The encoder's zlib streams, one segment or several compressed at once, as the system's zlib reads them.</summary>
public class ZlibTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 2)]
    [InlineData(6, 3)]
    [InlineData(9, 4)]
    [InlineData(6, 7)]
    public void Segmented_deflate_is_one_valid_zlib_stream(int level, int segments)
    {
        var random = new Random(level * 10 + segments);
        foreach (int length in new[] { 0, 1, 7, 1000, 300_001 })
        {
            var data = new byte[length];
            for (int i = 0; i < length; i++)
            {
                data[i] = (byte)(i % 251 < 128 ? random.Next(4) : random.Next(256)); // runs of both kinds
            }

            byte[] z = Zlib.Deflate(data, level, segments);
            Assert.Equal(0, ((z[0] << 8) | z[1]) % 31); // FCHECK
            using var inflater = new ZLibStream(new MemoryStream(z), CompressionMode.Decompress);
            var back = new MemoryStream();
            inflater.CopyTo(back); // ZLibStream checks the Adler-32 trailer
            Assert.True(data.AsSpan().SequenceEqual(back.ToArray()), $"level {level}, {segments} segments, {length} bytes");
            Assert.Equal(data, Zlib.Inflate(z, length, "test"));
        }
    }

    [Fact]
    public void Segments_cost_little_size_on_image_rows()
    {
        var image = TestData.RandomImage(64, 64, 3, seed: 1);
        var smooth = new byte[900_000];
        for (int i = 0; i < smooth.Length; i++)
        {
            smooth[i] = (byte)((i / 3 % 600) + image.Pixels[i % image.Pixels.Length] / 32);
        }

        int one = Zlib.Deflate(smooth, 6, 1).Length, two = Zlib.Deflate(smooth, 6, 2).Length;
        Assert.InRange(two, one, one + one / 100 + 64);
    }
}
