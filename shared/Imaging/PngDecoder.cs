using SecureTransmit.Imaging.Internal;

namespace SecureTransmit.Imaging;

/// <summary>
/// PNG decoder for every standard PNG: colour types 0/2/3/4/6 at every allowed bit depth, PLTE, tRNS,
/// Adam7 interlacing and all five filters. Every chunk's CRC and the zlib Adler-32 are checked; chunk order
/// follows the specification; unknown ancillary chunks are skipped, unknown critical chunks rejected.
/// Gamma, background and sBIT chunks are not applied. Anything wrong throws
/// <see cref="ImageFormatException"/> ("PNG: ...") and nothing else.
/// </summary>
public static class PngDecoder
{
    /// <summary>True when <paramref name="data"/> starts with the 8-byte PNG signature.</summary>
    public static bool IsPng(ReadOnlySpan<byte> data) =>
        data.Length >= 8 && data[..8].SequenceEqual(PngConstants.Signature);

    /// <summary>
    /// Decodes to an 8-bit <see cref="Image"/>. Channels: gray → 1, gray+alpha → 2, RGB → 3, RGBA → 4;
    /// palette → 3, or 4 when tRNS is present; gray or RGB with a tRNS colour key → 2 or 4 (alpha 0 on the
    /// key). 1/2/4-bit gray is scaled by 255/85/17. 16-bit samples are rounded to nearest:
    /// (v*255 + 32767) / 65535.
    /// </summary>
    public static Image Decode(ReadOnlySpan<byte> data, PngDecoderOptions? options = null) => DecodeWithDepth(data, options, out _);

    /// <summary>As <see cref="Decode"/>; <paramref name="bitDepth"/> is IHDR's bit depth (1, 2, 4, 8 or 16).</summary>
    internal static Image DecodeWithDepth(ReadOnlySpan<byte> data, PngDecoderOptions? options, out int bitDepth)
    {
        try
        {
            (PngHeader h, byte[] raw) = Inflate(data, options ?? PngDecoderOptions.Default);
            bitDepth = h.BitDepth;
            var image = new Image(h.Width, h.Height, h.OutputChannels);
            var sink = new Image8Sink(h, image);
            Reconstruct(h, raw, ref sink);
            return image;
        }
        catch (Exception e) when (IsWrappable(e))
        {
            throw Wrap(e);
        }
    }

    /// <summary>Decodes at full precision to RGBA samples (16-bit kept); see <see cref="PngRawImage"/>.</summary>
    public static PngRawImage DecodeRaw(ReadOnlySpan<byte> data, PngDecoderOptions? options = null)
    {
        try
        {
            (PngHeader h, byte[] raw) = Inflate(data, options ?? PngDecoderOptions.Default);
            var rgba = new ushort[(long)h.Width * h.Height * 4];
            var sink = new Rgba16Sink(h, rgba);
            Reconstruct(h, raw, ref sink);
            return new PngRawImage(h.Width, h.Height, h.BitDepth, h.ColorType, h.Interlaced, rgba);
        }
        catch (Exception e) when (IsWrappable(e))
        {
            throw Wrap(e);
        }
    }

    internal static bool IsWrappable(Exception e) =>
        e is not (ImageFormatException or OutOfMemoryException or OperationCanceledException);

    internal static ImageFormatException Wrap(Exception e) =>
        new($"PNG: corrupt data ({e.GetType().Name}: {e.Message})", e);

    private static (PngHeader, byte[]) Inflate(ReadOnlySpan<byte> data, PngDecoderOptions options)
    {
        (PngHeader h, byte[] idat) = PngChunkParser.Parse(data, options);
        return (h, Zlib.Inflate(idat, h.InflatedSize(), "PNG"));
    }

    private interface IRowSink
    {
        /// <summary>Row <paramref name="y"/>, pixels at x0, x0+dx, ... (count of them).</summary>
        void Row(ReadOnlySpan<byte> scanline, int y, int x0, int dx, int count);
    }

    /// <summary>Unfilters every pass in place and hands each reconstructed scanline to <paramref name="sink"/>.</summary>
    private static void Reconstruct<TSink>(PngHeader h, byte[] raw, ref TSink sink)
        where TSink : struct, IRowSink
    {
        int bpp = h.FilterStride;
        var zeros = new byte[h.RowBytes(h.Width)];
        int offset = 0;
        int passes = h.Interlaced ? 7 : 1;
        for (int pass = 0; pass < passes; pass++)
        {
            int pw = h.Interlaced ? Adam7.PassWidth(pass, h.Width) : h.Width;
            int ph = h.Interlaced ? Adam7.PassHeight(pass, h.Height) : h.Height;
            if (pw == 0 || ph == 0)
            {
                continue;
            }

            int x0 = h.Interlaced ? Adam7.XStart[pass] : 0;
            int dx = h.Interlaced ? Adam7.XStep[pass] : 1;
            int y0 = h.Interlaced ? Adam7.YStart[pass] : 0;
            int dy = h.Interlaced ? Adam7.YStep[pass] : 1;
            int rowBytes = (int)h.RowBytes(pw);
            for (int r = 0; r < ph; r++)
            {
                int filter = raw[offset];
                Span<byte> cur = raw.AsSpan(offset + 1, rowBytes);
                ReadOnlySpan<byte> prev = r == 0 ? zeros.AsSpan(0, rowBytes) : raw.AsSpan(offset - rowBytes, rowBytes);
                PngFilters.Unfilter(filter, cur, prev, bpp);
                sink.Row(cur, y0 + (r * dy), x0, dx, pw);
                offset += 1 + rowBytes;
            }
        }
    }

    private struct Image8Sink : IRowSink
    {
        private readonly PngHeader _h;
        private readonly Image _image;
        private readonly int _channels;
        private byte[]? _scratch;

        public Image8Sink(PngHeader h, Image image)
        {
            _h = h;
            _image = image;
            _channels = image.Channels;
        }

        public void Row(ReadOnlySpan<byte> scanline, int y, int x0, int dx, int count)
        {
            Span<byte> dstRow = _image.GetRow(y);
            if (dx == 1)
            {
                PngPixelExpander.ToImage8(_h, scanline, count, dstRow);
                return;
            }

            _scratch ??= new byte[_image.Stride];
            PngPixelExpander.ToImage8(_h, scanline, count, _scratch);
            int c = _channels;
            for (int i = 0, x = x0; i < count; i++, x += dx)
            {
                _scratch.AsSpan(i * c, c).CopyTo(dstRow.Slice(x * c, c));
            }
        }
    }

    private struct Rgba16Sink : IRowSink
    {
        private readonly PngHeader _h;
        private readonly ushort[] _rgba;
        private ushort[]? _scratch;

        public Rgba16Sink(PngHeader h, ushort[] rgba)
        {
            _h = h;
            _rgba = rgba;
        }

        public void Row(ReadOnlySpan<byte> scanline, int y, int x0, int dx, int count)
        {
            Span<ushort> dstRow = _rgba.AsSpan(y * _h.Width * 4, _h.Width * 4);
            if (dx == 1)
            {
                PngPixelExpander.ToRgba16(_h, scanline, count, dstRow);
                return;
            }

            _scratch ??= new ushort[_h.Width * 4];
            PngPixelExpander.ToRgba16(_h, scanline, count, _scratch);
            for (int i = 0, x = x0; i < count; i++, x += dx)
            {
                _scratch.AsSpan(i * 4, 4).CopyTo(dstRow.Slice(x * 4, 4));
            }
        }
    }
}
