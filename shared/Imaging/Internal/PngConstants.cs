namespace SecureTransmit.Imaging.Internal;

/// <summary>PNG byte layout (PNG specification, 3rd edition / ISO 15948).</summary>
internal static class PngConstants
{
    /// <summary>File signature, 8 bytes: 89 50 4E 47 0D 0A 1A 0A ("\x89PNG\r\n\x1A\n").</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Chunk: length u32 BE (data bytes only, ≤ 2^31-1) | type 4 ASCII letters | data | CRC-32 u32 BE
    /// computed over type and data. So a chunk is 12 bytes plus its data.
    /// </summary>
    public const int ChunkOverhead = 12;

    public const uint MaxChunkLength = int.MaxValue;

    /// <summary>
    /// IHDR data, 13 bytes: width u32 BE | height u32 BE | bit depth u8 | colour type u8 |
    /// compression method u8 (0 = deflate) | filter method u8 (0) | interlace method u8 (0 none, 1 Adam7).
    /// </summary>
    public const int IhdrLength = 13;

    /// <summary>Width and height are 1 .. 2^31-1.</summary>
    public const uint MaxDimension = int.MaxValue;

    // Chunk types as big-endian u32 of their 4 ASCII bytes.
    public const uint IHDR = 0x49484452; // "IHDR"
    public const uint PLTE = 0x504C5445; // "PLTE"
    public const uint IDAT = 0x49444154; // "IDAT"
    public const uint IEND = 0x49454E44; // "IEND"
    public const uint tRNS = 0x74524E53; // "tRNS"

    /// <summary>Bit 5 of a chunk type's first byte: 0 (uppercase) = critical, 1 (lowercase) = ancillary.</summary>
    public const uint AncillaryBit = 0x20000000;

    /// <summary>Largest IDAT chunk the encoder writes.</summary>
    public const int EncoderIdatChunkSize = 1 << 16;

    public static string TypeName(uint type) => string.Create(4, type, static (span, t) =>
    {
        for (int i = 0; i < 4; i++)
        {
            byte b = (byte)(t >> (24 - (8 * i)));
            span[i] = b is >= 0x20 and < 0x7F ? (char)b : '?';
        }
    });

    public static bool IsValidType(uint type)
    {
        for (int i = 0; i < 4; i++)
        {
            byte b = (byte)(type >> (24 - (8 * i)));
            if (b is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Adam7 pass geometry: pixel (xStart + i*xStep, yStart + j*yStep) of pass p.</summary>
internal static class Adam7
{
    public static ReadOnlySpan<byte> XStart => [0, 4, 0, 2, 0, 1, 0];
    public static ReadOnlySpan<byte> YStart => [0, 0, 4, 0, 2, 0, 1];
    public static ReadOnlySpan<byte> XStep => [8, 8, 4, 4, 2, 2, 1];
    public static ReadOnlySpan<byte> YStep => [8, 8, 8, 4, 4, 2, 2];

    public static int PassWidth(int pass, int width) =>
        width <= XStart[pass] ? 0 : (int)(((long)width - XStart[pass] + XStep[pass] - 1) / XStep[pass]);

    public static int PassHeight(int pass, int height) =>
        height <= YStart[pass] ? 0 : (int)(((long)height - YStart[pass] + YStep[pass] - 1) / YStep[pass]);
}
