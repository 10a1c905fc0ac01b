namespace SecureTransmit.Imaging;

/// <summary>
/// Netpbm PGM/PPM reader: P2 (plain gray), P3 (plain RGB), P5 (raw gray), P6 (raw RGB). Header fields are
/// ASCII decimals separated by whitespace, with '#' comments to the end of the line; maxval 1..65535
/// (raw samples above 255 are 2 bytes, most significant first). Samples are scaled to 8 bits by
/// round-half-up of v*255/maxval, i.e. (v*255 + maxval/2) / maxval; for maxval 65535 that is the PNG
/// rule (v*255 + 32767) / 65535. Only the first image of a multi-image file is read.
/// </summary>
public static class PnmDecoder
{
    /// <summary>True for "P2", "P3", "P5" or "P6" at the start of <paramref name="data"/>.</summary>
    public static bool IsPnm(ReadOnlySpan<byte> data) =>
        data.Length >= 2 && data[0] == (byte)'P' && data[1] is (byte)'2' or (byte)'3' or (byte)'5' or (byte)'6';

    public static Image Decode(ReadOnlySpan<byte> data, ImageDecoderOptions? options = null) => DecodeWithDepth(data, options, out _);

    /// <summary>As <see cref="Decode"/>; <paramref name="bitDepth"/> is 16 when maxval is above 255, else 8.</summary>
    internal static Image DecodeWithDepth(ReadOnlySpan<byte> data, ImageDecoderOptions? options, out int bitDepth)
    {
        options ??= ImageDecoderOptions.Default;
        try
        {
            return DecodeCore(data, options, out bitDepth);
        }
        catch (Exception e) when (PngDecoder.IsWrappable(e))
        {
            throw new ImageFormatException($"PNM: corrupt data ({e.GetType().Name}: {e.Message})", e);
        }
    }

    private static Image DecodeCore(ReadOnlySpan<byte> data, ImageDecoderOptions options, out int bitDepth)
    {
        bitDepth = 8;
        if (data.Length < 2 || data[0] != (byte)'P')
        {
            throw Fail("bad magic number (not a PGM/PPM file)");
        }

        char kind = (char)data[1];
        if (kind is '1' or '4' or '7')
        {
            throw Fail($"P{kind} files are not supported (only P2, P3, P5, P6)");
        }

        if (kind is not ('2' or '3' or '5' or '6'))
        {
            throw Fail("bad magic number (not a PGM/PPM file)");
        }

        bool plain = kind is '2' or '3';
        int channels = kind is '2' or '5' ? 1 : 3;
        int pos = 2;
        if (pos >= data.Length || !IsWhitespace(data[pos]) && data[pos] != (byte)'#')
        {
            throw Fail("missing whitespace after the magic number");
        }

        int width = ReadHeaderNumber(data, ref pos, "width");
        int height = ReadHeaderNumber(data, ref pos, "height");
        int maxval = ReadHeaderNumber(data, ref pos, "maxval");
        if (width < 1 || height < 1)
        {
            throw Fail($"invalid image size {width}x{height}");
        }

        if (maxval is < 1 or > 65535)
        {
            throw Fail($"maxval {maxval} is outside 1..65535");
        }

        bitDepth = maxval > 255 ? 16 : 8;

        long pixels = (long)width * height;
        if (pixels > options.MaxPixels)
        {
            throw new ImageFormatException(Fail($"image is {width}x{height} = {pixels} pixels, over the limit of {options.MaxPixels} (MaxPixels)").Message) { OverLimit = true };
        }

        long samples = pixels * channels;
        if (samples > Array.MaxLength)
        {
            throw Fail($"image {width}x{height} is too large to decode in memory");
        }

        // Exactly one whitespace byte separates maxval from the raster.
        if (pos >= data.Length || !IsWhitespace(data[pos]))
        {
            throw Fail("missing whitespace after maxval");
        }

        pos++;
        ReadOnlySpan<byte> raster = data[pos..];
        int bytesPerSample = maxval > 255 ? 2 : 1;
        // Each plain sample takes at least one digit plus a separator; check before allocating.
        long minimum = plain ? (2 * samples) - 1 : samples * bytesPerSample;
        if (raster.Length < minimum)
        {
            throw Fail($"raster is truncated ({raster.Length} bytes, {width}x{height}x{channels} samples need at least {minimum})");
        }

        var image = new Image(width, height, channels);
        byte[] px = image.Pixels;
        if (plain)
        {
            int at = 0;
            for (long i = 0; i < samples; i++)
            {
                px[i] = Scale(ReadPlainSample(raster, ref at, maxval), maxval);
            }
        }
        else if (bytesPerSample == 1)
        {
            if (maxval == 255)
            {
                raster[..(int)samples].CopyTo(px);
            }
            else
            {
                for (int i = 0; i < samples; i++)
                {
                    px[i] = Scale(CheckRange(raster[i], maxval), maxval);
                }
            }
        }
        else
        {
            for (int i = 0; i < samples; i++)
            {
                int v = (raster[2 * i] << 8) | raster[(2 * i) + 1];
                px[i] = Scale(CheckRange(v, maxval), maxval);
            }
        }

        return image;
    }

