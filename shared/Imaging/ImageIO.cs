using SecureTransmit.Imaging.Internal;

namespace SecureTransmit.Imaging;

/// <summary>File formats <see cref="ImageIO"/> reads (all) and writes (all but GIF and BMP).</summary>
public enum ImageFormat
{
    /// <summary>PNG (this project's decoder and encoder); written as 8-bit gray, gray + alpha, RGB or RGBA.</summary>
    Png,

    /// <summary>Baseline uncompressed TIFF (this project's code); written little-endian.</summary>
    Tiff,

    /// <summary>Netpbm PGM/PPM (this project's code); written as P5 (gray) or P6 (RGB); no alpha.</summary>
    Pnm,

    /// <summary>JPEG, baseline and progressive (SkiaSharp / libjpeg-turbo); written baseline 4:2:0, no alpha.</summary>
    Jpeg,

    /// <summary>WebP, lossy and lossless (SkiaSharp / libwebp); written lossy by default.</summary>
    WebP,

    /// <summary>GIF, first frame only (SkiaSharp); read only.</summary>
    Gif,

    /// <summary>Windows BMP (SkiaSharp); read only.</summary>
    Bmp,
}

/// <summary>
/// Load, save, decode and encode images in any supported format.
/// </summary>
/// <remarks>
/// Errors: bad or unsupported content throws <see cref="ImageFormatException"/>; <see cref="Load"/> and
/// <see cref="Save"/> prefix its one-line message with the path, e.g.
/// <c>photo.png: PNG: CRC mismatch in chunk IDAT</c>. File-system problems (missing file, no permission)
/// throw <see cref="IOException"/> whose one-line message also names the path.
/// </remarks>
public static class ImageIO
{
    /// <summary>Default JPEG quality of <see cref="Encode"/> and <see cref="Save"/>.</summary>
    public const int DefaultJpegQuality = 90;

    /// <summary>Default lossy WebP quality of <see cref="Encode"/> and <see cref="Save"/>.</summary>
    public const int DefaultWebPQuality = 90;

    /// <summary>The format whose magic bytes start <paramref name="data"/>, or null.</summary>
    public static ImageFormat? DetectFormat(ReadOnlySpan<byte> data)
    {
        if (PngDecoder.IsPng(data))
        {
            return ImageFormat.Png;
        }

        if (ImageMagic.IsJpeg(data))
        {
            return ImageFormat.Jpeg;
        }

        if (ImageMagic.IsWebP(data))
        {
            return ImageFormat.WebP;
        }

        if (ImageMagic.IsGif(data))
        {
            return ImageFormat.Gif;
        }

        if (ImageMagic.IsBmp(data))
        {
            return ImageFormat.Bmp;
        }

        if (TiffDecoder.IsTiff(data))
        {
            return ImageFormat.Tiff;
        }

        return data.Length >= 2 && data[0] == 'P' && data[1] is >= (byte)'1' and <= (byte)'7' ? ImageFormat.Pnm : null;
    }

