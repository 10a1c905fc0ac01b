using System.Numerics;
using System.Runtime.CompilerServices;

namespace SecureTransmit.Imaging.Internal;

/// <summary>
/// The five PNG scanline filters (filter method 0). For byte x of a row: a = the byte bpp positions to
/// the left (0 before the row start), b = the byte above (0 on the first row of a pass), c = the byte
/// above and to the left. All arithmetic is modulo 256.
/// </summary>
internal static class PngFilters
{
    /// <summary>Undoes filter <paramref name="filter"/> in place; <paramref name="prev"/> is the reconstructed row above (all zeros for the first row).</summary>
    public static void Unfilter(int filter, Span<byte> cur, ReadOnlySpan<byte> prev, int bpp)
    {
        int n = cur.Length;
        switch (filter)
        {
            case 0:
                return;

            case 1: // Sub: x + a
                for (int i = bpp; i < n; i++)
                {
                    cur[i] += cur[i - bpp];
                }

                return;

            case 2: // Up: x + b
                AddUp(cur, prev);
                return;

            case 3: // Average: x + floor((a + b) / 2)
                for (int i = 0; i < bpp && i < n; i++)
                {
                    cur[i] += (byte)(prev[i] >> 1);
                }

                for (int i = bpp; i < n; i++)
                {
                    cur[i] += (byte)((cur[i - bpp] + prev[i]) >> 1);
                }

                return;

            case 4: // Paeth: x + PaethPredictor(a, b, c)
                for (int i = 0; i < bpp && i < n; i++)
                {
                    cur[i] += prev[i]; // a = c = 0, so the predictor is b
                }

                for (int i = bpp; i < n; i++)
                {
                    cur[i] += Paeth(cur[i - bpp], prev[i], prev[i - bpp]);
                }

                return;

            default:
                throw new ImageFormatException($"PNG: invalid filter type {filter}");
        }
    }

    /// <summary>Applies filter <paramref name="filter"/> to <paramref name="raw"/> into <paramref name="dst"/> (same length).</summary>
    public static void Filter(PngFilter filter, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> prev, int bpp, Span<byte> dst)
    {
        int n = raw.Length;
        switch (filter)
        {
            case PngFilter.None:
                raw.CopyTo(dst);
                break;

            case PngFilter.Sub:
                for (int i = 0; i < n; i++)
                {
                    dst[i] = (byte)(raw[i] - (i >= bpp ? raw[i - bpp] : 0));
                }

                break;

            case PngFilter.Up:
                for (int i = 0; i < n; i++)
                {
                    dst[i] = (byte)(raw[i] - prev[i]);
                }

                break;

            case PngFilter.Average:
                for (int i = 0; i < n; i++)
                {
                    int a = i >= bpp ? raw[i - bpp] : 0;
                    dst[i] = (byte)(raw[i] - ((a + prev[i]) >> 1));
                }

                break;

            default:
                for (int i = 0; i < n; i++)
                {
                    int a = i >= bpp ? raw[i - bpp] : 0;
                    int c = i >= bpp ? prev[i - bpp] : 0;
                    dst[i] = (byte)(raw[i] - Paeth(a, prev[i], c));
                }

                break;
        }
    }

    /// <summary>Sum of |signed byte| over a filtered row: the usual "minimum sum of absolute differences" heuristic.</summary>
    public static long SumAbsSigned(ReadOnlySpan<byte> row)
    {
        long sum = 0;
        foreach (byte v in row)
        {
            sum += v < 128 ? v : 256 - v;
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte Paeth(int a, int b, int c)
    {
        int pa = Math.Abs(b - c);
        int pb = Math.Abs(a - c);
        int pc = Math.Abs(a + b - c - c);
        if (pa <= pb && pa <= pc)
        {
            return (byte)a;
        }

        return pb <= pc ? (byte)b : (byte)c;
    }

    private static void AddUp(Span<byte> cur, ReadOnlySpan<byte> prev)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<byte>.Count;
            for (; i + width <= cur.Length; i += width)
            {
                (new Vector<byte>(cur[i..]) + new Vector<byte>(prev[i..])).CopyTo(cur[i..]);
            }
        }

        for (; i < cur.Length; i++)
        {
            cur[i] += prev[i];
        }
    }
}
