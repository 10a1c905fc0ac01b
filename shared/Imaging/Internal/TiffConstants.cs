namespace SecureTransmit.Imaging.Internal;

/// <summary>Baseline TIFF 6.0 byte layout.</summary>
internal static class TiffConstants
{
    /// <summary>
    /// Header, 8 bytes: byte order "II" (49 49, little-endian) or "MM" (4D 4D, big-endian) |
    /// magic u16 = 42 | offset u32 of the first IFD. Every later multi-byte value uses that byte order.
    /// </summary>
    public const int HeaderLength = 8;

    public const ushort Magic = 42;

    /// <summary>
    /// IFD: entry count u16 | entries, 12 bytes each | offset u32 of the next IFD (0 = none).
    /// Entry: tag u16 | field type u16 | value count u32 | value, or offset of the values when they
    /// take more than 4 bytes (values left-justified in the 4 bytes when they fit).
    /// </summary>
    public const int EntryLength = 12;

    // Field types and their sizes in bytes.
    public const ushort TypeByte = 1;      // u8
    public const ushort TypeAscii = 2;     // u8
    public const ushort TypeShort = 3;     // u16
    public const ushort TypeLong = 4;      // u32
    public const ushort TypeRational = 5;  // u32 numerator, u32 denominator

    public static int TypeSize(ushort type) => type switch
    {
        1 or 2 or 6 or 7 => 1,   // BYTE, ASCII, SBYTE, UNDEFINED
        3 or 8 => 2,             // SHORT, SSHORT
        4 or 9 or 11 or 13 => 4, // LONG, SLONG, FLOAT, IFD
        5 or 10 or 12 => 8,      // RATIONAL, SRATIONAL, DOUBLE
        16 or 17 or 18 => 8,     // LONG8, SLONG8, IFD8 (BigTIFF)
        _ => 0,
    };

    // Tags (baseline, plus ExtraSamples and the tiling tags we reject).
    public const ushort ImageWidth = 256;
    public const ushort ImageLength = 257;
    public const ushort BitsPerSample = 258;
    public const ushort Compression = 259;          // 1 = none
    public const ushort PhotometricInterpretation = 262; // 0 WhiteIsZero, 1 BlackIsZero, 2 RGB, 3 palette
    public const ushort StripOffsets = 273;
    public const ushort SamplesPerPixel = 277;
    public const ushort RowsPerStrip = 278;
    public const ushort StripByteCounts = 279;
    public const ushort XResolution = 282;
    public const ushort YResolution = 283;
    public const ushort PlanarConfiguration = 284;  // 1 = chunky (interleaved), 2 = planar
    public const ushort ResolutionUnit = 296;       // 2 = inch
    public const ushort TileWidth = 322;
    public const ushort ExtraSamples = 338;         // 0 unspecified, 1 associated alpha, 2 unassociated alpha
}
