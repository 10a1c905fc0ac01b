using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace SecureTransmit.Imaging.Internal;

/// <summary>Turns one reconstructed scanline (raw samples, big-endian when 16-bit) into output pixels.</summary>
internal static class PngPixelExpander
{
    /// <summary>16-bit to 8-bit: round(v * 255 / 65535) = (v*255 + 32767) / 65535 (never a tie).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Reduce16(uint v) => (byte)(((v * 255) + 32767) / 65535);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SubByteSample(ReadOnlySpan<byte> row, int index, int depth)
    {
        int bit = index * depth;
        return (row[bit >> 3] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
    }

    /// <summary>Writes <paramref name="count"/> pixels of <see cref="PngHeader.OutputChannels"/> bytes each.</summary>
    public static void ToImage8(PngHeader h, ReadOnlySpan<byte> row, int count, Span<byte> dst)
    {
        int depth = h.BitDepth;
        ushort[]? key = h.ColorKey;
        switch (h.ColorType)
        {
            case PngColorType.Grayscale:
                if (key is null)
                {
                    if (depth == 8)
                    {
                        row[..count].CopyTo(dst);
                    }
                    else if (depth == 16)
                    {
                        for (int i = 0; i < count; i++)
                        {
                            dst[i] = Reduce16(BinaryPrimitives.ReadUInt16BigEndian(row[(2 * i)..]));
                        }
                    }
                    else
                    {
                        int scale = 255 / ((1 << depth) - 1);
                        for (int i = 0; i < count; i++)
                        {
                            dst[i] = (byte)(SubByteSample(row, i, depth) * scale);
                        }
                    }
                }
                else
                {
                    int k = key[0];
                    int scale = depth >= 8 ? 1 : 255 / ((1 << depth) - 1);
                    for (int i = 0; i < count; i++)
                    {
                        int v = depth switch
                        {
                            8 => row[i],
                            16 => BinaryPrimitives.ReadUInt16BigEndian(row[(2 * i)..]),
                            _ => SubByteSample(row, i, depth),
                        };
                        dst[2 * i] = depth == 16 ? Reduce16((uint)v) : (byte)(v * scale);
                        dst[(2 * i) + 1] = v == k ? (byte)0 : (byte)255;
                    }
                }

                return;

            case PngColorType.Rgb:
                if (depth == 8)
                {
                    if (key is null)
                    {
                        row[..(3 * count)].CopyTo(dst);
                        return;
                    }

                    for (int i = 0, s = 0, d = 0; i < count; i++, s += 3, d += 4)
                    {
                        byte r = row[s], g = row[s + 1], b = row[s + 2];
                        dst[d] = r;
                        dst[d + 1] = g;
                        dst[d + 2] = b;
                        dst[d + 3] = r == key[0] && g == key[1] && b == key[2] ? (byte)0 : (byte)255;
                    }
                }
                else
                {
                    int oc = key is null ? 3 : 4;
                    for (int i = 0, s = 0, d = 0; i < count; i++, s += 6, d += oc)
                    {
                        uint r = BinaryPrimitives.ReadUInt16BigEndian(row[s..]);
                        uint g = BinaryPrimitives.ReadUInt16BigEndian(row[(s + 2)..]);
                        uint b = BinaryPrimitives.ReadUInt16BigEndian(row[(s + 4)..]);
                        dst[d] = Reduce16(r);
                        dst[d + 1] = Reduce16(g);
                        dst[d + 2] = Reduce16(b);
                        if (key is not null)
                        {
                            dst[d + 3] = r == key[0] && g == key[1] && b == key[2] ? (byte)0 : (byte)255;
                        }
                    }
                }

                return;

            case PngColorType.Palette:
            {
                byte[] palette = h.Palette!;
                byte[]? alpha = h.PaletteAlpha;
                int entries = h.PaletteCount;
                int oc = alpha is null ? 3 : 4;
                for (int i = 0, d = 0; i < count; i++, d += oc)
                {
                    int index = depth == 8 ? row[i] : SubByteSample(row, i, depth);
                    if (index >= entries)
                    {
                        throw PaletteIndexError(index, entries);
                    }

                    dst[d] = palette[3 * index];
                    dst[d + 1] = palette[(3 * index) + 1];
                    dst[d + 2] = palette[(3 * index) + 2];
                    if (alpha is not null)
                    {
                        dst[d + 3] = alpha[index];
                    }
                }

                return;
            }

            default: // gray + alpha, RGBA: 8-bit is stored as is, 16-bit is reduced sample by sample
            {
                int samples = count * h.SamplesPerPixel;
                if (depth == 8)
                {
                    row[..samples].CopyTo(dst);
                }
                else
                {
                    for (int i = 0; i < samples; i++)
                    {
                        dst[i] = Reduce16(BinaryPrimitives.ReadUInt16BigEndian(row[(2 * i)..]));
                    }
                }

                return;
            }
        }
    }

    /// <summary>Writes <paramref name="count"/> RGBA pixels (4 samples each) at the raw sample scale; see <see cref="PngRawImage"/>.</summary>
    public static void ToRgba16(PngHeader h, ReadOnlySpan<byte> row, int count, Span<ushort> dst)
    {
        int depth = h.BitDepth;
        ushort opaque = depth == 16 ? (ushort)65535 : (ushort)255;
        ushort[]? key = h.ColorKey;
        for (int i = 0, d = 0; i < count; i++, d += 4)
        {
            int r, g, b, a = opaque;
            switch (h.ColorType)
            {
                case PngColorType.Grayscale:
                {
                    int v = depth switch
                    {
                        8 => row[i],
                        16 => BinaryPrimitives.ReadUInt16BigEndian(row[(2 * i)..]),
                        _ => SubByteSample(row, i, depth),
                    };
                    if (key is not null && v == key[0])
                    {
                        a = 0;
                    }

                    r = g = b = depth < 8 ? v * (255 / ((1 << depth) - 1)) : v;
                    break;
                }

                case PngColorType.Rgb:
                    if (depth == 8)
                    {
                        r = row[3 * i];
                        g = row[(3 * i) + 1];
                        b = row[(3 * i) + 2];
                    }
                    else
                    {
                        r = BinaryPrimitives.ReadUInt16BigEndian(row[(6 * i)..]);
                        g = BinaryPrimitives.ReadUInt16BigEndian(row[((6 * i) + 2)..]);
                        b = BinaryPrimitives.ReadUInt16BigEndian(row[((6 * i) + 4)..]);
                    }

                    if (key is not null && r == key[0] && g == key[1] && b == key[2])
                    {
                        a = 0;
                    }

                    break;

                case PngColorType.Palette:
                {
                    int index = depth == 8 ? row[i] : SubByteSample(row, i, depth);
                    if (index >= h.PaletteCount)
                    {
                        throw PaletteIndexError(index, h.PaletteCount);
                    }

                    r = h.Palette![3 * index];
                    g = h.Palette[(3 * index) + 1];
                    b = h.Palette[(3 * index) + 2];
                    if (h.PaletteAlpha is not null)
                    {
                        a = h.PaletteAlpha[index];
                    }

                    break;
                }

                case PngColorType.GrayscaleAlpha:
                    if (depth == 8)
                    {
                        r = g = b = row[2 * i];
                        a = row[(2 * i) + 1];
                    }
                    else
                    {
                        r = g = b = BinaryPrimitives.ReadUInt16BigEndian(row[(4 * i)..]);
                        a = BinaryPrimitives.ReadUInt16BigEndian(row[((4 * i) + 2)..]);
                    }

                    break;

                default:
                    if (depth == 8)
                    {
                        r = row[4 * i];
                        g = row[(4 * i) + 1];
                        b = row[(4 * i) + 2];
                        a = row[(4 * i) + 3];
                    }
                    else
                    {
                        r = BinaryPrimitives.ReadUInt16BigEndian(row[(8 * i)..]);
                        g = BinaryPrimitives.ReadUInt16BigEndian(row[((8 * i) + 2)..]);
                        b = BinaryPrimitives.ReadUInt16BigEndian(row[((8 * i) + 4)..]);
                        a = BinaryPrimitives.ReadUInt16BigEndian(row[((8 * i) + 6)..]);
                    }

                    break;
            }

            dst[d] = (ushort)r;
            dst[d + 1] = (ushort)g;
            dst[d + 2] = (ushort)b;
            dst[d + 3] = (ushort)a;
        }
    }

    private static ImageFormatException PaletteIndexError(int index, int entries) =>
        new($"PNG: palette index {index} is out of range (PLTE has {entries} entries)");
}
