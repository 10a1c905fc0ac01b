namespace SecureTransmit.Imaging.Tests;

public class PngEncoderTests
{
    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach ((int w, int h) in new[] { (1, 1), (31, 17), (513, 511) })
        {
            for (int c = 1; c <= 4; c++)
            {
                data.Add(w, h, c);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Round_trip_is_lossless(int width, int height, int channels)
    {
        Image image = TestData.RandomImage(width, height, channels, seed: (width * 31) + channels);
        byte[] png = PngEncoder.Encode(image);
        Image back = PngDecoder.Decode(png);
        Assert.True(image.PixelEquals(back));
        PngRawImage raw = PngDecoder.DecodeRaw(png);
        Assert.Equal(8, raw.BitDepth);
        Assert.Equal(channels switch { 1 => PngColorType.Grayscale, 2 => PngColorType.GrayscaleAlpha, 3 => PngColorType.Rgb, _ => PngColorType.Rgba }, raw.ColorType);
    }

    [Theory]
    [InlineData(PngFilter.None)]
    [InlineData(PngFilter.Sub)]
    [InlineData(PngFilter.Up)]
    [InlineData(PngFilter.Average)]
    [InlineData(PngFilter.Paeth)]
    public void Forced_filter_is_used_on_every_row_and_round_trips(PngFilter filter)
    {
        for (int c = 1; c <= 4; c++)
        {
            Image image = TestData.RandomImage(31, 17, c, seed: c);
            byte[] png = PngEncoder.Encode(image, new PngEncoderOptions { Filter = filter });
            Assert.True(image.PixelEquals(PngDecoder.Decode(png)));
            byte[] inflated = PngBuilder.InflateIdat(png);
            Assert.Equal(17 * (1 + (31 * c)), inflated.Length);
            for (int y = 0; y < 17; y++)
            {
                Assert.Equal((byte)filter, inflated[y * (1 + (31 * c))]);
            }
        }
    }

    [Fact]
    public void Adaptive_filter_picks_minimum_sum_of_absolute_differences()
    {
        // Every row is the ramp 0,1,2,...: row 0 filters best with Sub (residuals all 1; Paeth ties, lower
        // number wins); every later row is identical to the one above, so Up gives all zeros.
        var image = new Image(300, 4, 1);
        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 300; x++)
            {
                image[x, y, 0] = (byte)x;
            }
        }

        byte[] inflated = PngBuilder.InflateIdat(PngEncoder.Encode(image));
        Assert.Equal(new byte[] { 1, 2, 2, 2 }, Enumerable.Range(0, 4).Select(y => inflated[y * 301]).ToArray());
    }

    [Fact]
    public void Compression_levels_round_trip_and_trade_size()
    {
        // A smooth image compresses; level 0 stores it.
        var image = new Image(200, 100, 3);
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            image.Pixels[i] = (byte)(i / 7 % 251);
        }

        byte[] stored = PngEncoder.Encode(image, new PngEncoderOptions { CompressionLevel = 0 });
        byte[] best = PngEncoder.Encode(image, new PngEncoderOptions { CompressionLevel = 9 });
        Assert.True(stored.Length > image.Pixels.Length, "level 0 should store, not compress");
        Assert.True(best.Length < stored.Length / 4);
        Assert.True(image.PixelEquals(PngDecoder.Decode(stored)));
        Assert.True(image.PixelEquals(PngDecoder.Decode(best)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PngEncoderOptions { CompressionLevel = 10 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PngEncoderOptions { Filter = (PngFilter)5 });
    }

    [Fact]
    public void Output_has_signature_IHDR_IDATs_split_at_64_KiB_and_IEND()
    {
        Image noise = TestData.RandomImage(300, 300, 3, seed: 9); // ~270 KB, incompressible
        byte[] png = PngEncoder.Encode(noise);
        Assert.Equal(PngBuilder.Signature, png[..8]);
        var chunks = PngBuilder.Chunks(png);
        Assert.Equal("IHDR", chunks[0].Type);
        Assert.Equal("IEND", chunks[^1].Type);
        Assert.True(chunks.Count(c => c.Type == "IDAT") >= 5);
        Assert.All(chunks.Where(c => c.Type == "IDAT"), c => Assert.True(c.Length <= 65536));
        Assert.Equal(png.Length, chunks[^1].Offset + 4);
    }
}
