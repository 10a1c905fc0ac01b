using System.Buffers.Binary;
using System.Diagnostics;

namespace SecureTransmit.Imaging.Tests;

/// <summary>
/// Every format <see cref="ImageIO"/> reads, over inputs made here (library encoders, or the spec-built writers of
/// <see cref="TestImageFiles"/>), at odd sizes and every channel layout; then truncation, corrupt and oversized headers.
/// </summary>
public class FormatTests
{
    public static TheoryData<int, int> Sizes() => new() { { 1, 1 }, { 7, 5 }, { 513, 511 } };

    public static TheoryData<string, int, int, int> LosslessCases()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (var (w, h) in new[] { (1, 1), (7, 5), (513, 511) })
        {
            foreach (int c in new[] { 1, 2, 3, 4 })
            {
                data.Add("png", w, h, c);
                data.Add("webp-lossless", w, h, c);
                data.Add("tiff", w, h, c);
                data.Add("gif", w, h, c);
            }

            data.Add("pnm", w, h, 1);
            data.Add("pnm", w, h, 3);
            data.Add("bmp", w, h, 3);
        }

        return data;
    }

    /// <summary>Encodes <paramref name="image"/> as <paramref name="kind"/> and returns the bytes plus what a decode must give back.</summary>
    private static (byte[] File, Image Expected, ImageFormat Format) Make(string kind, Image image) => kind switch
    {
        "png" => (PngEncoder.Encode(image), image, ImageFormat.Png),
        "tiff" => (TiffEncoder.Encode(image), image, ImageFormat.Tiff),
        "pnm" => (PnmEncoder.Encode(image), image, ImageFormat.Pnm),
        "bmp" => (TestImageFiles.Bmp(image), image.ToRgb(), ImageFormat.Bmp),
        // WebP has no gray: gray comes back as RGB with R = G = B; gray + alpha as RGBA.
        "webp-lossless" => (ImageIO.EncodeWebP(image, 75, lossless: true), image.HasAlpha ? image.ToRgba() : image.ToRgb(), ImageFormat.WebP),
        "gif" => GifCase(image),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static (byte[], Image, ImageFormat) GifCase(Image image)
    {
        // GIF alpha is one bit: alpha < 128 becomes the transparent index, decoded as (0, 0, 0, 0).
        Image cube = TestImageFiles.ToCube(image);
        if (cube.Channels == 4)
        {
            for (int i = 0; i < cube.Pixels.Length; i += 4)
            {
                if (cube.Pixels[i + 3] < 128)
                {
                    cube.Pixels.AsSpan(i, 4).Clear();
                }
                else
                {
                    cube.Pixels[i + 3] = 255;
                }
            }
        }

        return (TestImageFiles.Gif(cube), cube, ImageFormat.Gif);
    }

    [Theory]
    [MemberData(nameof(LosslessCases))]
    public async Task Lossless_formats_round_trip_exactly(string kind, int width, int height, int channels)
    {
        Image source = TestData.RandomImage(width, height, channels, seed: (width * 31) + channels);
        if (kind == "gif" && source.HasAlpha)
        {
            // Alpha either 0 or 255 so the one-bit transparency can represent it.
            for (int i = channels - 1; i < source.Pixels.Length; i += channels)
            {
                source.Pixels[i] = (byte)(source.Pixels[i] < 128 ? 0 : 255);
            }
        }

        (byte[] file, Image expected, ImageFormat format) = Make(kind, source);
        Assert.Equal(format, ImageIO.DetectFormat(file));
        DecodedImage decoded = await TestData.RunWithTimeout(() => ImageIO.DecodeWithInfo(file));
        Image got = decoded.Image;
        if (kind == "webp-lossless" && expected.Channels == 4)
        {
            // libwebp's lossless mode may rewrite the colour under alpha 0 (its "exact" flag is off): compare colour
            // only where the pixel is visible.
            expected = expected.Clone();
            got = got.Clone();
            for (int i = 0; i < got.Pixels.Length; i += 4)
            {
                if (expected.Pixels[i + 3] == 0)
                {
                    expected.Pixels.AsSpan(i, 3).Clear();
                    got.Pixels.AsSpan(i, 3).Clear();
                }
            }
        }

        if (kind == "gif" && !source.HasAlpha && got.Channels == 4)
        {
            Assert.All(Enumerable.Range(0, got.Width * got.Height), p => Assert.Equal(255, got.Pixels[(p * 4) + 3]));
            got = got.ToRgb();
        }

        Assert.Equal((expected.Width, expected.Height, expected.Channels), (got.Width, got.Height, got.Channels));
        Assert.True(expected.PixelEquals(got), $"{kind} {width}x{height}x{channels}: pixels differ");
        Assert.Equal(format, decoded.Source.Format);
        Assert.Equal(8, decoded.Source.BitDepth);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 5, 1)]
    [InlineData(7, 5, 3)]
    [InlineData(513, 511, 1)]
    [InlineData(513, 511, 3)]
    [InlineData(64, 48, 2)] // gray + alpha: JPEG drops alpha, keeps gray
    [InlineData(64, 48, 4)] // RGBA: alpha dropped
    public async Task Jpeg_round_trips_within_lossy_tolerance_and_keeps_gray(int width, int height, int channels)
    {
        Image source = TestImageFiles.Smooth(width, height, channels);
        byte[] jpeg = ImageIO.EncodeJpeg(source, 95);
        Assert.Equal(ImageFormat.Jpeg, ImageIO.DetectFormat(jpeg));
        Assert.True(TestImageFiles.HasMarker(jpeg, 0xC0), "Skia writes baseline (SOF0)");
        Image got = await TestData.RunWithTimeout(() => ImageIO.Decode(jpeg));
        Image expected = source.IsGray ? source.ToGray() : source.ToRgb();
        Assert.Equal((width, height, expected.Channels), (got.Width, got.Height, got.Channels));
        AssertClose(expected, got, meanLimit: 2.0, maxLimit: 24);
    }

    [Theory]
    [InlineData(1, 1, 3)]
    [InlineData(7, 5, 3)]
    [InlineData(513, 511, 3)]
    [InlineData(7, 5, 4)]
    [InlineData(64, 48, 2)]
    public async Task Lossy_webp_round_trips_within_tolerance_and_keeps_alpha(int width, int height, int channels)
    {
        Image source = TestImageFiles.Smooth(width, height, channels);
        byte[] webp = ImageIO.EncodeWebP(source, 95);
        Image got = await TestData.RunWithTimeout(() => ImageIO.Decode(webp));
        Image expected = source.HasAlpha ? source.ToRgba() : source.ToRgb();
        Assert.Equal((width, height, expected.Channels), (got.Width, got.Height, got.Channels));
        AssertClose(expected, got, meanLimit: 2.5, maxLimit: 32);
    }

    [Theory]
    [InlineData(1, 1, 3)]
    [InlineData(7, 5, 1)]
    [InlineData(513, 511, 3)]
    [InlineData(513, 511, 1)]
    public async Task Progressive_jpeg_from_cjpeg_decodes(int width, int height, int channels)
    {
        Image source = TestImageFiles.Smooth(width, height, channels);
        byte[] jpeg = TestImageFiles.ProgressiveJpeg(source);
        Assert.False(TestImageFiles.HasMarker(jpeg, 0xC0));
        Image got = await TestData.RunWithTimeout(() => ImageIO.Decode(jpeg));
        Assert.Equal((width, height, channels), (got.Width, got.Height, got.Channels));
        AssertClose(source, got, meanLimit: 2.0, maxLimit: 24);
    }

    /// <summary>
    /// Source quadrants: top-left red, top-right green, bottom-left blue, bottom-right white. Expected corners after
    /// orientation (TL, TR, BL, BR), written from the EXIF 2.3 definition of tag 0x0112 ("the 0th row is the visual …").
    /// </summary>
    [Theory]
    [InlineData(1, "RGBW")]
    [InlineData(2, "GRWB")]
    [InlineData(3, "WBGR")]
    [InlineData(4, "BWRG")]
    [InlineData(5, "RBGW")]
    [InlineData(6, "BRWG")]
    [InlineData(7, "WGBR")]
    [InlineData(8, "GWRB")]
    public async Task Exif_orientation_is_applied(int orientation, string corners)
    {
        const int w = 48, h = 32;
        var source = new Image(w, h, 3);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                (byte r, byte g, byte b) = (x < w / 2, y < h / 2) switch
                {
                    (true, true) => ((byte)255, (byte)0, (byte)0),
                    (false, true) => ((byte)0, (byte)255, (byte)0),
                    (true, false) => ((byte)0, (byte)0, (byte)255),
                    _ => ((byte)255, (byte)255, (byte)255),
                };
                source[x, y, 0] = r;
                source[x, y, 1] = g;
                source[x, y, 2] = b;
            }
        }

        byte[] jpeg = TestImageFiles.WithExifOrientation(ImageIO.EncodeJpeg(source, 95), orientation);
        DecodedImage decoded = await TestData.RunWithTimeout(() => ImageIO.DecodeWithInfo(jpeg));
        Image got = decoded.Image;
        Assert.Equal(orientation, decoded.Source.Orientation);
        Assert.Equal(orientation >= 5 ? (h, w) : (w, h), (got.Width, got.Height));
        int[] xs = [2, got.Width - 3, 2, got.Width - 3];
        int[] ys = [2, 2, got.Height - 3, got.Height - 3];
        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(corners[k], Colour(got, xs[k], ys[k]));
        }
    }

    private static char Colour(Image image, int x, int y)
    {
        bool r = image[x, y, 0] > 128, g = image[x, y, 1] > 128, b = image[x, y, 2] > 128;
        return (r, g, b) switch
        {
            (true, false, false) => 'R',
            (false, true, false) => 'G',
            (false, false, true) => 'B',
            (true, true, true) => 'W',
            _ => '?',
        };
    }

    [Fact]
    public async Task Gif_decodes_the_first_frame_only()
    {
        Image first = TestImageFiles.ToCube(TestImageFiles.Smooth(9, 7, 3));
        var second = new Image(9, 7, 3);
        Array.Fill(second.Pixels, (byte)255);
        Image got = (await TestData.RunWithTimeout(() => ImageIO.Decode(TestImageFiles.Gif(first, second)))).ToRgb();
        Assert.True(first.PixelEquals(got));
    }

    [Fact]
    public void Sixteen_bit_sources_are_rounded_to_8_and_reported()
    {
        // PGM maxval 65535, written here byte by byte: "P5 3 1 65535\n" then big-endian samples.
        byte[] pgm = [.. "P5 3 1 65535\n"u8, 0x00, 0x80, 0x7F, 0xFF, 0xFF, 0xFF];
        DecodedImage d = ImageIO.DecodeWithInfo(pgm);
        Assert.Equal(16, d.Source.BitDepth);
        Assert.True(d.Source.Reduced16To8);
        Assert.Equal(new[] { 0x0080, 0x7FFF, 0xFFFF }.Select(v => (byte)FixturePattern.Round16(v)), d.Image.Pixels);

        // 16-bit RGBA PNG from the chunk builder: one pixel.
        byte[] row = [0, 0x12, 0x34, 0xAB, 0xCD, 0x80, 0x00, 0xFF, 0xFF];
        byte[] png = new PngBuilder().Header(1, 1, 16, 6).Idat(row).End().Build();
        d = ImageIO.DecodeWithInfo(png);
        Assert.Equal((ImageFormat.Png, 16, 4), (d.Source.Format, d.Source.BitDepth, d.Image.Channels));
        Assert.Equal(new[] { 0x1234, 0xABCD, 0x8000, 0xFFFF }.Select(v => (byte)FixturePattern.Round16(v)), d.Image.Pixels);

        d = ImageIO.DecodeWithInfo(TestData.ReadFixture("tiff", "rgb16_be.tif"));
        Assert.Equal((ImageFormat.Tiff, 16), (d.Source.Format, d.Source.BitDepth));
        d = ImageIO.DecodeWithInfo(PngEncoder.Encode(new Image(2, 2, 2)));
        Assert.Equal(8, d.Source.BitDepth);
        Assert.False(d.Source.Reduced16To8);
    }

    public static TheoryData<string> AllKinds() => ["png", "jpeg", "jpeg-progressive", "webp", "webp-lossless", "gif", "bmp", "tiff", "pnm"];

    private static byte[] Sample(string kind)
    {
        Image image = TestImageFiles.Smooth(64, 40, 3);
        return kind switch
        {
            "jpeg" => ImageIO.EncodeJpeg(image, 90),
            "jpeg-progressive" => TestImageFiles.ProgressiveJpeg(image),
            "webp" => ImageIO.EncodeWebP(image, 80),
            "webp-lossless" => ImageIO.EncodeWebP(image, 50, lossless: true),
            _ => Make(kind, image).File,
        };
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task Truncated_files_are_refused_with_one_line(string kind)
    {
        byte[] whole = Sample(kind);
        foreach (double keep in new[] { 0.95, 0.6, 0.3 })
        {
            byte[] cut = whole[..(int)(whole.Length * keep)];
            Exception? e = await Record.ExceptionAsync(() => TestData.RunWithTimeout(() => ImageIO.Decode(cut)));
            var ex = Assert.IsType<ImageFormatException>(e);
            Assert.DoesNotContain('\n', ex.Message);
            Assert.False(ex.OverLimit);
        }

        // Through Load the line names the file.
        string path = Path.Combine(Path.GetTempPath(), $"st-trunc-{Guid.NewGuid():N}.{kind}");
        await File.WriteAllBytesAsync(path, whole[..(whole.Length / 2)]);
        try
        {
            var ex = Assert.Throws<ImageFormatException>(() => ImageIO.Load(path));
            Assert.StartsWith(path + ": ", ex.Message);
            Assert.DoesNotContain('\n', ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("jpeg", "truncated")]
    [InlineData("gif", "truncated")]
    [InlineData("bmp", "truncated")]
    public void Skia_truncation_names_the_problem(string kind, string word)
    {
        byte[] whole = Sample(kind);
        var ex = Assert.Throws<ImageFormatException>(() => ImageIO.Decode(whole[..(whole.Length * 2 / 3)]));
        Assert.Contains(word, ex.Message);
    }

    /// <summary>Each format with its header rewritten to declare 60000 × 60000 pixels (3.6 G pixels, 14 GB as RGBA).</summary>
    public static TheoryData<string> HugeKinds() => ["png", "jpeg", "gif", "bmp", "tiff", "pnm"];

    private static byte[] Huge(string kind)
    {
        const int n = 60000;
        switch (kind)
        {
            case "png":
                return new PngBuilder().Header(n, n, 8, 2).Idat(new byte[64]).End().Build();
            case "jpeg":
                {
                    byte[] jpeg = ImageIO.EncodeJpeg(new Image(8, 8, 3), 90);
                    int sof = TestImageFiles.FindMarker(jpeg, 0xC0); // FF C0 | length u16 | precision u8 | height u16 | width u16
                    BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), n);
                    BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), n);
                    return jpeg;
                }

            case "gif":
                {
                    byte[] gif = TestImageFiles.Gif(new Image(2, 2, 3));
                    BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(6), n); // logical screen
                    BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(8), n);
                    int desc = 13 + 768 + 8; // after the header, palette and graphic control extension
                    BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(desc + 5), n);
                    BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(desc + 7), n);
                    return gif;
                }

            case "bmp":
                {
                    byte[] bmp = TestImageFiles.Bmp(new Image(2, 2, 3));
                    BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), n);
                    BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), n);
                    return bmp;
                }

            case "tiff":
                {
                    // Rewrite ImageWidth (256) and ImageLength (257) in the encoder's own little-endian IFD.
                    byte[] tiff = TiffEncoder.Encode(new Image(2, 2, 3));
                    int ifd = BinaryPrimitives.ReadInt32LittleEndian(tiff.AsSpan(4));
                    int count = BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan(ifd));
                    for (int i = 0; i < count; i++)
                    {
                        int e = ifd + 2 + (12 * i);
                        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan(e));
                        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan(e + 2));
                        if (tag is 256 or 257)
                        {
                            if (type == 3)
                            {
                                BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(e + 8), n);
                            }
                            else
                            {
                                BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(e + 8), n);
                            }
                        }
                    }

                    return tiff;
                }

            default:
                return [.. "P6 60000 60000 255\n"u8, .. new byte[64]];
        }
    }

    [Theory]
    [MemberData(nameof(HugeKinds))]
    public async Task Header_declaring_60000_by_60000_is_refused_before_pixel_memory_is_allocated(string kind)
    {
        byte[] file = Huge(kind);
        (Exception? error, long allocated, long rssBefore, long rssAfter) = await TestData.RunWithTimeout(() =>
        {
            using var self = Process.GetCurrentProcess();
            long before = self.WorkingSet64;
            long start = GC.GetAllocatedBytesForCurrentThread();
            Exception? caught = Record.Exception(() => ImageIO.Decode(file));
            long used = GC.GetAllocatedBytesForCurrentThread() - start;
            self.Refresh();
            return (caught, used, before, self.WorkingSet64);
        });
        var ex = Assert.IsType<ImageFormatException>(error);
        Assert.Contains("60000x60000 = 3600000000 pixels, over the limit", ex.Message);
        Assert.True(ex.OverLimit);
        Assert.True(allocated < 1 << 20, $"{kind}: {allocated:N0} managed bytes allocated before the refusal");
        Assert.True(rssAfter - rssBefore < 64L << 20, $"{kind}: RSS grew by {(rssAfter - rssBefore) >> 20} MiB");
    }

    [Fact]
    public void A_small_limit_refuses_before_decoding_each_skia_format()
    {
        var limit = new ImageDecoderOptions { MaxPixels = 100 };
        foreach (string kind in new[] { "jpeg", "webp", "gif", "bmp" })
        {
            var ex = Assert.Throws<ImageFormatException>(() => ImageIO.Decode(Sample(kind), limit));
            Assert.Contains("64x40 = 2560 pixels, over the limit of 100 (MaxPixels)", ex.Message);
            Assert.True(ex.OverLimit);
        }
    }

    [Fact]
    public void Magic_bytes_pick_the_format_not_the_extension_and_unknowns_say_what_they_are()
    {
        Assert.Equal(ImageFormat.Jpeg, ImageIO.DetectFormat(Sample("jpeg")));
        Assert.Equal(ImageFormat.WebP, ImageIO.DetectFormat(Sample("webp")));
        Assert.Equal(ImageFormat.Gif, ImageIO.DetectFormat(Sample("gif")));
        Assert.Equal(ImageFormat.Bmp, ImageIO.DetectFormat(Sample("bmp")));
        Assert.Null(ImageIO.DetectFormat("BMW is a car, not a bitmap"u8));
        var text = Assert.Throws<ImageFormatException>(() => ImageIO.Decode("hello, world\n"u8));
        Assert.Equal("not an image (no JPEG, PNG, WebP, GIF, BMP, TIFF or PGM/PPM signature)", text.Message);
        byte[] avif = [0, 0, 0, 0x1C, .. "ftypavif"u8, 0, 0, 0, 0];
        Assert.Equal("AVIF images are not supported (JPEG, PNG, WebP, GIF, BMP, TIFF and PGM/PPM are)",
            Assert.Throws<ImageFormatException>(() => ImageIO.Decode(avif)).Message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public Task Random_byte_changes_only_raise_format_errors(string kind) => TestData.RunWithTimeout(() =>
    {
        byte[] original = Sample(kind);
        var random = new Random(kind.Length * 104729);
        for (int i = 0; i < 150; i++)
        {
            byte[] data = (byte[])original.Clone();
            for (int k = random.Next(1, 5); k > 0; k--)
            {
                data[random.Next(data.Length)] = (byte)random.Next(256);
            }

            TestData.DecodeMustSucceedOrReject(() => ImageIO.Decode(data), $"{kind} mutation {i}");
        }
    }, seconds: 120);

    private static void AssertClose(Image expected, Image got, double meanLimit, int maxLimit)
    {
        Assert.Equal(expected.Pixels.Length, got.Pixels.Length);
        long sum = 0;
        int worst = 0;
        for (int i = 0; i < expected.Pixels.Length; i++)
        {
            int d = Math.Abs(expected.Pixels[i] - got.Pixels[i]);
            sum += d;
            worst = Math.Max(worst, d);
        }

        double mean = (double)sum / expected.Pixels.Length;
        Assert.True(mean <= meanLimit && worst <= maxLimit, $"mean |error| {mean:0.00} (limit {meanLimit}), max {worst} (limit {maxLimit})");
    }
}

/// <summary><see cref="Image.CompositeOnto"/>: the sender's alpha rule.</summary>
public class CompositeTests
{
    [Theory]
    [InlineData(200, 255, 255, 200)] // opaque: the sample itself
    [InlineData(200, 0, 255, 255)] // transparent: the background
    [InlineData(0, 128, 255, 127)] // (128·0 + 127·255 + 127) / 255 = 127.5 → 127
    [InlineData(100, 51, 0, 20)] // (51·100 + 204·0 + 127) / 255 = 20.5 → 20
    public void Gray_alpha_composites_by_the_stated_rule(byte v, byte a, byte background, byte expected)
    {
        var image = new Image(1, 1, 2, [v, a]);
        Image flat = image.CompositeOnto((background, background, background));
        Assert.Equal(1, flat.Channels);
        Assert.Equal(expected, flat.Pixels[0]);
    }

    [Fact]
    public void Rgba_becomes_rgb_and_opaque_images_are_returned_as_they_are()
    {
        var rgba = new Image(2, 1, 4, [10, 20, 30, 255, 10, 20, 30, 0]);
        Image flat = rgba.CompositeOnto((255, 255, 255));
        Assert.Equal(new byte[] { 10, 20, 30, 255, 255, 255 }, flat.Pixels);
        var rgb = new Image(1, 1, 3);
        Assert.Same(rgb, rgb.CompositeOnto((1, 2, 3)));
    }
}
