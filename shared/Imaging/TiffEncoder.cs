using System.Buffers.Binary;
using SecureTransmit.Imaging.Internal;

namespace SecureTransmit.Imaging;

public enum TiffByteOrder
{
    /// <summary>"II", Intel order.</summary>
    LittleEndian,

    /// <summary>"MM", Motorola order.</summary>
    BigEndian,
}

/// <summary>Options for <see cref="TiffEncoder"/>. Defaults: little-endian, strips of about 8 KiB.</summary>
public sealed class TiffEncoderOptions
{
    private int _rowsPerStrip;
    private TiffByteOrder _byteOrder = TiffByteOrder.LittleEndian;

    public TiffByteOrder ByteOrder
    {
        get => _byteOrder;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), $"Unknown byte order {(int)value}.");
            }

            _byteOrder = value;
        }
    }

    /// <summary>Rows per strip; 0 (default) picks max(1, 8192 / bytes per row), the size TIFF 6.0 recommends.</summary>
    public int RowsPerStrip
    {
        get => _rowsPerStrip;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _rowsPerStrip = value;
        }
    }

    internal static readonly TiffEncoderOptions Default = new();
}

/// <summary>
/// Writes a baseline, uncompressed, chunky 8-bit TIFF: gray (Photometric 1), gray + alpha, RGB or RGBA
/// (Photometric 2); alpha is tagged ExtraSamples = 2 (unassociated). Layout: header | IFD at offset 8 |
/// out-of-line tag values | strips.
/// </summary>
public static class TiffEncoder
{
    public static byte[] Encode(Image image, TiffEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= TiffEncoderOptions.Default;
        bool big = options.ByteOrder == TiffByteOrder.BigEndian;
        int channels = image.Channels;
        int stride = image.Stride;
        int rowsPerStrip = options.RowsPerStrip > 0 ? options.RowsPerStrip : Math.Max(1, 8192 / stride);
        rowsPerStrip = Math.Min(rowsPerStrip, image.Height);
        int strips = (image.Height + rowsPerStrip - 1) / rowsPerStrip;
        bool alpha = channels is 2 or 4;

        var entries = new List<(ushort Tag, ushort Type, uint[] Values)>
        {
            (TiffConstants.ImageWidth, TiffConstants.TypeLong, [(uint)image.Width]),
            (TiffConstants.ImageLength, TiffConstants.TypeLong, [(uint)image.Height]),
            (TiffConstants.BitsPerSample, TiffConstants.TypeShort, Enumerable.Repeat(8u, channels).ToArray()),
            (TiffConstants.Compression, TiffConstants.TypeShort, [1]),
            (TiffConstants.PhotometricInterpretation, TiffConstants.TypeShort, [channels <= 2 ? 1u : 2u]),
            (TiffConstants.StripOffsets, TiffConstants.TypeLong, new uint[strips]), // filled in below
            (TiffConstants.SamplesPerPixel, TiffConstants.TypeShort, [(uint)channels]),
            (TiffConstants.RowsPerStrip, TiffConstants.TypeLong, [(uint)rowsPerStrip]),
            (TiffConstants.StripByteCounts, TiffConstants.TypeLong, new uint[strips]),
            (TiffConstants.XResolution, TiffConstants.TypeRational, [72, 1]),
            (TiffConstants.YResolution, TiffConstants.TypeRational, [72, 1]),
            (TiffConstants.PlanarConfiguration, TiffConstants.TypeShort, [1]),
            (TiffConstants.ResolutionUnit, TiffConstants.TypeShort, [2]),
        };
        if (alpha)
        {
            entries.Add((TiffConstants.ExtraSamples, TiffConstants.TypeShort, [2]));
        }

        // Sizes: IFD, then each out-of-line value block (word aligned), then the strips.
        long ifdSize = 2 + (entries.Count * TiffConstants.EntryLength) + 4;
        long at = TiffConstants.HeaderLength + ifdSize;
        var valueOffsets = new long[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            long bytes = ValueBytes(entries[i].Type, entries[i].Values.Length);
            if (bytes > 4)
            {
                valueOffsets[i] = at;
                at += (bytes + 1) & ~1L;
            }
        }

        long dataStart = at;
        long total = dataStart + image.Pixels.LongLength;
        if (total > uint.MaxValue || total > Array.MaxLength)
        {
            throw new ArgumentException($"{image} is too large for a classic TIFF file.", nameof(image));
        }

        uint[] stripOffsets = entries.First(e => e.Tag == TiffConstants.StripOffsets).Values;
        uint[] stripCounts = entries.First(e => e.Tag == TiffConstants.StripByteCounts).Values;
        for (int s = 0; s < strips; s++)
        {
            int rows = Math.Min(rowsPerStrip, image.Height - (s * rowsPerStrip));
            stripOffsets[s] = (uint)(dataStart + ((long)s * rowsPerStrip * stride));
            stripCounts[s] = (uint)(rows * stride);
        }

        var output = new byte[total];
        output[0] = output[1] = big ? (byte)'M' : (byte)'I';
        Put16(output, 2, TiffConstants.Magic, big);
        Put32(output, 4, TiffConstants.HeaderLength, big);
        int pos = TiffConstants.HeaderLength;
        Put16(output, pos, (ushort)entries.Count, big);
        pos += 2;
        for (int i = 0; i < entries.Count; i++)
        {
            (ushort tag, ushort type, uint[] values) = entries[i];
            Put16(output, pos, tag, big);
            Put16(output, pos + 2, type, big);
            Put32(output, pos + 4, (uint)(type == TiffConstants.TypeRational ? values.Length / 2 : values.Length), big);
            long bytes = ValueBytes(type, values.Length);
            int valuePos = bytes <= 4 ? pos + 8 : (int)valueOffsets[i];
            if (bytes > 4)
            {
                Put32(output, pos + 8, (uint)valueOffsets[i], big);
            }

            for (int v = 0; v < values.Length; v++)
            {
                if (type == TiffConstants.TypeShort)
                {
                    Put16(output, valuePos + (2 * v), (ushort)values[v], big);
                }
                else
                {
                    Put32(output, valuePos + (4 * v), values[v], big);
                }
            }

            pos += TiffConstants.EntryLength;
        }

        // Next-IFD offset: 0 (already zero). Pixels are stored row after row, strip after strip.
        image.Pixels.CopyTo(output, dataStart);
        return output;
    }

    private static long ValueBytes(ushort type, int values) => type == TiffConstants.TypeShort ? 2L * values : 4L * values;

    private static void Put16(byte[] b, int at, ushort v, bool big)
    {
        if (big)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(at), v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), v);
        }
    }

    private static void Put32(byte[] b, int at, uint v, bool big)
    {
        if (big)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
        }
    }
}
