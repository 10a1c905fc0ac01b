namespace SecureTransmit.Imaging.Internal;

/// <summary>The leading bytes that identify each format <see cref="ImageIO"/> reads; extensions are never consulted.</summary>
internal static class ImageMagic
{
    /// <summary>JPEG: SOI marker FF D8 followed by the next marker's FF (bytes 0..2 = FF D8 FF).</summary>
    public static bool IsJpeg(ReadOnlySpan<byte> d) => d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;

    /// <summary>WebP: "RIFF" (0..3) | file size u32 LE (4..7) | "WEBP" (8..11).</summary>
    public static bool IsWebP(ReadOnlySpan<byte> d) =>
        d.Length >= 12 && d[..4].SequenceEqual("RIFF"u8) && d.Slice(8, 4).SequenceEqual("WEBP"u8);

    /// <summary>GIF: "GIF87a" or "GIF89a" (0..5).</summary>
    public static bool IsGif(ReadOnlySpan<byte> d) =>
        d.Length >= 6 && d[..3].SequenceEqual("GIF"u8) && (d.Slice(3, 3).SequenceEqual("87a"u8) || d.Slice(3, 3).SequenceEqual("89a"u8));

    /// <summary>
    /// BMP: "BM" (0..1) | file size u32 LE (2..5) | reserved 4 (6..9) | pixel offset u32 LE (10..13) |
    /// DIB header size u32 LE (14..17), one of 12, 40, 52, 56, 64, 108, 124. The header size is checked too,
    /// because "BM" alone also starts plain text.
    /// </summary>
    public static bool IsBmp(ReadOnlySpan<byte> d) =>
        d.Length >= 18 && d[0] == (byte)'B' && d[1] == (byte)'M'
        && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(d.Slice(14, 4)) is 12 or 40 or 52 or 56 or 64 or 108 or 124;

    /// <summary>Formats recognised but not read, named so the error says what the file is.</summary>
    public static string? KnownUnsupported(ReadOnlySpan<byte> d)
    {
        // ISO BMFF: size u32 BE (0..3) | "ftyp" (4..7) | major brand (8..11).
        if (d.Length >= 12 && d.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            string brand = System.Text.Encoding.ASCII.GetString(d.Slice(8, 4));
            return brand switch
            {
                "avif" or "avis" => "AVIF",
                "heic" or "heix" or "heim" or "heis" or "mif1" or "msf1" => "HEIF/HEIC",
                _ => null,
            };
        }

        return d.Length >= 2 && d[0] == (byte)'P' && d[1] is (byte)'1' or (byte)'4' or (byte)'7' ? "PBM/PAM" : null;
    }
}
