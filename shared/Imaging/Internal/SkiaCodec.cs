using System.Runtime.InteropServices;
using SkiaSharp;

namespace SecureTransmit.Imaging.Internal;

/// <summary>
/// JPEG, WebP, GIF and BMP through SkiaSharp (libjpeg-turbo, libwebp, Skia's GIF and BMP readers). The header is read
/// first and width × height checked against <see cref="ImageDecoderOptions.MaxPixels"/> before any pixel memory is
/// allocated: Skia itself has no limit. Pixels come out as straight (unpremultiplied) 8-bit RGBA with no colour-space
/// conversion, then the EXIF orientation is applied and the channels reduced (gray JPEG → 1, opaque → 3, else 4).
/// An incomplete or damaged stream is an error, never a partly grey image.
/// </summary>
internal static class SkiaCodec
{
    public static DecodedImage Decode(ReadOnlySpan<byte> data, ImageFormat format, ImageDecoderOptions options)
    {
        string name = FormatName(format);
        using var skData = SKData.CreateCopy(data);
        using var stream = new SKMemoryStream(skData);
        using var codec = SKCodec.Create(stream, out SKCodecResult createResult)
            ?? throw new ImageFormatException(createResult == SKCodecResult.IncompleteInput
                ? $"{name}: the file is truncated (it ends inside the header)"
                : $"{name}: cannot read the header ({Describe(createResult)})");
        SKImageInfo info = codec.Info;
        int width = info.Width, height = info.Height;
        if (width < 1 || height < 1)
        {
            throw new ImageFormatException($"{name}: invalid image size {width}x{height}");
        }

        long pixels = (long)width * height;
        if (pixels > options.MaxPixels)
        {
            throw new ImageFormatException(
                $"{name}: image is {width}x{height} = {pixels} pixels, over the limit of {options.MaxPixels} (MaxPixels)") { OverLimit = true };
        }

        if (pixels * 4 > Array.MaxLength)
        {
            throw new ImageFormatException($"{name}: image {width}x{height} is too large to decode in memory");
        }

        bool gray = info.ColorType == SKColorType.Gray8;
        bool opaque = info.AlphaType == SKAlphaType.Opaque;
        var target = new SKImageInfo(width, height, SKColorType.Rgba8888, opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        var rgba = new byte[pixels * 4];
        SKCodecResult result;
        unsafe
        {
            fixed (byte* p = rgba)
            {
                result = codec.GetPixels(target, (IntPtr)p, width * 4, new SKCodecOptions(0));
            }
        }

        if (result != SKCodecResult.Success)
        {
            throw new ImageFormatException($"{name}: {Describe(result)}");
        }

        if (format == ImageFormat.Jpeg && !HasEndOfImage(data))
        {
            // libjpeg pads a progressive stream that ends early and reports success: the missing EOI says truncated.
            throw new ImageFormatException($"{name}: {Describe(SKCodecResult.IncompleteInput)}");
        }

        int orientation = (int)codec.EncodedOrigin;
        if (orientation is < 1 or > 8)
        {
            orientation = 1;
        }

        var image = new Image(width, height, 4, rgba);
        if (orientation != 1)
        {
            image = Orient(image, orientation);
        }

        image = gray ? image.ToGray() : opaque ? image.ToRgb() : image;
        return new DecodedImage(image, new ImageSourceInfo(format, 8, orientation));
    }

    /// <summary>Encodes with Skia: JPEG (quality 1..100, 4:2:0, gray stays gray) or WebP (lossy quality, or lossless).</summary>
    public static byte[] Encode(Image image, ImageFormat format, float quality, bool lossless = false)
    {
        // JPEG has no alpha: it is dropped (the caller composites first if it wants another background).
        Image src = format == ImageFormat.Jpeg
            ? (image.Channels is 1 or 2 ? image.ToGray() : image.ToRgba())
            : image.ToRgba();
        bool gray = src.Channels == 1;
        bool opaque = !image.HasAlpha;
        var info = new SKImageInfo(src.Width, src.Height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888,
            gray || opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        var handle = GCHandle.Alloc(src.Pixels, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), src.Stride);
            using SKData? encoded = format switch
            {
                ImageFormat.Jpeg => pixmap.Encode(new SKJpegEncoderOptions((int)quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore)),
                ImageFormat.WebP => pixmap.Encode(new SKWebpEncoderOptions(lossless ? SKWebpEncoderCompression.Lossless : SKWebpEncoderCompression.Lossy, quality)),
                _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Skia encodes JPEG and WebP here (PNG is PngEncoder's)."),
            };
            return encoded?.ToArray() ?? throw new ImageFormatException($"{FormatName(format)}: the encoder refused a {src.Width}x{src.Height} image");
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>
    /// True when an EOI marker (FF D9) follows the first SOS marker (FF DA). Marker segments before SOS are walked by
    /// their u16 BE lengths (so an EXIF thumbnail's own EOI does not count); in the scans, FF is followed by 00 (stuffing),
    /// D0..D7 (restart) or a real marker, so FF D9 there is the end of the image. Bytes after EOI are allowed.
    /// </summary>
    internal static bool HasEndOfImage(ReadOnlySpan<byte> jpeg)
    {
        int i = 2;
        while (i + 4 <= jpeg.Length && jpeg[i] == 0xFF)
        {
            byte marker = jpeg[i + 1];
            if (marker == 0xFF)
            {
                i++; // fill byte
                continue;
            }

            if (marker == 0xDA)
            {
                return jpeg[i..].LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) > 0;
            }

            i += 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
        }

        return false;
    }

    internal static string FormatName(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => "JPEG",
        ImageFormat.WebP => "WebP",
        ImageFormat.Gif => "GIF",
        ImageFormat.Bmp => "BMP",
        ImageFormat.Png => "PNG",
        ImageFormat.Tiff => "TIFF",
        _ => "PNM",
    };

    private static string Describe(SKCodecResult r) => r switch
    {
        SKCodecResult.IncompleteInput => "the file is truncated (image data ends early)",
        SKCodecResult.ErrorInInput => "corrupt image data",
        SKCodecResult.InvalidInput => "invalid or corrupt header",
        SKCodecResult.Unimplemented => "a feature of this file is not supported",
        SKCodecResult.InvalidConversion => "pixel layout cannot be converted to 8-bit RGBA",
        SKCodecResult.CouldNotRewind or SKCodecResult.InternalError or SKCodecResult.InvalidParameters or SKCodecResult.InvalidScale
            => $"decoder failure ({r})",
        _ => $"decoder result {r}",
    };

    /// <summary>
    /// Applies EXIF orientation <paramref name="o"/> (2..8) so the result is upright. For display pixel (x', y') the
    /// source pixel is: 2 (W-1-x', y'), 3 (W-1-x', H-1-y'), 4 (x', H-1-y'), 5 (y', x'), 6 (y', H-1-x'),
    /// 7 (W-1-y', H-1-x'), 8 (W-1-y', x'); 5..8 swap width and height.
    /// </summary>
    internal static Image Orient(Image src, int o)
    {
        int w = src.Width, h = src.Height, c = src.Channels;
        bool swap = o >= 5;
        int dw = swap ? h : w, dh = swap ? w : h;
        var dst = new Image(dw, dh, c);
        byte[] s = src.Pixels, d = dst.Pixels;
        for (int y = 0; y < dh; y++)
        {
            for (int x = 0; x < dw; x++)
            {
                (int sx, int sy) = o switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x),
                };
                Buffer.BlockCopy(s, ((sy * w) + sx) * c, d, ((y * dw) + x) * c, c);
            }
        }

        return dst;
    }
}
