namespace SecureTransmit.Imaging;

/// <summary>File formats <see cref="ImageIO"/> reads and writes.</summary>
public enum ImageFormat
{
    /// <summary>PNG; written as 8-bit gray, gray + alpha, RGB or RGBA.</summary>
    Png,

    /// <summary>Baseline uncompressed TIFF; written little-endian.</summary>
    Tiff,

    /// <summary>Netpbm PGM/PPM; written as P5 (gray) or P6 (RGB); no alpha.</summary>
    Pnm,
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
    /// <summary>The format whose magic bytes start <paramref name="data"/>, or null.</summary>
    public static ImageFormat? DetectFormat(ReadOnlySpan<byte> data)
    {
        if (PngDecoder.IsPng(data))
        {
            return ImageFormat.Png;
        }

        if (TiffDecoder.IsTiff(data))
        {
            return ImageFormat.Tiff;
        }

        return data.Length >= 2 && data[0] == 'P' && data[1] is >= (byte)'1' and <= (byte)'7' ? ImageFormat.Pnm : null;
    }

    /// <summary>
    /// The format a file name's extension names: .png; .tif, .tiff; .ppm, .pgm, .pnm (case-insensitive).
    /// Throws <see cref="ImageFormatException"/> for any other extension.
    /// </summary>
    public static ImageFormat FormatFromPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => ImageFormat.Png,
            ".tif" or ".tiff" => ImageFormat.Tiff,
            ".ppm" or ".pgm" or ".pnm" => ImageFormat.Pnm,
            var ext => throw new ImageFormatException(
                $"{path}: unsupported file extension '{ext}' (use .png, .tif, .tiff, .ppm, .pgm or .pnm)"),
        };
    }

    /// <summary>Decodes PNG, TIFF or PGM/PPM, chosen by the magic bytes.</summary>
    /// <param name="options">Limits; a <see cref="PngDecoderOptions"/> also sets the PNG inflate limit.</param>
    public static Image Decode(ReadOnlySpan<byte> data, ImageDecoderOptions? options = null) => DetectFormat(data) switch
    {
        ImageFormat.Png => PngDecoder.Decode(data, PngDecoderOptions.From(options)),
        ImageFormat.Tiff => TiffDecoder.Decode(data, options),
        ImageFormat.Pnm => PnmDecoder.Decode(data, options),
        _ => throw new ImageFormatException("unknown image format (the data is not PNG, TIFF or PGM/PPM)"),
    };

    /// <summary>Encodes with each format's default options; PNM alpha is rejected.</summary>
    public static byte[] Encode(Image image, ImageFormat format)
    {
        ArgumentNullException.ThrowIfNull(image);
        return format switch
        {
            ImageFormat.Png => PngEncoder.Encode(image),
            ImageFormat.Tiff => TiffEncoder.Encode(image),
            ImageFormat.Pnm => PnmEncoder.Encode(image),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown image format."),
        };
    }

    /// <summary>Reads and decodes a file; the format comes from its content, not its extension.</summary>
    public static Image Load(string path, ImageDecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] data = ReadFile(path);
        try
        {
            return Decode(data, options);
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
