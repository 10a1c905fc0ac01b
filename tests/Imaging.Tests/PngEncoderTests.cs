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

    public static TheoryData<PngFilter> AllFilters() => new(Enum.GetValues<PngFilter>());

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
    [MemberData(nameof(AllFilters))]
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

    /// <summary>
    /// The filters as the PNG specification states them (section 9.2, byte by byte with ints), against the encoder's
    /// vectorized filters: every filter, bytes per pixel 1–8, row lengths around and across the vector widths.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllFilters))]
    public void Vectorized_filters_equal_the_specification_formulas(PngFilter filter)
    {
        var random = new Random(17 + (int)filter);
        foreach (int bpp in new[] { 1, 2, 3, 4, 6, 8 })
        {
            foreach (int length in new[] { 1, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 129, 1539 })
            {
                var raw = new byte[length];
                var prev = new byte[length];
                random.NextBytes(raw);
                random.NextBytes(prev);
                if (length > 40)
                {
                    raw.AsSpan(0, 20).Fill(255); // extremes: a + b - 2c reaches ±510
                    prev.AsSpan(20, 20).Fill(0);
                }

                var actual = new byte[length];
                Internal.PngFilters.Filter(filter, raw, prev, bpp, actual);
                for (int i = 0; i < length; i++)
                {
                    int a = i >= bpp ? raw[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
                    int predictor = filter switch
                    {
                        PngFilter.None => 0,
                        PngFilter.Sub => a,
                        PngFilter.Up => b,
                        PngFilter.Average => (a + b) / 2,
                        _ => SpecPaeth(a, b, c),
                    };
                    Assert.True((byte)(raw[i] - predictor) == actual[i], $"{filter} bpp {bpp} length {length} byte {i}");
                }
            }
        }
    }

    private static int SpecPaeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc)
        {
            return a;
        }

        return pb <= pc ? b : c;
    }
}
