using System.Buffers.Binary;

namespace SecureTransmit.Imaging.Tests;

/// <summary>
/// TIFF reader against fixtures written by Fixtures/make_tiff_pnm_fixtures.py (an independent writer),
/// and TiffEncoder round trips.
/// </summary>
public class TiffTests
{
    public static TheoryData<string, int> ValidFixtures() => new()
    {
        { "gray8_le.tif", 1 },
        { "gray8_be_short_strips.tif", 1 },
        { "rgb8_be_data_first.tif", 3 },
        { "rgb8_le_strips.tif", 3 },
        { "rgba8_le.tif", 4 },
        { "graya8_be.tif", 2 },
    };

    [Theory]
    [MemberData(nameof(ValidFixtures))]
    public void Eight_bit_fixture_decodes_to_its_pattern(string file, int channels)
    {
        Image image = TiffDecoder.Decode(TestData.ReadFixture("tiff", file));
        Assert.True(FixturePattern.Expected(channels, FixturePattern.V8).PixelEquals(image), file);
    }

    [Fact]
    public void WhiteIsZero_is_inverted()
    {
        Image image = TiffDecoder.Decode(TestData.ReadFixture("tiff", "gray8_whiteiszero_le.tif"));
        Assert.True(FixturePattern.Expected(1, (x, y, c) => 255 - FixturePattern.V8(x, y, c)).PixelEquals(image));
    }

    [Theory]
    [InlineData("rgb16_be.tif", 3)]
    [InlineData("gray16_le.tif", 1)]
    public void Sixteen_bit_fixture_is_rounded_to_8_bits(string file, int channels)
    {
        Image image = TiffDecoder.Decode(TestData.ReadFixture("tiff", file));
        Assert.True(FixturePattern.Expected(channels, (x, y, c) => FixturePattern.Round16(FixturePattern.V16(x, y, c))).PixelEquals(image));
    }

    [Theory]
    [InlineData("bad_lzw.tif", "TIFF: compression 5 is not supported")]
    [InlineData("bad_planar.tif", "TIFF: PlanarConfiguration 2 is not supported")]
    [InlineData("bad_palette.tif", "TIFF: PhotometricInterpretation 3 is not supported")]
    [InlineData("bad_strip_outside.tif", "lies outside the file")]
    [InlineData("bad_no_strips.tif", "tag 273 has no values")]
    public void Unsupported_or_broken_fixture_is_rejected(string file, string message)
    {
        var e = Assert.Throws<ImageFormatException>(() => TiffDecoder.Decode(TestData.ReadFixture("tiff", file)));
        Assert.Contains(message, e.Message);
        Assert.Null(e.InnerException);
    }

    public static TheoryData<int, int, int, TiffByteOrder> Shapes()
    {
        var data = new TheoryData<int, int, int, TiffByteOrder>();
        foreach ((int w, int h) in new[] { (1, 1), (31, 17), (513, 511) })
        {
            for (int c = 1; c <= 4; c++)
            {
                data.Add(w, h, c, TiffByteOrder.LittleEndian);
                data.Add(w, h, c, TiffByteOrder.BigEndian);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Round_trip_is_lossless(int width, int height, int channels, TiffByteOrder order)
    {
        Image image = TestData.RandomImage(width, height, channels, seed: width + (7 * channels));
        byte[] tiff = TiffEncoder.Encode(image, new TiffEncoderOptions { ByteOrder = order });
        Assert.Equal(order == TiffByteOrder.BigEndian ? "MM"u8.ToArray() : "II"u8.ToArray(), tiff[..2]);
        Assert.True(image.PixelEquals(TiffDecoder.Decode(tiff)));
    }

    [Fact]
    public void Encoder_strip_size_option_is_honoured()
    {
        Image image = TestData.RandomImage(10, 10, 3, seed: 1);
        byte[] oneRow = TiffEncoder.Encode(image, new TiffEncoderOptions { RowsPerStrip = 1 });
        byte[] all = TiffEncoder.Encode(image, new TiffEncoderOptions { RowsPerStrip = 100 });
        Assert.True(image.PixelEquals(TiffDecoder.Decode(oneRow)));
        Assert.True(image.PixelEquals(TiffDecoder.Decode(all)));
        // Ten StripOffsets + ten StripByteCounts stored out of line: 2 * 10 * 4 more bytes than one strip.
        Assert.Equal(all.Length + 80, oneRow.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TiffEncoderOptions { RowsPerStrip = -1 });
    }

    [Fact]
    public void Associated_alpha_is_unpremultiplied()
    {
        // 2x1 RGBA: (64, 32, 200, 128) and (10, 10, 10, 0), then ExtraSamples patched to 1 (associated).
        var image = new Image(2, 1, 4, [64, 32, 200, 128, 10, 10, 10, 0]);
        byte[] tiff = TiffEncoder.Encode(image);
        int entries = BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan(8));
        int patched = 0;
        for (int i = 0; i < entries; i++)
        {
            int at = 10 + (12 * i);
            if (BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan(at)) == 338)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at + 8), 1);
                patched++;
            }
        }

        Assert.Equal(1, patched);
        // (64*255 + 64) / 128 = 128; (32*255 + 64) / 128 = 64; 200 exceeds alpha -> clamped 255; alpha 0 -> 0.
        Assert.Equal(new byte[] { 128, 64, 255, 128, 0, 0, 0, 0 }, TiffDecoder.Decode(tiff).Pixels);
    }

    [Fact]
    public void Limits_apply_before_allocation()
    {
        byte[] tiff = TestData.ReadFixture("tiff", "rgb8_le_strips.tif");
        var e = Assert.Throws<ImageFormatException>(() => TiffDecoder.Decode(tiff, new ImageDecoderOptions { MaxPixels = 100 }));
        Assert.Contains("over the limit of 100 (MaxPixels)", e.Message);
    }

    [Fact]
    public void Header_errors_name_the_problem()
    {
        Assert.Contains("bad byte-order mark", Assert.Throws<ImageFormatException>(() => TiffDecoder.Decode("XX*\0\0\0\0\0"u8)).Message);
        Assert.Contains("BigTIFF", Assert.Throws<ImageFormatException>(() => TiffDecoder.Decode("II+\0\0\0\0\0"u8)).Message);
        Assert.Contains("first IFD offset 4000", Assert.Throws<ImageFormatException>(() => TiffDecoder.Decode(new byte[] { 0x49, 0x49, 42, 0, 0xA0, 0x0F, 0, 0 })).Message);
        Assert.Contains("shorter than the 8-byte header", Assert.Throws<ImageFormatException>(() => TiffDecoder.Decode("MM\0*"u8)).Message);
    }
}
