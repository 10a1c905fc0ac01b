using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SecureTransmit.Imaging.Internal;

namespace SecureTransmit.Imaging.Tests;

/// <summary>Builds PNG files chunk by chunk for the decoder tests (CRC via the library's Crc32, itself checked against the standard check value).</summary>
internal sealed class PngBuilder
{
    private readonly List<(string Type, byte[] Data, bool BadCrc)> _chunks = [];

    public static byte[] Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Ihdr(uint width, uint height, byte depth, byte colorType, byte interlace = 0)
    {
        var d = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(d, width);
        BinaryPrimitives.WriteUInt32BigEndian(d.AsSpan(4), height);
        d[8] = depth;
        d[9] = colorType;
        d[12] = interlace;
        return d;
    }

    public static byte[] Zlib(byte[] raw, CompressionLevel level = CompressionLevel.Optimal)
    {
        var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, level, leaveOpen: true))
        {
            z.Write(raw);
        }

        return ms.ToArray();
    }

    public PngBuilder Chunk(string type, byte[] data, bool badCrc = false)
    {
        _chunks.Add((type, data, badCrc));
        return this;
    }

    public PngBuilder Header(uint width, uint height, byte depth, byte colorType, byte interlace = 0) =>
        Chunk("IHDR", Ihdr(width, height, depth, colorType, interlace));

    public PngBuilder Idat(byte[] rawScanlines) => Chunk("IDAT", Zlib(rawScanlines));

    public PngBuilder End() => Chunk("IEND", []);

    public byte[] Build()
    {
        var ms = new MemoryStream();
        ms.Write(Signature);
        Span<byte> word = stackalloc byte[4];
        foreach ((string type, byte[] data, bool badCrc) in _chunks)
        {
            BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
            ms.Write(word);
            byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
            ms.Write(typeAndData);
            uint crc = Crc32.Compute(typeAndData) ^ (badCrc ? 1u : 0u);
            BinaryPrimitives.WriteUInt32BigEndian(word, crc);
            ms.Write(word);
        }

        return ms.ToArray();
    }

    /// <summary>Recomputes the CRC of every chunk of a (possibly mutated) PNG in place, as far as its length fields allow.</summary>
    public static void FixCrcs(byte[] png)
    {
        int pos = 8;
        while (pos + 12 <= png.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (length > png.Length - pos - 12)
            {
                return;
            }

            uint crc = Crc32.Compute(png.AsSpan(pos + 4, 4 + (int)length));
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(pos + 8 + (int)length), crc);
            pos += 12 + (int)length;
        }
    }

    /// <summary>(type, data offset, data length) of each chunk of a well-formed PNG.</summary>
    public static List<(string Type, int Offset, int Length)> Chunks(byte[] png)
    {
        var list = new List<(string, int, int)>();
        for (int pos = 8; pos + 12 <= png.Length;)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            list.Add((Encoding.ASCII.GetString(png, pos + 4, 4), pos + 8, length));
            pos += 12 + length;
        }

        return list;
    }

    /// <summary>The inflated IDAT stream of a well-formed PNG (test-side, with ZLibStream).</summary>
    public static byte[] InflateIdat(byte[] png)
    {
        var idat = new MemoryStream();
        foreach ((string type, int offset, int length) in Chunks(png))
        {
            if (type == "IDAT")
            {
                idat.Write(png, offset, length);
            }
        }

        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        var result = new MemoryStream();
        z.CopyTo(result);
        return result.ToArray();
    }
}
