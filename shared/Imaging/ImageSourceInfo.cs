namespace SecureTransmit.Imaging;

/// <summary>
/// What the source file held, beside the 8-bit <see cref="Image"/> it decoded to: the format, the bit depth per
/// sample before reduction to 8 bits, and the EXIF orientation that was applied (1 = none).
/// </summary>
/// <param name="Format">The format found by the magic bytes.</param>
/// <param name="BitDepth">Bits per sample in the file (1, 2, 4, 8 or 16); 16-bit samples were rounded to 8.</param>
/// <param name="Orientation">EXIF orientation 1..8 that was applied to the pixels (JPEG and WebP); 1 when none.</param>
public sealed record ImageSourceInfo(ImageFormat Format, int BitDepth, int Orientation)
{
    /// <summary>True when samples were reduced from 16 to 8 bits.</summary>
    public bool Reduced16To8 => BitDepth > 8;
}

/// <summary>A decoded image with what its source held.</summary>
public sealed record DecodedImage(Image Image, ImageSourceInfo Source);
