namespace SecureTransmit.Imaging;

/// <summary>
/// An 8-bit image in memory: <see cref="Height"/> rows of <see cref="Width"/> pixels, each pixel
/// <see cref="Channels"/> interleaved bytes, rows top to bottom with no padding.
/// Channels: 1 = gray, 2 = gray + alpha, 3 = RGB, 4 = RGBA. Alpha is straight (not premultiplied).
/// </summary>
/// <remarks>
/// Every conversion (<see cref="ToRgb"/>, <see cref="Crop"/>, ...) returns a new image and leaves this
/// one unchanged. The constructor that takes a pixel array wraps it without copying.
/// </remarks>
public sealed class Image
{
    /// <summary>Creates a black (all-zero, fully transparent if it has alpha) image.</summary>
    public Image(int width, int height, int channels)
    {
        long length = CheckShape(width, height, channels);
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = new byte[length];
    }

    /// <summary>Wraps <paramref name="pixels"/> (not copied); its length must be width*height*channels.</summary>
    public Image(int width, int height, int channels, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        long length = CheckShape(width, height, channels);
        if (pixels.LongLength != length)
        {
            throw new ArgumentException(
                $"Pixel buffer holds {pixels.LongLength} bytes; a {width}x{height} image with {channels} channel(s) needs {length}.",
                nameof(pixels));
        }

        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>1 = gray, 2 = gray + alpha, 3 = RGB, 4 = RGBA.</summary>
    public int Channels { get; }

    /// <summary>Interleaved, row-major 8-bit samples; length Width*Height*Channels.</summary>
    public byte[] Pixels { get; }

    /// <summary>Bytes per row: Width*Channels.</summary>
    public int Stride => Width * Channels;

    public bool HasAlpha => Channels is 2 or 4;

    public bool IsGray => Channels is 1 or 2;

    /// <summary>One sample, bounds-checked.</summary>
    public byte this[int x, int y, int channel]
    {
        get => Pixels[Index(x, y, channel)];
        set => Pixels[Index(x, y, channel)] = value;
    }

    /// <summary>The bytes of row <paramref name="y"/>.</summary>
    public Span<byte> GetRow(int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, Height);
        return Pixels.AsSpan(y * Stride, Stride);
    }

    public Image Clone() => new(Width, Height, Channels, (byte[])Pixels.Clone());

    /// <summary>True when both images have the same shape and identical samples.</summary>
    public bool PixelEquals(Image other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Width == other.Width && Height == other.Height && Channels == other.Channels
            && Pixels.AsSpan().SequenceEqual(other.Pixels);
    }

    /// <summary>
    /// 3-channel copy: gray is replicated into R, G and B; alpha is dropped (not composited).
    /// </summary>
    public Image ToRgb() => ConvertTo(3);

    /// <summary>4-channel copy: gray is replicated; a missing alpha channel becomes 255 (opaque).</summary>
    public Image ToRgba() => ConvertTo(4);

    /// <summary>
    /// 1-channel copy. RGB is reduced to luma with the ITU-R BT.601 weights in 16-bit fixed point:
    /// Y = (19595 R + 38470 G + 7471 B + 32768) >> 16 (weights sum to 65536, so white stays 255).
    /// Alpha is dropped.
    /// </summary>
    public Image ToGray() => ConvertTo(1);

    /// <summary>
    /// Removes alpha by compositing onto an opaque background: gray + alpha → gray (background gray = luma of
    /// <paramref name="background"/>), RGBA → RGB; each sample becomes (a·v + (255 − a)·bg + 127) / 255. An image
    /// without alpha is returned unchanged (not copied).
    /// </summary>
    public Image CompositeOnto((byte R, byte G, byte B) background)
    {
        if (!HasAlpha)
        {
            return this;
        }

        int outChannels = Channels - 1;
        var result = new Image(Width, Height, outChannels);
        byte[] s = Pixels, d = result.Pixels;
        Span<int> bg = outChannels == 1
            ? [((19595 * background.R) + (38470 * background.G) + (7471 * background.B) + 32768) >> 16]
            : [background.R, background.G, background.B];
        for (long p = 0, n = (long)Width * Height; p < n; p++)
        {
            long si = p * Channels, di = p * outChannels;
            int a = s[si + outChannels];
            for (int c = 0; c < outChannels; c++)
            {
                d[di + c] = (byte)(((a * s[si + c]) + ((255 - a) * bg[c]) + 127) / 255);
            }
        }

        return result;
    }

