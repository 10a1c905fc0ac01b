using System.Buffers.Binary;
using SecureTransmit.Imaging.Internal;

namespace SecureTransmit.Imaging;

/// <summary>
/// Baseline TIFF reader for uncompressed images (Compression = 1): little- ("II") or big-endian ("MM"),
/// first IFD only, strips (StripOffsets / StripByteCounts / RowsPerStrip as BYTE, SHORT or LONG), chunky
/// samples, PhotometricInterpretation 0 (WhiteIsZero, inverted on read), 1 (BlackIsZero) or 2 (RGB),
/// 1 or 2 samples for gray and 3 or 4 for RGB (the extra sample is alpha; associated alpha is
/// un-premultiplied), 8 or 16 bits per sample (16-bit rounded to 8: (v*255 + 32767) / 65535).
/// Strip data is found through StripOffsets, wherever it lies. Anything else throws
/// <see cref="ImageFormatException"/> ("TIFF: ...").
/// </summary>
public static class TiffDecoder
{
    /// <summary>True for "II*\0" or "MM\0*" at the start of <paramref name="data"/>.</summary>
    public static bool IsTiff(ReadOnlySpan<byte> data) =>
        data.Length >= 4
        && ((data[0] == 'I' && data[1] == 'I' && data[2] == TiffConstants.Magic && data[3] == 0)
            || (data[0] == 'M' && data[1] == 'M' && data[2] == 0 && data[3] == TiffConstants.Magic));

    public static Image Decode(ReadOnlySpan<byte> data, ImageDecoderOptions? options = null) => DecodeWithDepth(data, options, out _);

    /// <summary>As <see cref="Decode"/>; <paramref name="bitDepth"/> is the file's bits per sample (8 or 16).</summary>
    internal static Image DecodeWithDepth(ReadOnlySpan<byte> data, ImageDecoderOptions? options, out int bitDepth)
    {
        options ??= ImageDecoderOptions.Default;
        try
        {
            return DecodeCore(data, options, out bitDepth);
        }
        catch (Exception e) when (PngDecoder.IsWrappable(e))
        {
            throw new ImageFormatException($"TIFF: corrupt data ({e.GetType().Name}: {e.Message})", e);
        }
    }

    private static ImageFormatException Fail(string problem) => new("TIFF: " + problem);

    private readonly record struct Field(ushort Type, uint Count, int ValueOffset);

