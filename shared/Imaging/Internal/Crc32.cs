using System.Buffers.Binary;

namespace SecureTransmit.Imaging.Internal;

/// <summary>
/// CRC-32 as PNG (ISO 3309 / ITU-T V.42) defines it: reflected polynomial 0xEDB88320, initial value
/// 0xFFFFFFFF, final XOR 0xFFFFFFFF. Table-driven, eight bytes per step ("slicing-by-8").
/// </summary>
internal static class Crc32
{
    private const uint Polynomial = 0xEDB88320u;

    // Tables[k][b] = CRC contribution of byte b followed by k zero bytes.
    private static readonly uint[] Tables = BuildTables();

    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Update(Start, data));

    public const uint Start = 0xFFFFFFFFu;

    public static uint Finish(uint state) => state ^ 0xFFFFFFFFu;

    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] t = Tables;
        while (data.Length >= 8)
        {
            uint lo = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            uint hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[(7 * 256) + (lo & 0xFF)] ^ t[(6 * 256) + ((lo >> 8) & 0xFF)]
                ^ t[(5 * 256) + ((lo >> 16) & 0xFF)] ^ t[(4 * 256) + (lo >> 24)]
                ^ t[(3 * 256) + (hi & 0xFF)] ^ t[(2 * 256) + ((hi >> 8) & 0xFF)]
                ^ t[256 + ((hi >> 16) & 0xFF)] ^ t[hi >> 24];
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTables()
    {
        var t = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            }

            t[n] = c;
        }

        for (int k = 1; k < 8; k++)
        {
            for (int n = 0; n < 256; n++)
            {
                uint prev = t[((k - 1) * 256) + n];
                t[(k * 256) + n] = t[prev & 0xFF] ^ (prev >> 8);
            }
        }

        return t;
    }
}
