using System.Buffers.Binary;
using SecureTransmit.Imaging.Internal;

namespace SecureTransmit.Imaging;

/// <summary>Options for <see cref="PngEncoder"/>. Defaults: level 6, adaptive filtering.</summary>
public sealed class PngEncoderOptions
{
    private int _compressionLevel = 6;
    private PngFilter? _filter;

    /// <summary>zlib level 0 (stored) .. 9 (smallest). Default 6, zlib's own default.</summary>
    public int CompressionLevel
    {
        get => _compressionLevel;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 9);
            _compressionLevel = value;
        }
    }

    /// <summary>
    /// Null (default): for each row, try all five filters and keep the one whose output has the smallest
    /// sum of absolute values read as signed bytes (the classic libpng heuristic; ties go to the lower
    /// filter number). Otherwise every row uses this filter.
    /// </summary>
    public PngFilter? Filter
    {
        get => _filter;
        set
        {
            if (value is { } f && !Enum.IsDefined(f))
            {
                throw new ArgumentOutOfRangeException(nameof(value), $"Unknown PNG filter {(int)f}.");
            }

            _filter = value;
        }
    }

    internal static readonly PngEncoderOptions Default = new();
}

/// <summary>
/// Writes 8-bit, non-interlaced PNGs: colour type 0 (1 channel), 4 (2), 2 (3) or 6 (4), chunks
/// IHDR, IDAT (split every 64 KiB), IEND. Lossless: decoding returns the same pixels.
/// </summary>
public static class PngEncoder
{
    public static byte[] Encode(Image image, PngEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= PngEncoderOptions.Default;
        byte[] filtered = FilterRows(image, options.Filter);
        byte[] compressed = Zlib.Deflate(filtered, options.CompressionLevel);

        int idatChunks = Math.Max(1, (compressed.Length + PngConstants.EncoderIdatChunkSize - 1) / PngConstants.EncoderIdatChunkSize);
        long total = 8 + (PngConstants.ChunkOverhead + PngConstants.IhdrLength)
            + ((long)idatChunks * PngConstants.ChunkOverhead) + compressed.Length + PngConstants.ChunkOverhead;
        var output = new byte[total];
        PngConstants.Signature.CopyTo(output);
        int pos = 8;

        Span<byte> ihdr = stackalloc byte[PngConstants.IhdrLength];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)image.Width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr[4..], (uint)image.Height);
        ihdr[8] = 8;
        ihdr[9] = (byte)ColorTypeFor(image.Channels);
        // bytes 10..12: compression 0, filter method 0, interlace 0 (stackalloc is zeroed)
        pos = WriteChunk(output, pos, PngConstants.IHDR, ihdr);

        for (int at = 0, i = 0; i < idatChunks; i++)
        {
            int length = Math.Min(PngConstants.EncoderIdatChunkSize, compressed.Length - at);
            pos = WriteChunk(output, pos, PngConstants.IDAT, compressed.AsSpan(at, length));
            at += length;
        }

        pos = WriteChunk(output, pos, PngConstants.IEND, []);
        return pos == output.Length ? output : throw new InvalidOperationException("PNG encoder size mismatch.");
    }

    internal static PngColorType ColorTypeFor(int channels) => channels switch
    {
        1 => PngColorType.Grayscale,
        2 => PngColorType.GrayscaleAlpha,
        3 => PngColorType.Rgb,
        _ => PngColorType.Rgba,
    };

    private static int WriteChunk(byte[] output, int pos, uint type, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(pos), (uint)data.Length);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(pos + 4), type);
        data.CopyTo(output.AsSpan(pos + 8));
        uint crc = Crc32.Compute(output.AsSpan(pos + 4, 4 + data.Length));
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(pos + 8 + data.Length), crc);
        return pos + PngConstants.ChunkOverhead + data.Length;
    }

    /// <summary>Pixel bytes from which rows are filtered in parallel bands (filtering reads raw rows only).</summary>
    private const int ParallelFilterThreshold = 256 * 1024;

    /// <summary>Every row as filter byte + filtered bytes, concatenated.</summary>
    private static byte[] FilterRows(Image image, PngFilter? forced)
    {
        int stride = image.Stride;
        long size = (long)image.Height * (stride + 1);
        if (size > Array.MaxLength)
        {
            throw new ArgumentException($"{image} is too large to encode as one PNG stream.", nameof(image));
        }

        var output = new byte[size];
        int bands = image.Pixels.Length < ParallelFilterThreshold ? 1 : Math.Min(Environment.ProcessorCount, image.Height);
        if (bands == 1)
        {
            FilterBand(image, forced, 0, image.Height, output);
        }
        else
        {
            Parallel.For(0, bands, new ParallelOptions { MaxDegreeOfParallelism = bands }, b =>
                FilterBand(image, forced, (int)((long)image.Height * b / bands), (int)((long)image.Height * (b + 1) / bands), output));
        }

        return output;
    }

    private static void FilterBand(Image image, PngFilter? forced, int firstRow, int endRow, byte[] output)
    {
        int stride = image.Stride;
        int bpp = image.Channels;
        var zeros = new byte[stride];
        byte[][] trial = forced is null ? [new byte[stride], new byte[stride], new byte[stride], new byte[stride], new byte[stride]] : [];
        for (int y = firstRow; y < endRow; y++)
        {
            ReadOnlySpan<byte> raw = image.Pixels.AsSpan(y * stride, stride);
            ReadOnlySpan<byte> prev = y == 0 ? zeros : image.Pixels.AsSpan((y - 1) * stride, stride);
            Span<byte> dst = output.AsSpan((int)(y * (long)(stride + 1)), stride + 1);
            if (forced is { } f)
            {
                dst[0] = (byte)f;
                PngFilters.Filter(f, raw, prev, bpp, dst[1..]);
                continue;
            }

            int best = 0;
            long bestScore = long.MaxValue;
            for (int filter = 0; filter < 5; filter++)
            {
                PngFilters.Filter((PngFilter)filter, raw, prev, bpp, trial[filter]);
                long score = PngFilters.SumAbsSigned(trial[filter]);
                if (score < bestScore)
                {
                    best = filter;
                    bestScore = score;
                }
            }

            dst[0] = (byte)best;
            trial[best].CopyTo(dst[1..]);
        }
    }
}
