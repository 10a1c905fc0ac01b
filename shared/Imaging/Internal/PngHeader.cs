namespace SecureTransmit.Imaging.Internal;

/// <summary>What the critical and transparency chunks say about the pixels.</summary>
internal sealed class PngHeader
{
    public int Width;
    public int Height;
    public int BitDepth;
    public PngColorType ColorType;
    public bool Interlaced;

    /// <summary>PLTE entries as RGB triples (null when absent).</summary>
    public byte[]? Palette;

    /// <summary>Alpha per palette index, 256 entries (255 beyond the tRNS data), when tRNS is present.</summary>
    public byte[]? PaletteAlpha;

    /// <summary>tRNS colour key for gray (1 value) or RGB (3 values), on the raw sample scale.</summary>
    public ushort[]? ColorKey;

    public int PaletteCount => Palette is null ? 0 : Palette.Length / 3;

    /// <summary>Samples per pixel as stored in the file.</summary>
    public int SamplesPerPixel => ColorType switch
    {
        PngColorType.Grayscale => 1,
        PngColorType.Rgb => 3,
        PngColorType.Palette => 1,
        PngColorType.GrayscaleAlpha => 2,
        _ => 4,
    };

    public int BitsPerPixel => SamplesPerPixel * BitDepth;

    /// <summary>Filter distance: bytes per complete pixel, at least 1.</summary>
    public int FilterStride => Math.Max(1, BitsPerPixel / 8);

    public long RowBytes(int pixels) => (((long)pixels * BitsPerPixel) + 7) / 8;

    /// <summary>Channels of the 8-bit <see cref="Image"/> the decoder returns.</summary>
    public int OutputChannels => ColorType switch
    {
        PngColorType.Grayscale => ColorKey is null ? 1 : 2,
        PngColorType.Rgb => ColorKey is null ? 3 : 4,
        PngColorType.Palette => PaletteAlpha is null ? 3 : 4,
        PngColorType.GrayscaleAlpha => 2,
        _ => 4,
    };

    /// <summary>Size of the inflated IDAT stream: every pass's rows, each with its filter byte.</summary>
    public long InflatedSize()
    {
        if (!Interlaced)
        {
            return Height * (1 + RowBytes(Width));
        }

        long total = 0;
        for (int pass = 0; pass < 7; pass++)
        {
            int pw = Adam7.PassWidth(pass, Width);
            int ph = Adam7.PassHeight(pass, Height);
            if (pw > 0 && ph > 0)
            {
                total += ph * (1 + RowBytes(pw));
            }
        }

        return total;
    }

    public static bool IsAllowedDepth(PngColorType type, int depth) => type switch
    {
        PngColorType.Grayscale => depth is 1 or 2 or 4 or 8 or 16,
        PngColorType.Palette => depth is 1 or 2 or 4 or 8,
        PngColorType.Rgb or PngColorType.GrayscaleAlpha or PngColorType.Rgba => depth is 8 or 16,
        _ => false,
    };
}
