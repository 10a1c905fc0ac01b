using FsCheck;
using FsCheck.Fluent;

namespace SecureTransmit.Imaging.Tests;

public class ImageTests
{
    [Fact]
    public void Constructor_validates_shape_and_buffer()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Image(0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Image(1, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Image(1, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Image(1, 1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Image(65536, 65536, 1)); // over Array.MaxLength
        Assert.Throws<ArgumentException>(() => new Image(2, 2, 3, new byte[11]));
        Assert.Throws<ArgumentNullException>(() => new Image(2, 2, 3, null!));
        var pixels = new byte[12];
        var image = new Image(2, 2, 3, pixels);
        Assert.Same(pixels, image.Pixels);
        Assert.Equal(6, image.Stride);
        Assert.False(image.HasAlpha);
        Assert.Throws<ArgumentOutOfRangeException>(() => image[2, 0, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => image[0, 0, 3]);
    }

    [Fact]
    public void Indexer_is_row_major_interleaved()
    {
        var image = new Image(3, 2, 2);
        image[2, 1, 1] = 99;
        Assert.Equal(99, image.Pixels[(((1 * 3) + 2) * 2) + 1]);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 99 }, image.GetRow(1).ToArray());
    }

    [Fact]
    public void ToGray_uses_BT601_luma_and_drops_alpha()
    {
        // 0.299*255 = 76.2, 0.587*255 = 149.7, 0.114*255 = 29.1; white stays 255.
        var rgba = new Image(4, 1, 4, [255, 0, 0, 10, 0, 255, 0, 20, 0, 0, 255, 30, 255, 255, 255, 40]);
        Assert.Equal(new byte[] { 76, 150, 29, 255 }, rgba.ToGray().Pixels);
        Assert.Equal(new byte[] { 76, 10, 150, 20, 29, 30, 255, 40 }, rgba.ConvertTo(2).Pixels);
        var grayAlpha = new Image(2, 1, 2, [7, 1, 9, 2]);
        Assert.Equal(new byte[] { 7, 9 }, grayAlpha.ToGray().Pixels);
    }

    [Fact]
    public void ToRgb_and_ToRgba_replicate_gray_and_handle_alpha()
    {
        var grayAlpha = new Image(2, 1, 2, [7, 1, 9, 2]);
        Assert.Equal(new byte[] { 7, 7, 7, 9, 9, 9 }, grayAlpha.ToRgb().Pixels);
        Assert.Equal(new byte[] { 7, 7, 7, 1, 9, 9, 9, 2 }, grayAlpha.ToRgba().Pixels);
        var rgb = new Image(1, 1, 3, [1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3, 255 }, rgb.ToRgba().Pixels);
        var rgba = new Image(1, 1, 4, [1, 2, 3, 4]);
        Assert.Equal(new byte[] { 1, 2, 3 }, rgba.ToRgb().Pixels);
        Image copy = rgb.ToRgb();
        Assert.NotSame(rgb.Pixels, copy.Pixels);
        Assert.True(rgb.PixelEquals(copy));
    }

    [Fact]
    public void Crop_copies_the_rectangle_and_checks_bounds()
    {
        var image = new Image(4, 3, 1, [.. Enumerable.Range(0, 12).Select(i => (byte)i)]);
        Image crop = image.Crop(1, 1, 2, 2);
        Assert.Equal((2, 2), (crop.Width, crop.Height));
        Assert.Equal(new byte[] { 5, 6, 9, 10 }, crop.Pixels);
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Crop(3, 0, 2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Crop(0, 0, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Crop(-1, 0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Crop(0, 1, 1, int.MaxValue));
    }

    [Fact]
    public void PadTo_replicates_the_last_column_and_row()
    {
        var image = new Image(2, 2, 2, [1, 10, 2, 20, 3, 30, 4, 40]);
        Image padded = image.PadTo(4, 3);
        Assert.Equal(new byte[]
        {
            1, 10, 2, 20, 2, 20, 2, 20,
            3, 30, 4, 40, 4, 40, 4, 40,
            3, 30, 4, 40, 4, 40, 4, 40,
        }, padded.Pixels);
        Assert.True(image.PixelEquals(image.PadTo(2, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.PadTo(1, 5));
    }

    [Fact]
    public void ToPlanarFloats_is_CHW_divided_by_255()
    {
        var image = new Image(2, 1, 3, [255, 0, 51, 102, 153, 204]);
        Assert.Equal(new[] { 1f, 102 / 255f, 0f, 153 / 255f, 51 / 255f, 204 / 255f }, image.ToPlanarFloats());
    }

    [Fact]
    public void FromPlanarFloats_clamps_and_rounds_half_away_from_zero()
    {
        // v*255: 127.5 -> 128, 0.4 -> 0, 254.6 -> 255; out of range and NaN clamp.
        float[] chw = [0.5f, 0.4f / 255f, 254.6f / 255f, -3f, 7f, float.NaN, float.PositiveInfinity, 1.4f / 255f];
        Image image = Image.FromPlanarFloats(chw, 1, 8, 1);
        Assert.Equal(new byte[] { 128, 0, 255, 0, 255, 0, 255, 1 }, image.Pixels);
        Assert.Throws<ArgumentException>(() => Image.FromPlanarFloats(chw, 1, 3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Image.FromPlanarFloats(chw, 5, 1, 1));
    }

    /// <summary>
    /// The vectorized conversion (whole vectors of every plane) against the rule written out here, over planes long
    /// enough for the vector path and odd enough for its scalar tail, with every special value in the vector lanes.
    /// </summary>
    [Theory]
    [InlineData(1, 257, 3)]
    [InlineData(3, 100, 7)]
    [InlineData(4, 64, 1)]
    public void FromPlanarFloats_vector_path_follows_the_rule(int channels, int width, int height)
    {
        var random = new Random(width);
        float[] special = [float.NaN, float.NegativeInfinity, float.PositiveInfinity, -0f, 0f, 1e-45f, 1f, 0.99999994f, 1e30f, -1e30f,
                           0.5f / 255f, 1.5f / 255f, 254.5f / 255f, 2.5f / 255f, 127.5f / 255f];
        var chw = new float[channels * width * height];
        for (int i = 0; i < chw.Length; i++)
        {
            chw[i] = i % 5 == 0 ? special[random.Next(special.Length)] : (float)(random.NextDouble() * 1.2 - 0.1);
        }

        Image image = Image.FromPlanarFloats(chw, channels, width, height);
        int plane = width * height;
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < plane; i++)
            {
                float v = chw[c * plane + i];
                int expected = v >= 1f ? 255 : v > 0f ? (int)MathF.Floor(v * 255f + 0.5f) : 0;
                Assert.True(expected == image.Pixels[i * channels + c], $"value {v:R} at plane {c} index {i}: {image.Pixels[i * channels + c]}, expected {expected}");
            }
        }
    }

    [Fact]
    public void Planar_float_round_trip_is_exact_for_any_pixels()
    {
        Arbitrary<byte[]> bytes = ArbMap.Default.ArbFor<byte[]>();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(bytes, Arb.From(Gen.Choose(1, 4)), (data, channels) =>
        {
            int width = Math.Max(1, data.Length / channels);
            byte[] pixels = new byte[width * channels];
            data.AsSpan(0, Math.Min(data.Length, pixels.Length)).CopyTo(pixels);
            var image = new Image(width, 1, channels, pixels);
            float[] chw = image.ToPlanarFloats();
            return chw.All(v => v is >= 0f and <= 1f) && Image.FromPlanarFloats(chw, channels, width, 1).PixelEquals(image);
        }));
    }
}
