namespace SecureTransmit.Imaging;

/// <summary>PNG colour types (IHDR byte 9). Values are the on-disk codes.</summary>
public enum PngColorType : byte
{
    Grayscale = 0,
    Rgb = 2,
    Palette = 3,
    GrayscaleAlpha = 4,
    Rgba = 6,
}

/// <summary>PNG filter types (the first byte of each scanline). Values are the on-disk codes.</summary>
public enum PngFilter : byte
{
    None = 0,
    Sub = 1,
    Up = 2,
    Average = 3,
    Paeth = 4,
}

/// <summary>
/// A PNG decoded at full precision (<see cref="PngDecoder.DecodeRaw"/>): every pixel expanded to RGBA
/// without gamma, background or sBIT processing.
/// </summary>
/// <remarks>
/// Sample scale: 16-bit images keep 0..65535 (opaque alpha = 65535). All other depths are on 0..255:
/// 8-bit samples as stored, 1/2/4-bit gray multiplied by 255/85/17, palette entries from PLTE with alpha
/// from tRNS. Gray is replicated into R, G, B. A tRNS colour key gives alpha 0 on exact matches of the
/// raw samples and full alpha elsewhere. This is the convention of the PngSuite reference data.
/// </remarks>
public sealed class PngRawImage
{
    internal PngRawImage(int width, int height, int bitDepth, PngColorType colorType, bool interlaced, ushort[] rgba)
    {
        Width = width;
        Height = height;
        BitDepth = bitDepth;
        ColorType = colorType;
        Interlaced = interlaced;
        Rgba = rgba;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Bits per sample in the file (1, 2, 4, 8 or 16).</summary>
    public int BitDepth { get; }

    public PngColorType ColorType { get; }

    /// <summary>True for Adam7 interlacing.</summary>
    public bool Interlaced { get; }

    /// <summary>65535 for 16-bit files, 255 otherwise.</summary>
    public int SampleMax => BitDepth == 16 ? 65535 : 255;

    /// <summary>Width*Height*4 samples, R G B A per pixel, rows top to bottom.</summary>
    public ushort[] Rgba { get; }
}