    private static Image DecodeCore(ReadOnlySpan<byte> file, ImageDecoderOptions options, out int bitDepth)
    {
        bitDepth = 8;
        if (file.Length < TiffConstants.HeaderLength)
        {
            throw Fail("file is shorter than the 8-byte header");
        }

        bool big;
        if (file[0] == 'I' && file[1] == 'I')
        {
            big = false;
        }
        else if (file[0] == 'M' && file[1] == 'M')
        {
            big = true;
        }
        else
        {
            throw Fail("bad byte-order mark (not a TIFF file)");
        }

        ushort magic = U16(file, 2, big);
        if (magic == 43)
        {
            throw Fail("BigTIFF is not supported");
        }

        if (magic != TiffConstants.Magic)
        {
            throw Fail($"bad magic number {magic}, expected 42");
        }

        uint ifd = U32(file, 4, big);
        if (ifd < TiffConstants.HeaderLength || ifd > file.Length - 2L)
        {
            throw Fail($"first IFD offset {ifd} lies outside the file");
        }

        Dictionary<ushort, Field> fields = ReadIfd(file, (int)ifd, big);

        if (fields.ContainsKey(TiffConstants.TileWidth))
        {
            throw Fail("tiled images are not supported (only strips)");
        }

        long compression = Single(file, fields, TiffConstants.Compression, big, 1);
        if (compression != 1)
        {
            throw Fail($"compression {compression} is not supported (only 1, uncompressed)");
        }

        long width = Single(file, fields, TiffConstants.ImageWidth, big, null);
        long height = Single(file, fields, TiffConstants.ImageLength, big, null);
        if (width < 1 || height < 1 || width > int.MaxValue || height > int.MaxValue)
        {
            throw Fail($"invalid image size {width}x{height}");
        }

        long pixels = width * height;
        if (pixels > options.MaxPixels)
        {
            throw new ImageFormatException(Fail($"image is {width}x{height} = {pixels} pixels, over the limit of {options.MaxPixels} (MaxPixels)").Message) { OverLimit = true };
        }

        long spp = Single(file, fields, TiffConstants.SamplesPerPixel, big, 1);
        long photometric = Single(file, fields, TiffConstants.PhotometricInterpretation, big, null);
        int channels = photometric switch
        {
            0 or 1 when spp is 1 or 2 => (int)spp,
            2 when spp is 3 or 4 => (int)spp,
            0 or 1 or 2 => throw Fail($"{spp} samples per pixel is not supported with PhotometricInterpretation {photometric}"),
            _ => throw Fail($"PhotometricInterpretation {photometric} is not supported (only 0, 1, 2)"),
        };

        long planar = Single(file, fields, TiffConstants.PlanarConfiguration, big, 1);
        if (planar != 1 && !(planar == 2 && channels == 1))
        {
            throw Fail($"PlanarConfiguration {planar} is not supported (only 1, chunky)");
        }

        long[] bits = fields.ContainsKey(TiffConstants.BitsPerSample) ? Ints(file, fields, TiffConstants.BitsPerSample, big) : [1];
        int depth = (int)bits[0];
        if (bits.Length != 1 && bits.Length < channels)
        {
            throw Fail($"BitsPerSample has {bits.Length} values for {channels} samples");
        }

        for (int i = 0; i < Math.Min(bits.Length, channels); i++)
        {
            if (bits[i] != depth)
            {
                throw Fail("samples with different bit depths are not supported");
            }
        }

        if (depth is not (8 or 16))
        {
            throw Fail($"{depth} bits per sample is not supported (only 8 or 16)");
        }

        bitDepth = depth;

        bool associatedAlpha = (channels is 2 or 4) && fields.ContainsKey(TiffConstants.ExtraSamples)
            && Ints(file, fields, TiffConstants.ExtraSamples, big)[0] == 1;

        long rowsPerStrip = Math.Min(Single(file, fields, TiffConstants.RowsPerStrip, big, uint.MaxValue), height);
        if (rowsPerStrip < 1)
        {
            throw Fail("RowsPerStrip is 0");
        }

        if (!fields.ContainsKey(TiffConstants.StripOffsets))
        {
            throw Fail("StripOffsets tag is missing");
        }

        long[] offsets = Ints(file, fields, TiffConstants.StripOffsets, big);
        long[]? counts = fields.ContainsKey(TiffConstants.StripByteCounts) ? Ints(file, fields, TiffConstants.StripByteCounts, big) : null;
        long strips = (height + rowsPerStrip - 1) / rowsPerStrip;
        if (offsets.Length < strips)
        {
            throw Fail($"StripOffsets has {offsets.Length} values, {strips} strips needed");
        }

        if (counts is not null && counts.Length < strips)
        {
            throw Fail($"StripByteCounts has {counts.Length} values, {strips} strips needed");
        }

        int bytesPerSample = depth / 8;
        long rowBytes = width * channels * bytesPerSample;
        if (pixels * channels > Array.MaxLength)
        {
            throw Fail($"image {width}x{height} is too large to decode in memory");
        }

        // Validate every strip before allocating the image: its pixels must lie inside the file.
        for (int s = 0; s < strips; s++)
        {
            long rows = Math.Min(rowsPerStrip, height - (s * rowsPerStrip));
            long need = rows * rowBytes;
            if (counts is not null && counts[s] < need)
            {
                throw Fail($"strip {s} has {counts[s]} bytes, {need} needed for {rows} rows");
            }

            if (offsets[s] < 0 || offsets[s] + need > file.Length)
            {
                throw Fail($"strip {s} ({need} bytes at offset {offsets[s]}) lies outside the file");
            }
        }

        var image = new Image((int)width, (int)height, channels);
        byte[] px = image.Pixels;
        int stride = image.Stride;
        for (int s = 0; s < strips; s++)
        {
            int firstRow = (int)(s * rowsPerStrip);
            int rows = (int)Math.Min(rowsPerStrip, height - firstRow);
            ReadOnlySpan<byte> src = file.Slice((int)offsets[s], (int)(rows * rowBytes));
            Span<byte> dst = px.AsSpan(firstRow * stride, rows * stride);
            if (bytesPerSample == 1)
            {
                src.CopyTo(dst);
            }
            else
            {
                for (int i = 0; i < dst.Length; i++)
                {
                    uint v = big ? BinaryPrimitives.ReadUInt16BigEndian(src[(2 * i)..]) : BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]);
                    dst[i] = PngPixelExpander.Reduce16(v);
                }
            }
        }

        if (photometric == 0)
        {
            // WhiteIsZero: 0 is white. Invert the gray sample, not the alpha.
            for (int i = 0; i < px.Length; i += channels)
            {
                px[i] = (byte)(255 - px[i]);
            }
        }

        if (associatedAlpha)
        {
            Unpremultiply(px, channels);
        }

        return image;
    }

    private static void Unpremultiply(byte[] px, int channels)
    {
        for (int i = 0; i < px.Length; i += channels)
        {
            int a = px[i + channels - 1];
            for (int c = 0; c < channels - 1; c++)
            {
                px[i + c] = a == 0 ? (byte)0 : (byte)Math.Min(255, ((px[i + c] * 255) + (a / 2)) / a);
            }
        }
    }

    private static ushort U16(ReadOnlySpan<byte> file, long offset, bool big)
    {
        if (offset < 0 || offset + 2 > file.Length)
        {
            throw Fail($"offset {offset} lies outside the file");
        }

        ReadOnlySpan<byte> s = file.Slice((int)offset, 2);
        return big ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);
    }

    private static uint U32(ReadOnlySpan<byte> file, long offset, bool big)
    {
        if (offset < 0 || offset + 4 > file.Length)
        {
            throw Fail($"offset {offset} lies outside the file");
        }

        ReadOnlySpan<byte> s = file.Slice((int)offset, 4);
        return big ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
    }

    private static Dictionary<ushort, Field> ReadIfd(ReadOnlySpan<byte> file, int ifd, bool big)
    {
        int entries = U16(file, ifd, big);
        if (entries == 0)
        {
            throw Fail("first IFD has no entries");
        }

        if (ifd + 2L + (entries * (long)TiffConstants.EntryLength) > file.Length)
        {
            throw Fail($"IFD with {entries} entries at offset {ifd} runs past the end of the file");
        }

        var fields = new Dictionary<ushort, Field>();
        for (int i = 0; i < entries; i++)
        {
            int at = ifd + 2 + (i * TiffConstants.EntryLength);
            ushort tag = U16(file, at, big);
            ushort type = U16(file, at + 2, big);
            uint count = U32(file, at + 4, big);
            int size = TiffConstants.TypeSize(type);
            if (size == 0)
            {
                continue; // unknown field type: the specification says to ignore the entry
            }

            long bytes = (long)count * size;
            long valueOffset = bytes <= 4 ? at + 8 : U32(file, at + 8, big);
            if (valueOffset + bytes > file.Length)
            {
                // Only fatal when a tag we need points outside the file; others are ignored.
                if (IsNeeded(tag))
                {
                    throw Fail($"values of tag {tag} ({bytes} bytes at offset {valueOffset}) lie outside the file");
                }

                continue;
            }

            fields[tag] = new Field(type, count, (int)valueOffset);
        }

        return fields;
    }

    private static bool IsNeeded(ushort tag) => tag is TiffConstants.ImageWidth or TiffConstants.ImageLength
        or TiffConstants.BitsPerSample or TiffConstants.Compression or TiffConstants.PhotometricInterpretation
        or TiffConstants.StripOffsets or TiffConstants.SamplesPerPixel or TiffConstants.RowsPerStrip
        or TiffConstants.StripByteCounts or TiffConstants.PlanarConfiguration or TiffConstants.ExtraSamples;

    /// <summary>All values of an unsigned integer tag (BYTE, SHORT or LONG).</summary>
    private static long[] Ints(ReadOnlySpan<byte> file, Dictionary<ushort, Field> fields, ushort tag, bool big)
    {
        Field f = fields[tag];
        if (f.Type is not (TiffConstants.TypeByte or TiffConstants.TypeShort or TiffConstants.TypeLong))
        {
            throw Fail($"tag {tag} has field type {f.Type}, expected BYTE, SHORT or LONG");
        }

        if (f.Count == 0)
        {
            throw Fail($"tag {tag} has no values");
        }

        // The values were checked to lie inside the file, so count is bounded by the file size.
        var values = new long[f.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = f.Type switch
            {
                TiffConstants.TypeByte => file[f.ValueOffset + i],
                TiffConstants.TypeShort => U16(file, f.ValueOffset + (2L * i), big),
                _ => U32(file, f.ValueOffset + (4L * i), big),
            };
        }

        return values;
    }

    private static long Single(ReadOnlySpan<byte> file, Dictionary<ushort, Field> fields, ushort tag, bool big, long? defaultValue)
    {
        if (!fields.ContainsKey(tag))
        {
            return defaultValue ?? throw Fail($"required tag {tag} ({TagName(tag)}) is missing");
        }

        return Ints(file, fields, tag, big)[0];
    }

    private static string TagName(ushort tag) => tag switch
    {
        TiffConstants.ImageWidth => "ImageWidth",
        TiffConstants.ImageLength => "ImageLength",
        TiffConstants.PhotometricInterpretation => "PhotometricInterpretation",
        _ => "tag",
    };
}