    /// <summary>
    /// Copy with the given channel count (1..4), following the rules of <see cref="ToGray"/>,
    /// <see cref="ToRgb"/> and <see cref="ToRgba"/>; gray+alpha from colour uses the same luma.
    /// </summary>
    public Image ConvertTo(int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 4);
        if (channels == Channels)
        {
            return Clone();
        }

        var result = new Image(Width, Height, channels);
        ReadOnlySpan<byte> src = Pixels;
        Span<byte> dst = result.Pixels;
        int sc = Channels;
        int dc = channels;
        int count = Width * Height; // fits: the pixel array holds at least this many bytes
        bool srcGray = sc <= 2;
        bool srcAlpha = sc is 2 or 4;
        for (int i = 0, s = 0, d = 0; i < count; i++, s += sc, d += dc)
        {
            byte r = src[s];
            byte g = srcGray ? r : src[s + 1];
            byte b = srcGray ? r : src[s + 2];
            byte a = srcAlpha ? src[s + sc - 1] : (byte)255;
            if (dc <= 2)
            {
                dst[d] = srcGray ? r : Luma(r, g, b);
                if (dc == 2)
                {
                    dst[d + 1] = a;
                }
            }
            else
            {
                dst[d] = r;
                dst[d + 1] = g;
                dst[d + 2] = b;
                if (dc == 4)
                {
                    dst[d + 3] = a;
                }
            }
        }

