using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SecureTransmit.Imaging.Internal;

/// <summary>
/// The five PNG scanline filters (filter method 0). For byte x of a row: a = the byte bpp positions to
/// the left (0 before the row start), b = the byte above (0 on the first row of a pass), c = the byte
/// above and to the left. All arithmetic is modulo 256. The loops use raw pointers: the spans' lengths
/// are checked once on entry instead of on every byte.
/// </summary>
internal static unsafe class PngFilters
{
    /// <summary>Undoes filter <paramref name="filter"/> in place; <paramref name="prev"/> is the reconstructed row above (all zeros for the first row).</summary>
    public static void Unfilter(int filter, Span<byte> cur, ReadOnlySpan<byte> prev, int bpp)
    {
        int n = cur.Length;
        if (prev.Length < n || bpp < 1)
        {
            throw new ArgumentException("Previous row shorter than the current row.", nameof(prev));
        }

        fixed (byte* x = cur)
        fixed (byte* up = prev)
        {
            int head = Math.Min(bpp, n);
            switch (filter)
            {
                case 0:
                    return;

                case 1: // Sub: x + a
                    for (int i = bpp; i < n; i++)
                    {
                        x[i] += x[i - bpp];
                    }

                    return;

                case 2: // Up: x + b
                    AddUp(cur, prev[..n]);
                    return;

                case 3: // Average: x + floor((a + b) / 2)
                    for (int i = 0; i < head; i++)
                    {
                        x[i] += (byte)(up[i] >> 1);
                    }

                    for (int i = bpp; i < n; i++)
                    {
                        x[i] += (byte)((x[i - bpp] + up[i]) >> 1);
                    }

                    return;

                case 4: // Paeth: x + PaethPredictor(a, b, c)
                {
                    int start = bpp;
                    if (bpp is 3 or 4 && Vector128.IsHardwareAccelerated)
                    {
                        start = UnpaethPixels(x, up, n, bpp);
                    }
                    else
                    {
                        for (int i = 0; i < head; i++)
                        {
                            x[i] += up[i]; // a = c = 0, so the predictor is b
                        }
                    }

                    for (int i = start; i < n; i++)
                    {
                        x[i] += Paeth(x[i - bpp], up[i], up[i - bpp]);
                    }

                    return;
                }

                default:
                    throw new ImageFormatException($"PNG: invalid filter type {filter}");
            }
        }
    }

