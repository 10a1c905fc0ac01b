namespace SecureTransmit.Imaging.Tests;

public sealed class ImageIOTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("imaging-io-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathFor(string name) => Path.Combine(_dir, name);

    [Theory]
    [InlineData("a.png", 4)]
    [InlineData("a.PNG", 2)]
    [InlineData("a.tif", 3)]
    [InlineData("a.tiff", 1)]
    [InlineData("a.ppm", 3)]
    [InlineData("a.pgm", 1)]
    [InlineData("a.pnm", 1)]
    [InlineData("a.pnm", 3)]
    public void Save_then_Load_round_trips_by_extension(string name, int channels)
    {
        Image image = TestData.RandomImage(31, 17, channels, seed: channels);
        string path = PathFor(name);
        ImageIO.Save(image, path);
        Assert.True(image.PixelEquals(ImageIO.Load(path)));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Ppm_of_a_gray_image_is_written_as_RGB()
    {
        Image gray = TestData.RandomImage(5, 4, 1, seed: 3);
        string path = PathFor("g.ppm");
        ImageIO.Save(gray, path);
        Assert.Equal("P6"u8.ToArray(), File.ReadAllBytes(path)[..2]);
        Assert.True(gray.ToRgb().PixelEquals(ImageIO.Load(path)));
    }

    [Fact]
    public void Load_detects_the_format_from_content_not_extension()
    {
        Image image = TestData.RandomImage(7, 3, 3, seed: 4);
        string path = PathFor("really-a-png.tif");
        File.WriteAllBytes(path, ImageIO.Encode(image, ImageFormat.Png));
        Assert.True(image.PixelEquals(ImageIO.Load(path)));
        Assert.Equal(ImageFormat.Png, ImageIO.DetectFormat(File.ReadAllBytes(path)));
        Assert.Equal(ImageFormat.Tiff, ImageIO.DetectFormat(ImageIO.Encode(image, ImageFormat.Tiff)));
        Assert.Equal(ImageFormat.Pnm, ImageIO.DetectFormat(ImageIO.Encode(image, ImageFormat.Pnm)));
        Assert.Equal(ImageFormat.Gif, ImageIO.DetectFormat("GIF89a"u8));
        Assert.Null(ImageIO.DetectFormat("GIF90a"u8));
    }

    [Fact]
    public void Save_replaces_an_existing_file()
    {
        string path = PathFor("x.png");
        ImageIO.Save(TestData.RandomImage(3, 3, 3, seed: 1), path);
        Image second = TestData.RandomImage(4, 2, 1, seed: 2);
        ImageIO.Save(second, path);
        Assert.True(second.PixelEquals(ImageIO.Load(path)));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Failed_save_leaves_the_old_file_and_no_temporary_file()
    {
        string path = PathFor("keep.pgm");
        ImageIO.Save(new Image(2, 2, 1, [1, 2, 3, 4]), path);
        byte[] before = File.ReadAllBytes(path);

        var e = Assert.Throws<ImageFormatException>(() => ImageIO.Save(new Image(2, 2, 3), path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(".pgm file holds 1-channel", e.Message);
        e = Assert.Throws<ImageFormatException>(() => ImageIO.Save(new Image(2, 2, 4), PathFor("alpha.ppm")));
        Assert.Contains("alpha", e.Message);

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Save_into_a_missing_folder_is_an_IOException_naming_the_path()
    {
        string path = Path.Combine(_dir, "no-such-folder", "x.png");
        var e = Assert.ThrowsAny<IOException>(() => ImageIO.Save(new Image(1, 1, 1), path));
        Assert.Contains("no-such-folder", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Unknown_extension_is_rejected_before_writing()
    {
        string path = PathFor("x.gif");
        var e = Assert.Throws<ImageFormatException>(() => ImageIO.Save(new Image(1, 1, 1), path));
        Assert.Equal($"{path}: cannot write extension '.gif' (use .png, .jpg, .jpeg, .webp, .tif, .tiff, .ppm, .pgm or .pnm)", e.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Load_errors_are_one_line_and_name_the_file()
    {
        string missing = PathFor("missing.png");
        var io = Assert.ThrowsAny<IOException>(() => ImageIO.Load(missing));
        Assert.Contains(missing, io.Message);

        string corrupt = PathFor("corrupt.png");
        byte[] png = PngEncoder.Encode(TestData.RandomImage(8, 8, 3, seed: 5));
        png[^20] ^= 0xFF; // inside the last IDAT: CRC mismatch
        File.WriteAllBytes(corrupt, png);
        var e = Assert.Throws<ImageFormatException>(() => ImageIO.Load(corrupt));
        Assert.Equal($"{corrupt}: PNG: CRC mismatch in chunk IDAT", e.Message);

        string unknown = PathFor("text.png");
        File.WriteAllText(unknown, "hello");
        e = Assert.Throws<ImageFormatException>(() => ImageIO.Load(unknown));
        Assert.Equal($"{unknown}: not an image (no JPEG, PNG, WebP, GIF, BMP, TIFF or PGM/PPM signature)", e.Message);
    }

    [Fact]
    public void Encode_rejects_an_undefined_format()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageIO.Encode(new Image(1, 1, 1), (ImageFormat)9));
        Assert.Equal(ImageFormat.Tiff, ImageIO.FormatFromPath("/x/y.TIFF"));
    }
}
