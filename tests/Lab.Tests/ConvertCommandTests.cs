using SecureTransmit.Imaging;
using SecureTransmit.Imaging.Tests;
using SecureTransmit.Lab.Experiments;

namespace SecureTransmit.Lab.Tests;

/// <summary><c>lab convert</c> as a user runs it: every readable format in, every writable format out.</summary>
public sealed class ConvertCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("st-convert-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static readonly Image Source = TestImageFiles.Smooth(37, 21, 3);

    /// <summary>Input kind → (file bytes, pixels the decode must give, lossless?).</summary>
    private static (byte[] Bytes, Image Pixels, bool Exact) Input(string ext) => ext switch
    {
        ".png" => (PngEncoder.Encode(Source), Source, true),
        ".jpg" => (ImageIO.EncodeJpeg(Source, 95), Source, false),
        ".webp" => (ImageIO.EncodeWebP(Source, 95), Source, false),
        ".gif" => (TestImageFiles.Gif(TestImageFiles.ToCube(Source)), TestImageFiles.ToCube(Source), true),
        ".bmp" => (TestImageFiles.Bmp(Source), Source, true),
        ".tif" => (TiffEncoder.Encode(Source), Source, true),
        _ => (PnmEncoder.Encode(Source), Source, true),
    };

    [Theory]
    [InlineData(".png")]
    [InlineData(".jpg")]
    [InlineData(".webp")]
    [InlineData(".gif")]
    [InlineData(".bmp")]
    [InlineData(".tif")]
    [InlineData(".ppm")]
    public async Task Every_format_converts_to_png(string ext)
    {
        var (bytes, pixels, exact) = Input(ext);
        File.WriteAllBytes(P("in" + ext), bytes);
        var (code, output, err) = await BandwidthTestSupport.RunLabAsync("convert", P("in" + ext), P("out.png"));
        Assert.True(code == 0, err);
        Assert.Contains("→", output, StringComparison.Ordinal);
        var got = ImageIO.Load(P("out.png")).ToRgb();
        Assert.Equal((37, 21), (got.Width, got.Height));
        Assert.Equal(ImageFormat.Png, ImageIO.DetectFormat(File.ReadAllBytes(P("out.png"))));
        if (exact) Assert.True(pixels.ToRgb().PixelEquals(got));
        else Assert.True(MeanAbsError(pixels.ToRgb(), got) < 2.5);
    }

    [Theory]
    [InlineData("out.jpg", ImageFormat.Jpeg, false)]
    [InlineData("out.jpeg", ImageFormat.Jpeg, false)]
    [InlineData("out.webp", ImageFormat.WebP, false)]
    [InlineData("out.tiff", ImageFormat.Tiff, true)]
    [InlineData("out.ppm", ImageFormat.Pnm, true)]
    public async Task Png_converts_to_each_written_format_by_extension(string name, ImageFormat format, bool exact)
    {
        File.WriteAllBytes(P("in.png"), PngEncoder.Encode(Source));
        var (code, _, err) = await BandwidthTestSupport.RunLabAsync("convert", P("in.png"), P(name));
        Assert.True(code == 0, err);
        Assert.Equal(format, ImageIO.DetectFormat(File.ReadAllBytes(P(name))));
        var got = ImageIO.Load(P(name)).ToRgb();
        if (exact) Assert.True(Source.PixelEquals(got));
        else Assert.True(MeanAbsError(Source, got) < 3);
    }

    [Fact]
    public async Task Quality_changes_the_jpeg_size_and_bad_input_is_one_line()
    {
        File.WriteAllBytes(P("in.png"), PngEncoder.Encode(TestImageFiles.Smooth(120, 80, 3)));
        Assert.Equal(0, (await BandwidthTestSupport.RunLabAsync("convert", P("in.png"), P("lo.jpg"), "--quality", "20")).Code);
        Assert.Equal(0, (await BandwidthTestSupport.RunLabAsync("convert", P("in.png"), P("hi.jpg"), "--quality", "98")).Code);
        Assert.True(new FileInfo(P("lo.jpg")).Length < new FileInfo(P("hi.jpg")).Length);

        var jpeg = ImageIO.EncodeJpeg(Source, 90);
        File.WriteAllBytes(P("cut.jpg"), jpeg[..(jpeg.Length / 2)]);
        var (code, _, err) = await BandwidthTestSupport.RunLabAsync("convert", P("cut.jpg"), P("never.png"));
        Assert.NotEqual(0, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("cut.jpg: JPEG: the file is truncated", line, StringComparison.Ordinal);
        Assert.False(File.Exists(P("never.png")));

        (code, _, err) = await BandwidthTestSupport.RunLabAsync("convert", P("in.png"), P("x.png"), "--quality", "50");
        Assert.NotEqual(0, code);
        Assert.Contains("--quality applies to .jpg/.jpeg/.webp outputs", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Reference_jpeg_and_webp_run_in_process_without_tools()
    {
        foreach (var codec in new[] { ReferenceCodec.Jpeg, ReferenceCodec.WebP })
        {
            Assert.True(codec.InProcess);
            codec.RequireTools(); // nothing to find on PATH
            byte[] small = codec.Encode(Source, 20), large = codec.Encode(Source, 95);
            Assert.True(small.Length < large.Length, codec.Name);
            Assert.True(MeanAbsError(Source, codec.Decode(large)) < MeanAbsError(Source, codec.Decode(small)), codec.Name);
        }
        Assert.False(ReferenceCodec.Avif.InProcess);
    }

    private static double MeanAbsError(Image a, Image b)
    {
        long sum = 0;
        for (int i = 0; i < a.Pixels.Length; i++) sum += Math.Abs(a.Pixels[i] - b.Pixels[i]);
        return (double)sum / a.Pixels.Length;
    }
}