    /// <summary>Applies filter <paramref name="filter"/> to <paramref name="raw"/> into <paramref name="dst"/> (same length).</summary>
    public static void Filter(PngFilter filter, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> prev, int bpp, Span<byte> dst)
    {
        int n = raw.Length;
        if (prev.Length < n || dst.Length < n || bpp < 1)
        {
            throw new ArgumentException("Rows differ in length.", nameof(prev));
        }

        fixed (byte* x = raw)
        fixed (byte* up = prev)
        fixed (byte* d = dst)
        {
            int head = Math.Min(bpp, n);
            switch (filter)
            {
                case PngFilter.None:
                    raw.CopyTo(dst);
                    break;

                case PngFilter.Sub:
                    for (int i = 0; i < head; i++)
                    {
                        d[i] = x[i];
                    }

                    for (int i = bpp + FilterVectors(filter, x + bpp, up + bpp, x, up, d + bpp, n - bpp); i < n; i++)
                    {
                        d[i] = (byte)(x[i] - x[i - bpp]);
                    }

                    break;

                case PngFilter.Up:
                    for (int i = FilterVectors(filter, x, up, x, up, d, n); i < n; i++)
                    {
                        d[i] = (byte)(x[i] - up[i]);
                    }

                    break;

                case PngFilter.Average:
                    for (int i = 0; i < head; i++)
                    {
                        d[i] = (byte)(x[i] - (up[i] >> 1));
                    }

                    for (int i = bpp + FilterVectors(filter, x + bpp, up + bpp, x, up, d + bpp, n - bpp); i < n; i++)
                    {
                        d[i] = (byte)(x[i] - ((x[i - bpp] + up[i]) >> 1));
                    }

                    break;

                default:
                    for (int i = 0; i < head; i++)
                    {
                        d[i] = (byte)(x[i] - up[i]);
                    }

                    for (int i = bpp + FilterVectors(filter, x + bpp, up + bpp, x, up, d + bpp, n - bpp); i < n; i++)
                    {
                        d[i] = (byte)(x[i] - Paeth(x[i - bpp], up[i], up[i - bpp]));
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// The vectorizable part of filtering (unlike reconstruction, filtering reads only raw bytes, so no byte depends
    /// on another's result): <paramref name="count"/> bytes from <paramref name="x"/> (this row), with
    /// <paramref name="up"/> above, <paramref name="left"/> = x − bpp and <paramref name="upLeft"/> = up − bpp.
    /// Works in 16-bit lanes (Paeth needs |a + b − 2c| ≤ 510). Returns how many bytes it did: whole vectors only.
    /// </summary>
    private static int FilterVectors(PngFilter filter, byte* x, byte* up, byte* left, byte* upLeft, byte* d, int count)
    {
        if (!Vector.IsHardwareAccelerated)
        {
            return 0;
        }

        int width = Vector<byte>.Count;
        int i = 0;
        for (; i + width <= count; i += width)
        {
            var vx = Vector.Load(x + i);
            Vector<byte> prediction;
            switch (filter)
            {
                case PngFilter.Up:
                    prediction = Vector.Load(up + i);
                    break;
                case PngFilter.Sub:
                    prediction = Vector.Load(left + i);
                    break;
                case PngFilter.Average:
                {
                    Vector.Widen(Vector.Load(left + i), out Vector<ushort> a0, out Vector<ushort> a1);
                    Vector.Widen(Vector.Load(up + i), out Vector<ushort> b0, out Vector<ushort> b1);
                    prediction = Vector.Narrow(Vector.ShiftRightLogical(a0 + b0, 1), Vector.ShiftRightLogical(a1 + b1, 1));
                    break;
                }

                default:
                {
                    Vector.Widen(Vector.Load(left + i), out Vector<ushort> a0, out Vector<ushort> a1);
                    Vector.Widen(Vector.Load(up + i), out Vector<ushort> b0, out Vector<ushort> b1);
                    Vector.Widen(Vector.Load(upLeft + i), out Vector<ushort> c0, out Vector<ushort> c1);
                    prediction = Vector.Narrow(PaethLanes(a0, b0, c0), PaethLanes(a1, b1, c1));
                    break;
                }
            }

            Vector.Store(vx - prediction, d + i);
        }

        return i;
    }

    /// <summary><see cref="Paeth"/> on 16-bit lanes holding bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<ushort> PaethLanes(Vector<ushort> a, Vector<ushort> b, Vector<ushort> c)
    {
        var sa = Vector.AsVectorInt16(a);
        var sb = Vector.AsVectorInt16(b);
        var sc = Vector.AsVectorInt16(c);
        var pa0 = sb - sc;
        var pb0 = sa - sc;
        var pc = Vector.Abs(pa0 + pb0);
        var pa = Vector.Abs(pa0);
        var pb = Vector.Abs(pb0);
        var bc = Vector.ConditionalSelect(Vector.LessThanOrEqual(pb, pc), sb, sc);
        var useA = Vector.LessThanOrEqual(pa, pb) & Vector.LessThanOrEqual(pa, pc);
        return Vector.AsVectorUInt16(Vector.ConditionalSelect(useA, sa, bc));
    }

    /// <summary>Sum of |signed byte| over a filtered row: the usual "minimum sum of absolute differences" heuristic.</summary>
    public static long SumAbsSigned(ReadOnlySpan<byte> row)
    {
        long sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<sbyte>.Count)
        {
            // |v| of an sbyte fits in a byte (Abs(-128) wraps to 0x80 = 128). Widened to ushort lanes, each
            // step adds at most 2 * 128 per lane, so 250 steps stay below 65536.
            var acc = Vector<ushort>.Zero;
            int width = Vector<sbyte>.Count;
            int block = 0;
            for (; i + width <= row.Length; i += width)
            {
                Vector<byte> abs = Vector.AsVectorByte(Vector.Abs(new Vector<sbyte>(row[i..])));
                Vector.Widen(abs, out Vector<ushort> lo, out Vector<ushort> hi);
                acc += lo + hi;
                if (++block == 250)
                {
                    sum += Total(acc);
                    acc = Vector<ushort>.Zero;
                    block = 0;
                }
            }

            sum += Total(acc);
        }

        for (; i < row.Length; i++)
        {
            byte v = row[i];
            sum += v < 128 ? v : 256 - v;
        }

        return sum;
    }

    private static long Total(Vector<ushort> v)
    {
        long s = 0;
        for (int k = 0; k < Vector<ushort>.Count; k++)
        {
            s += v[k];
        }

        return s;
    }

    /// <summary>
    /// PNG Paeth predictor: p = a + b - c; return whichever of a, b, c is closest to p, ties in the order
    /// a, b, c. Written with |p-a| = |b-c|, |p-b| = |a-c|, |p-c| = |(b-c) + (a-c)| so no branch depends on data.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte Paeth(int a, int b, int c)
    {
        int pb0 = a - c;
        int pa0 = b - c;
        int pc = Math.Abs(pa0 + pb0);
        int pa = Math.Abs(pa0);
        int pb = Math.Abs(pb0);
        int bc = pb <= pc ? b : c;
        bool useA = (pa <= pb) & (pa <= pc);
        return (byte)(useA ? a : bc);
    }

    /// <summary>
    /// Paeth reconstruction of whole 3- or 4-byte pixels with 16-bit SIMD lanes, one pixel per step, so the
    /// serial dependency is per pixel rather than per byte. Loads and stores 4 bytes at a time and so stops
    /// before a pixel that ends within 4 bytes of the row end (for bpp 3, the last pixel); returns the first
    /// byte index left for the scalar loop (always ≥ bpp).
    /// </summary>
    private static int UnpaethPixels(byte* x, byte* up, int n, int bpp)
    {
        Vector128<short> a = Vector128<short>.Zero;
        Vector128<short> c = Vector128<short>.Zero;
        var low = Vector128.Create((short)0xFF);
        int i = 0;
        for (; i + 4 <= n && (bpp == 4 || i + 4 < n); i += bpp)
        {
            Vector128<short> b = Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<uint>(up + i)).AsByte()).AsInt16();
            Vector128<short> d = Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<uint>(x + i)).AsByte()).AsInt16();
            Vector128<short> pa0 = b - c;
            Vector128<short> pb0 = a - c;
            Vector128<short> pc = Vector128.Abs(pa0 + pb0);
            Vector128<short> pa = Vector128.Abs(pa0);
            Vector128<short> pb = Vector128.Abs(pb0);
            Vector128<short> useA = Vector128.LessThanOrEqual(pa, pb) & Vector128.LessThanOrEqual(pa, pc);
            Vector128<short> bc = Vector128.ConditionalSelect(Vector128.LessThanOrEqual(pb, pc), b, c);
            Vector128<short> r = (d + Vector128.ConditionalSelect(useA, a, bc)) & low;
            uint packed = Vector128.Narrow(r.AsUInt16(), r.AsUInt16()).AsUInt32().ToScalar();
            if (bpp == 4)
            {
                Unsafe.WriteUnaligned(x + i, packed);
            }
            else
            {
                Unsafe.WriteUnaligned(x + i, (ushort)packed);
                x[i + 2] = (byte)(packed >> 16);
            }

            a = r;
            c = b;
        }

        if (i == 0)
        {
            // Row shorter than one SIMD step: do the first pixel here (predictor b).
            for (; i < Math.Min(bpp, n); i++)
            {
                x[i] += up[i];
            }
        }

        return i;
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