        return result;
    }

    /// <summary>The rectangle [x, x+width) × [y, y+height), which must lie inside the image.</summary>
    public Image Crop(int x, int y, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if ((long)x + width > Width || (long)y + height > Height)
        {
            throw new ArgumentOutOfRangeException(nameof(width),
                $"Crop {width}x{height} at ({x},{y}) does not fit in a {Width}x{Height} image.");
        }

        var result = new Image(width, height, Channels);
        int rowBytes = width * Channels;
        for (int row = 0; row < height; row++)
        {
            Pixels.AsSpan((y + row) * Stride + x * Channels, rowBytes).CopyTo(result.Pixels.AsSpan(row * rowBytes, rowBytes));
        }

        return result;
    }

    /// <summary>
    /// Enlarges the image to width × height (each at least the current size) by adding columns on the
    /// right and rows at the bottom that replicate the last column / last row (edge padding).
    /// </summary>
    public Image PadTo(int width, int height)
    {
        if (width < Width || height < Height)
        {
            throw new ArgumentOutOfRangeException(nameof(width),
                $"PadTo({width}, {height}) is smaller than the image ({Width}x{Height}).");
        }

        var result = new Image(width, height, Channels);
        int c = Channels;
        int srcStride = Stride;
        int dstStride = result.Stride;
        for (int row = 0; row < Height; row++)
        {
            Span<byte> dst = result.Pixels.AsSpan(row * dstStride, dstStride);
            Pixels.AsSpan(row * srcStride, srcStride).CopyTo(dst);
            ReadOnlySpan<byte> last = Pixels.AsSpan(row * srcStride + srcStride - c, c);
            for (int x = Width; x < width; x++)
            {
                last.CopyTo(dst.Slice(x * c, c));
            }
        }

        ReadOnlySpan<byte> lastRow = result.Pixels.AsSpan((Height - 1) * dstStride, dstStride);
        for (int row = Height; row < height; row++)
        {
            lastRow.CopyTo(result.Pixels.AsSpan(row * dstStride, dstStride));
        }

        return result;
    }

    /// <summary>
    /// Planar (CHW) floats: element [c*H*W + y*W + x] = sample / 255f, so every value is in [0, 1].
    /// </summary>
    public float[] ToPlanarFloats()
    {
        var result = new float[(long)Width * Height * Channels];
        ToPlanarFloats(result.AsSpan());
        return result;
    }

    /// <summary>As <see cref="ToPlanarFloats()"/>, into the first Width×Height×Channels values of <paramref name="result"/>.</summary>
    public void ToPlanarFloats(Span<float> result)
    {
        int plane = Width * Height;
        if (result.Length < (long)plane * Channels)
        {
            throw new ArgumentException($"{result.Length} values cannot hold {Channels}x{Height}x{Width}.", nameof(result));
        }

        int c = Channels;
        for (int ch = 0; ch < c; ch++)
        {
            Span<float> dst = result.Slice(ch * plane, plane);
            for (int i = 0, s = ch; i < plane; i++, s += c)
            {
                dst[i] = Pixels[s] / 255f;
            }
        }
    }

    /// <summary>
    /// Inverse of <see cref="ToPlanarFloats()"/>. Each value v is clamped to [0, 1] (NaN counts as 0) and
    /// stored as round(v * 255) with halves rounded away from zero, i.e. floor(v*255 + 0.5).
    /// ToPlanarFloats followed by FromPlanarFloats reproduces the image exactly.
    /// </summary>
    public static Image FromPlanarFloats(ReadOnlySpan<float> chw, int channels, int width, int height)
    {
        long length = CheckShape(width, height, channels);
        if (chw.Length != length)
        {
            throw new ArgumentException(
                $"Tensor holds {chw.Length} values; {channels}x{height}x{width} needs {length}.", nameof(chw));
        }

        var result = new Image(width, height, channels);
        int plane = width * height;
        byte[] px = result.Pixels;
        byte[] bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(plane);
        try
        {
            for (int ch = 0; ch < channels; ch++)
            {
                ToBytes(chw.Slice(ch * plane, plane), bytes);
                for (int i = 0, d = ch; i < plane; i++, d += channels)
                {
                    px[d] = bytes[i];
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
        }

        return result;
    }

    /// <summary><see cref="ToByte"/> of every value, four vectors at a time where the hardware has them.</summary>
    private static void ToBytes(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int i = 0;
        int lanes = System.Numerics.Vector<float>.Count;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            for (; i + 4 * lanes <= src.Length; i += 4 * lanes)
            {
                var q0 = Quantize(new System.Numerics.Vector<float>(src[i..]));
                var q1 = Quantize(new System.Numerics.Vector<float>(src[(i + lanes)..]));
                var q2 = Quantize(new System.Numerics.Vector<float>(src[(i + 2 * lanes)..]));
                var q3 = Quantize(new System.Numerics.Vector<float>(src[(i + 3 * lanes)..]));
                var b = System.Numerics.Vector.Narrow(
                    System.Numerics.Vector.Narrow(System.Numerics.Vector.AsVectorUInt32(q0), System.Numerics.Vector.AsVectorUInt32(q1)),
                    System.Numerics.Vector.Narrow(System.Numerics.Vector.AsVectorUInt32(q2), System.Numerics.Vector.AsVectorUInt32(q3)));
                b.CopyTo(dst[i..]);
            }
        }

        for (; i < src.Length; i++)
        {
            dst[i] = ToByte(src[i]);
        }
    }

    /// <summary>The vector form of <see cref="ToByte"/>: floor(v·255 + 0.5) as int, 0 for v ≤ 0 or NaN, 255 for v ≥ 1.</summary>
    private static System.Numerics.Vector<int> Quantize(System.Numerics.Vector<float> v)
    {
        var q = System.Numerics.Vector.ConvertToInt32(v * new System.Numerics.Vector<float>(255f) + new System.Numerics.Vector<float>(0.5f));
        q = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.GreaterThan(v, System.Numerics.Vector<float>.Zero), q, System.Numerics.Vector<int>.Zero);
        return System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.GreaterThanOrEqual(v, System.Numerics.Vector<float>.One), new System.Numerics.Vector<int>(255), q);
    }

    public override string ToString() => $"Image {Width}x{Height}, {Channels} channel(s)";

    internal static byte ToByte(float v)
    {
        // NaN fails both comparisons and ends up 0; the clamp keeps the cast in range.
        if (!(v > 0f))
        {
            return 0;
        }

        if (v >= 1f)
        {
            return 255;
        }

        return (byte)(int)MathF.Floor(v * 255f + 0.5f);
    }

    internal static byte Luma(byte r, byte g, byte b) => (byte)((19595 * r + 38470 * g + 7471 * b + 32768) >> 16);

    /// <summary>Validates a shape and returns its sample count.</summary>
    internal static long CheckShape(int width, int height, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 4);
        long length = (long)width * height * channels;
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(width),
                $"A {width}x{height} image with {channels} channel(s) needs {length} bytes, more than one array can hold.");
        }

        return length;
    }

    private int Index(int x, int y, int channel)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height || (uint)channel >= (uint)Channels)
        {
            throw new ArgumentOutOfRangeException(nameof(x),
                $"({x},{y},{channel}) is outside a {Width}x{Height} image with {Channels} channel(s).");
        }

        return (y * Width + x) * Channels + channel;
    }
}