    private static byte Scale(int v, int maxval) =>
        maxval == 255 ? (byte)v : (byte)((((long)v * 255) + (maxval / 2)) / maxval);

    private static int CheckRange(int v, int maxval) =>
        v <= maxval ? v : throw Fail($"sample value {v} exceeds maxval {maxval}");

    private static ImageFormatException Fail(string problem) => new("PNM: " + problem);

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C;

    private static void SkipWhitespaceAndComments(ReadOnlySpan<byte> data, ref int pos)
    {
        while (pos < data.Length)
        {
            if (IsWhitespace(data[pos]))
            {
                pos++;
            }
            else if (data[pos] == (byte)'#')
            {
                while (pos < data.Length && data[pos] is not ((byte)'\n' or (byte)'\r'))
                {
                    pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Reads one non-negative decimal (at most 9 digits, so it fits an int).</summary>
    private static int ReadDecimal(ReadOnlySpan<byte> data, ref int pos, string what)
    {
        int start = pos;
        int value = 0;
        while (pos < data.Length && data[pos] is >= (byte)'0' and <= (byte)'9')
        {
            if (pos - start >= 9)
            {
                throw Fail($"{what} has too many digits");
            }

            value = (value * 10) + (data[pos] - '0');
            pos++;
        }

        if (pos == start)
        {
            throw Fail(pos >= data.Length ? $"file ends before the {what}" : $"expected a decimal {what}, found byte 0x{data[pos]:X2}");
        }

        return value;
    }

    private static int ReadHeaderNumber(ReadOnlySpan<byte> data, ref int pos, string what)
    {
        SkipWhitespaceAndComments(data, ref pos);
        int value = ReadDecimal(data, ref pos, what);
        if (pos < data.Length && !IsWhitespace(data[pos]) && data[pos] != (byte)'#')
        {
            throw Fail($"unexpected byte 0x{data[pos]:X2} after the {what}");
        }

        return value;
    }

    private static int ReadPlainSample(ReadOnlySpan<byte> raster, ref int pos, int maxval)
    {
        SkipWhitespaceAndComments(raster, ref pos);
        int v = ReadDecimal(raster, ref pos, "sample");
        if (pos < raster.Length && !IsWhitespace(raster[pos]) && raster[pos] != (byte)'#')
        {
            throw Fail($"unexpected byte 0x{raster[pos]:X2} in the plain raster");
        }

        return CheckRange(v, maxval);
    }
}

/// <summary>Netpbm writer: P5 (binary PGM) for 1-channel images, P6 (binary PPM) for 3-channel, maxval 255.</summary>
public static class PnmEncoder
{
    /// <summary>Writes P5 or P6 with header "P6\n{width} {height}\n255\n". Alpha cannot be stored: 2- and 4-channel images are rejected.</summary>
    public static byte[] Encode(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Channels is 2 or 4)
        {
            throw new ImageFormatException(
                $"PNM: PGM/PPM cannot store an alpha channel ({image.Channels}-channel image); drop it first with ToGray() or ToRgb()");
        }

        byte[] header = System.Text.Encoding.ASCII.GetBytes($"P{(image.Channels == 1 ? '5' : '6')}\n{image.Width} {image.Height}\n255\n");
        var output = new byte[header.LongLength + image.Pixels.LongLength];
        header.CopyTo(output, 0);
        image.Pixels.CopyTo(output, header.Length);
        return output;
    }
}