    /// <summary>
    /// The format a file name's extension names for writing: .png; .jpg, .jpeg; .webp; .tif, .tiff; .ppm, .pgm, .pnm
    /// (case-insensitive). Throws <see cref="ImageFormatException"/> for any other extension.
    /// </summary>
    public static ImageFormat FormatFromPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => ImageFormat.Png,
            ".jpg" or ".jpeg" => ImageFormat.Jpeg,
            ".webp" => ImageFormat.WebP,
            ".tif" or ".tiff" => ImageFormat.Tiff,
            ".ppm" or ".pgm" or ".pnm" => ImageFormat.Pnm,
            var ext => throw new ImageFormatException(
                $"{path}: cannot write extension '{ext}' (use .png, .jpg, .jpeg, .webp, .tif, .tiff, .ppm, .pgm or .pnm)"),
        };
    }

    /// <summary>
    /// Decodes JPEG, PNG, WebP, GIF (first frame), BMP, TIFF or PGM/PPM, chosen by the magic bytes. Width × height is
    /// checked against <see cref="ImageDecoderOptions.MaxPixels"/> from the header, before pixel memory is allocated.
    /// </summary>
    /// <param name="options">Limits; a <see cref="PngDecoderOptions"/> also sets the PNG inflate limit.</param>
    public static Image Decode(ReadOnlySpan<byte> data, ImageDecoderOptions? options = null) => DecodeWithInfo(data, options).Image;

    /// <summary>As <see cref="Decode"/>, and says what the source held (format, bit depth, EXIF orientation applied).</summary>
    public static DecodedImage DecodeWithInfo(ReadOnlySpan<byte> data, ImageDecoderOptions? options = null)
    {
        options ??= ImageDecoderOptions.Default;
        switch (DetectFormat(data))
        {
            case ImageFormat.Png:
                {
                    var png = PngDecoder.DecodeWithDepth(data, PngDecoderOptions.From(options), out int depth);
                    return new DecodedImage(png, new ImageSourceInfo(ImageFormat.Png, depth, 1));
                }

            case ImageFormat.Tiff:
                {
                    var tiff = TiffDecoder.DecodeWithDepth(data, options, out int depth);
                    return new DecodedImage(tiff, new ImageSourceInfo(ImageFormat.Tiff, depth, 1));
                }

            case ImageFormat.Pnm:
                {
                    var pnm = PnmDecoder.DecodeWithDepth(data, options, out int depth);
                    return new DecodedImage(pnm, new ImageSourceInfo(ImageFormat.Pnm, depth, 1));
                }

            case { } skia:
                return SkiaCodec.Decode(data, skia, options);

            default:
                throw new ImageFormatException(ImageMagic.KnownUnsupported(data) is { } known
                    ? $"{known} images are not supported (JPEG, PNG, WebP, GIF, BMP, TIFF and PGM/PPM are)"
                    : "not an image (no JPEG, PNG, WebP, GIF, BMP, TIFF or PGM/PPM signature)");
        }
    }

    /// <summary>
    /// Encodes with each format's default options: PNG level 6, JPEG quality <see cref="DefaultJpegQuality"/>, lossy WebP
    /// quality <see cref="DefaultWebPQuality"/>. PNM alpha is rejected; JPEG drops alpha. GIF and BMP are not written.
    /// </summary>
    public static byte[] Encode(Image image, ImageFormat format)
    {
        ArgumentNullException.ThrowIfNull(image);
        return format switch
        {
            ImageFormat.Png => PngEncoder.Encode(image),
            ImageFormat.Tiff => TiffEncoder.Encode(image),
            ImageFormat.Pnm => PnmEncoder.Encode(image),
            ImageFormat.Jpeg => EncodeJpeg(image, DefaultJpegQuality),
            ImageFormat.WebP => EncodeWebP(image, DefaultWebPQuality),
            ImageFormat.Gif or ImageFormat.Bmp => throw new ImageFormatException($"{format}: writing is not supported"),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown image format."),
        };
    }

    /// <summary>Baseline JPEG, 4:2:0 chroma (gray stays one channel), quality 1..100 (libjpeg scale); alpha is dropped.</summary>
    public static byte[] EncodeJpeg(Image image, int quality)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        return SkiaCodec.Encode(image, ImageFormat.Jpeg, quality);
    }

    /// <summary>WebP: lossy at quality 0..100 (libwebp scale), or lossless (quality then sets effort); alpha is kept.</summary>
    public static byte[] EncodeWebP(Image image, float quality, bool lossless = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 0f);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100f);
        return SkiaCodec.Encode(image, ImageFormat.WebP, quality, lossless);
    }

    /// <summary>Reads and decodes a file; the format comes from its content, not its extension.</summary>
    public static Image Load(string path, ImageDecoderOptions? options = null) => LoadWithInfo(path, options).Image;

    /// <summary>As <see cref="Load"/>, and says what the source held.</summary>
    public static DecodedImage LoadWithInfo(string path, ImageDecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] data = ReadFile(path);
        try
        {
            return DecodeWithInfo(data, options);
        }
        catch (ImageFormatException e)
        {
            throw new ImageFormatException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Encodes by the extension of <paramref name="path"/> and writes atomically: the bytes go to a
    /// temporary file in the same folder, which is flushed and then renamed over <paramref name="path"/>.
    /// On any failure the temporary file is removed and an existing file at <paramref name="path"/> is left
    /// as it was. ".pgm" needs a 1-channel image; ".ppm" writes P6 (a gray image is replicated to RGB);
    /// ".pnm" writes P5 or P6 by channel count.
    /// </summary>
    public static void Save(Image image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = EncodeForPath(image, path);
        }
        catch (ImageFormatException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new ImageFormatException($"{path}: {e.Message}", e);
        }

        WriteAtomically(path, bytes);
    }

    private static byte[] EncodeForPath(Image image, string path)
    {
        ImageFormat format = FormatFromPath(path);
        if (format != ImageFormat.Pnm)
        {
            return Encode(image, format);
        }

        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".pgm" && image.Channels != 1)
        {
            throw new ImageFormatException(
                $"PNM: a .pgm file holds 1-channel gray images, this one has {image.Channels} channels; convert with ToGray() or save as .ppm");
        }

        if (ext == ".ppm" && image.Channels == 1)
        {
            image = image.ToRgb();
        }

        return PnmEncoder.Encode(image);
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            long length = stream.Length;
            if (length > Array.MaxLength)
            {
                throw new ImageFormatException($"{path}: file is too large ({length} bytes)");
            }

            var data = new byte[length];
            stream.ReadExactly(data);
            return data;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException(e.Message, e);
        }
        catch (EndOfStreamException e)
        {
            throw new IOException($"{path}: file shrank while being read", e);
        }
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? ".";
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (e is UnauthorizedAccessException)
            {
                throw new IOException(e.Message, e);
            }

            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original error matters more.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
