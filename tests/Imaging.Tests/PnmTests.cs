namespace SecureTransmit.Imaging.Tests;

/// <summary>PGM/PPM reader against fixtures from Fixtures/make_tiff_pnm_fixtures.py, and P5/P6 round trips.</summary>
public class PnmTests
{
    /// <summary>The documented scaling rule: round half up of v*255/maxval.</summary>
    private static int Scale(int v, int maxval) => (int)Math.Floor((v * 255.0 / maxval) + 0.5);

    [Theory]
    [InlineData("p2_comments.pgm", 1, 255)]
    [InlineData("p3_maxval15.ppm", 3, 15)]
    [InlineData("p5_maxval255.pgm", 1, 255)]
    [InlineData("p6_comment.ppm", 3, 255)]
    [InlineData("p5_maxval65535.pgm", 1, 65535)]
    [InlineData("p6_maxval1000.ppm", 3, 1000)]
    [InlineData("p5_maxval100.pgm", 1, 100)]
    public void Fixture_decodes_to_its_scaled_pattern(string file, int channels, int maxval)
    {
        Image image = PnmDecoder.Decode(TestData.ReadFixture("pnm", file));
        Image expected = FixturePattern.Expected(channels, (x, y, c) => Scale(FixturePattern.VM(x, y, c, maxval), maxval));
        Assert.True(expected.PixelEquals(image), file);
    }

    [Fact]
    public void Maxval_65535_uses_the_same_rule_as_16_bit_PNG()
    {
        for (int v = 0; v <= 65535; v += 13)
        {
            Assert.Equal(FixturePattern.Round16(v), Scale(v, 65535));
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1, 1, 3)]
    [InlineData(31, 17, 1)]
    [InlineData(31, 17, 3)]
    [InlineData(513, 511, 1)]
    [InlineData(513, 511, 3)]
    public void Round_trip_is_lossless(int width, int height, int channels)
    {
        Image image = TestData.RandomImage(width, height, channels, seed: height + channels);
        byte[] pnm = PnmEncoder.Encode(image);
        Assert.Equal(channels == 1 ? "P5"u8.ToArray() : "P6"u8.ToArray(), pnm[..2]);
        Assert.True(image.PixelEquals(PnmDecoder.Decode(pnm)));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Alpha_cannot_be_encoded(int channels)
    {
        var e = Assert.Throws<ImageFormatException>(() => PnmEncoder.Encode(new Image(2, 2, channels)));
        Assert.Contains("alpha", e.Message);
    }

    [Theory]
    [InlineData("P5 2 2 255\n\x01\x02\x03", "raster is truncated")]
    [InlineData("P2 2 1 9\n3 10\n", "sample value 10 exceeds maxval 9")]
    [InlineData("P5 2 1 9\n\x01\x0A", "sample value 10 exceeds maxval 9")]
    [InlineData("P5 1 1 0\n\x00", "maxval 0 is outside")]
    [InlineData("P5 1 1 65536\n\x00\x00", "maxval 65536 is outside")]
    [InlineData("P5 0 1 255\n", "invalid image size 0x1")]
    [InlineData("P5 1x 1 255\n\x00", "unexpected byte 0x78 after the width")]
    [InlineData("P5 1 1 255", "missing whitespace after maxval")]
    [InlineData("P5 1 1", "file ends before the maxval")]
    [InlineData("P5 9999999999 1 255\n", "width has too many digits")]
    [InlineData("P4 1 1\n\x00", "P4 files are not supported")]
    [InlineData("P7\nWIDTH 1\n", "P7 files are not supported")]
    [InlineData("P9 1 1 255\n\x00", "bad magic number")]
    [InlineData("P2 2 1 255\n1 x\n", "expected a decimal sample, found byte 0x78")]
    [InlineData("P61 1 255\n\x00\x00\x00", "missing whitespace after the magic number")]
    public void Malformed_input_is_rejected(string text, string message)
    {
        byte[] data = text.Select(ch => (byte)ch).ToArray();
        var e = Assert.Throws<ImageFormatException>(() => PnmDecoder.Decode(data));
        Assert.StartsWith("PNM: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Limits_apply_before_allocation()
    {
        var e = Assert.Throws<ImageFormatException>(() =>
            PnmDecoder.Decode("P5 100000 100000 255\n"u8, new ImageDecoderOptions { MaxPixels = 1000 }));
        Assert.Contains("(MaxPixels)", e.Message);
        // Within the limit but without the raster: rejected by the size check, not by allocating.
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("raster is truncated", Assert.Throws<ImageFormatException>(() => PnmDecoder.Decode("P6 10000 10000 255\n\0"u8)).Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }
}
