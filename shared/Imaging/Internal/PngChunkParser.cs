using System.Buffers.Binary;

namespace SecureTransmit.Imaging.Internal;

/// <summary>
/// Walks the chunk list: checks the signature, every chunk's CRC, chunk ordering, IHDR, PLTE and tRNS,
/// and gathers the IDAT data. Ancillary chunks other than tRNS are CRC-checked and skipped.
/// </summary>
internal static class PngChunkParser
{
    public static (PngHeader Header, byte[] Idat) Parse(ReadOnlySpan<byte> file, PngDecoderOptions options)
    {
        if (file.Length < PngConstants.Signature.Length || !file[..8].SequenceEqual(PngConstants.Signature))
        {
            throw Fail("bad signature (not a PNG file, or damaged by a text-mode transfer)");
        }

        PngHeader? header = null;
        bool seenPlte = false, seenTrns = false, seenIdat = false, idatClosed = false;
        var idatRanges = new List<(int Offset, int Length)>();
        long idatTotal = 0;
        int pos = 8;
        while (true)
        {
            if (file.Length - pos < 8)
            {
                throw Fail(pos == file.Length ? "missing IEND chunk (file truncated?)" : "file ends inside a chunk header");
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(file[pos..]);
            uint type = BinaryPrimitives.ReadUInt32BigEndian(file[(pos + 4)..]);
            if (!PngConstants.IsValidType(type))
            {
                throw Fail($"invalid chunk type bytes 0x{type:X8} at offset {pos + 4}");
            }

            string name = PngConstants.TypeName(type);
            if (length > PngConstants.MaxChunkLength)
            {
                throw Fail($"chunk {name} length {length} exceeds 2^31-1");
            }

            if (file.Length - pos - PngConstants.ChunkOverhead < length)
            {
                throw Fail($"chunk {name} is truncated ({length} data bytes declared, file ends first)");
            }

            ReadOnlySpan<byte> data = file.Slice(pos + 8, (int)length);
            uint storedCrc = BinaryPrimitives.ReadUInt32BigEndian(file[(pos + 8 + (int)length)..]);
            if (Crc32.Compute(file.Slice(pos + 4, 4 + (int)length)) != storedCrc)
            {
                throw Fail($"CRC mismatch in chunk {name}");
            }

            if (header is null && type != PngConstants.IHDR)
            {
                throw Fail($"first chunk is {name}, expected IHDR");
            }

            if (seenIdat && type != PngConstants.IDAT)
            {
                idatClosed = true;
            }

            switch (type)
            {
                case PngConstants.IHDR:
                    if (header is not null)
                    {
                        throw Fail("duplicate IHDR chunk");
                    }

                    header = ParseIhdr(data, options);
                    break;

                case PngConstants.PLTE:
                    ParsePlte(header!, data, seenPlte, seenTrns, seenIdat);
                    seenPlte = true;
                    break;

                case PngConstants.tRNS:
                    if (seenIdat)
                    {
                        throw Fail("tRNS chunk after IDAT");
                    }

                    if (seenTrns)
                    {
                        throw Fail("duplicate tRNS chunk");
                    }

                    ParseTrns(header!, data, seenPlte);
                    seenTrns = true;
                    break;

                case PngConstants.IDAT:
                    if (idatClosed)
                    {
                        throw Fail("IDAT chunks are not consecutive");
                    }

                    if (header!.ColorType == PngColorType.Palette && !seenPlte)
                    {
                        throw Fail("palette image has no PLTE chunk before IDAT");
                    }

                    seenIdat = true;
                    idatTotal += length;
                    if (idatTotal > Array.MaxLength)
                    {
                        throw Fail("IDAT data exceeds the largest supported size");
                    }

                    if (length > 0)
                    {
                        idatRanges.Add((pos + 8, (int)length));
                    }

                    break;

                case PngConstants.IEND:
                    if (length != 0)
                    {
                        throw Fail($"IEND chunk has {length} data bytes, expected 0");
                    }

                    if (!seenIdat)
                    {
                        throw Fail("no IDAT chunk");
                    }

                    return (header!, Concat(file, idatRanges, (int)idatTotal));

                default:
                    if ((type & PngConstants.AncillaryBit) == 0)
                    {
                        throw Fail($"unknown critical chunk {name}");
                    }

                    break;
            }

            pos += PngConstants.ChunkOverhead + (int)length;
        }
    }

    internal static ImageFormatException Fail(string problem) => new("PNG: " + problem);

    private static byte[] Concat(ReadOnlySpan<byte> file, List<(int Offset, int Length)> ranges, int total)
    {
        var result = new byte[total];
        int at = 0;
        foreach ((int offset, int length) in ranges)
        {
            file.Slice(offset, length).CopyTo(result.AsSpan(at));
            at += length;
        }

        return result;
    }

    private static PngHeader ParseIhdr(ReadOnlySpan<byte> data, PngDecoderOptions options)
    {
        if (data.Length != PngConstants.IhdrLength)
        {
            throw Fail($"IHDR chunk has {data.Length} data bytes, expected {PngConstants.IhdrLength}");
        }

        uint width = BinaryPrimitives.ReadUInt32BigEndian(data);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        int depth = data[8];
        int colorType = data[9];
        if (width == 0 || height == 0 || width > PngConstants.MaxDimension || height > PngConstants.MaxDimension)
        {
            throw Fail($"invalid image size {width}x{height} in IHDR");
        }

        if (colorType is not (0 or 2 or 3 or 4 or 6))
        {
            throw Fail($"invalid colour type {colorType} in IHDR");
        }

        if (!PngHeader.IsAllowedDepth((PngColorType)colorType, depth))
        {
            throw Fail($"bit depth {depth} is not allowed with colour type {colorType}");
        }

        if (data[10] != 0)
        {
            throw Fail($"unknown compression method {data[10]} in IHDR");
        }

        if (data[11] != 0)
        {
            throw Fail($"unknown filter method {data[11]} in IHDR");
        }

        if (data[12] > 1)
        {
            throw Fail($"unknown interlace method {data[12]} in IHDR");
        }

        long pixels = (long)width * height;
        if (pixels > options.MaxPixels)
        {
            throw new ImageFormatException(Fail($"image is {width}x{height} = {pixels} pixels, over the limit of {options.MaxPixels} (MaxPixels)").Message) { OverLimit = true };
        }

        var header = new PngHeader
        {
            Width = (int)width,
            Height = (int)height,
            BitDepth = depth,
            ColorType = (PngColorType)colorType,
            Interlaced = data[12] == 1,
        };

        long inflated = header.InflatedSize();
        if (inflated > options.MaxDecompressedBytes)
        {
            throw new ImageFormatException(Fail($"image data would inflate to {inflated} bytes, over the limit of {options.MaxDecompressedBytes} (MaxDecompressedBytes)").Message) { OverLimit = true };
        }

        if (inflated > Array.MaxLength || pixels * 4 > Array.MaxLength)
        {
            throw Fail($"image {width}x{height} is too large to decode in memory");
        }

        return header;
    }

    private static void ParsePlte(PngHeader header, ReadOnlySpan<byte> data, bool seenPlte, bool seenTrns, bool seenIdat)
    {
        if (seenPlte)
        {
            throw Fail("duplicate PLTE chunk");
        }

        if (seenIdat)
        {
            throw Fail("PLTE chunk after IDAT");
        }

        if (seenTrns)
        {
            throw Fail("PLTE chunk after tRNS");
        }

        if (header.ColorType is PngColorType.Grayscale or PngColorType.GrayscaleAlpha)
        {
            throw Fail("PLTE chunk in a grayscale image");
        }

        if (data.Length == 0 || data.Length % 3 != 0 || data.Length > 256 * 3)
        {
            throw Fail($"PLTE chunk has {data.Length} bytes, expected 3 to 768 and a multiple of 3");
        }

        if (header.ColorType == PngColorType.Palette)
        {
            int entries = data.Length / 3;
            if (entries > (1 << header.BitDepth))
            {
                throw Fail($"PLTE has {entries} entries, more than bit depth {header.BitDepth} can index");
            }

            header.Palette = data.ToArray();
        }

        // In truecolour images PLTE is only a suggested palette; it does not affect the pixels.
    }

    private static void ParseTrns(PngHeader header, ReadOnlySpan<byte> data, bool seenPlte)
    {
        switch (header.ColorType)
        {
            case PngColorType.Palette:
                if (!seenPlte)
                {
                    throw Fail("tRNS chunk before PLTE");
                }

                if (data.Length > header.PaletteCount)
                {
                    throw Fail($"tRNS has {data.Length} entries, more than the {header.PaletteCount} palette entries");
                }

                var alpha = new byte[256];
                alpha.AsSpan().Fill(255);
                data.CopyTo(alpha);
                header.PaletteAlpha = alpha;
                break;

            case PngColorType.Grayscale:
                if (data.Length != 2)
                {
                    throw Fail($"tRNS chunk for a grayscale image has {data.Length} bytes, expected 2");
                }

                header.ColorKey = [BinaryPrimitives.ReadUInt16BigEndian(data)];
                break;

            case PngColorType.Rgb:
                if (data.Length != 6)
                {
                    throw Fail($"tRNS chunk for an RGB image has {data.Length} bytes, expected 6");
                }

                header.ColorKey =
                [
                    BinaryPrimitives.ReadUInt16BigEndian(data),
                    BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
                    BinaryPrimitives.ReadUInt16BigEndian(data[4..]),
                ];
                break;

            default:
                // Colour types with an alpha channel must not carry tRNS; like libpng, ignore it.
                break;
        }
    }
}
