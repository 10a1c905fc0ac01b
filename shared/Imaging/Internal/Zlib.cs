using System.Buffers.Binary;
using System.IO.Compression;

namespace SecureTransmit.Imaging.Internal;

/// <summary>
/// zlib (RFC 1950) around <see cref="ZLibStream"/>. Layout: CMF u8 | FLG u8 | deflate data | Adler-32 u32 BE
/// of the uncompressed data.
/// </summary>
/// <remarks>
/// ZLibStream verifies the Adler-32 trailer when it is present but returns a short result without any
/// error when the stream is cut off (trailer missing or deflate data truncated). So
/// <see cref="Inflate"/> checks the output length itself and compares the last four input bytes with
/// its own Adler-32 of the output: the zlib stream must fill the input exactly.
/// </remarks>
internal static class Zlib
{
    private const int TrailerLength = 4;

    /// <summary>
    /// Inflates <paramref name="compressed"/>, which must produce exactly <paramref name="expected"/>
    /// bytes. Never inflates more than expected + 1 bytes (a decompression bomb stops there), and grows
    /// its buffer with the output, so a short stream cannot force a large allocation.
    /// </summary>
    public static byte[] Inflate(byte[] compressed, long expected, string formatName)
    {
        if (compressed.Length < 2 + TrailerLength)
        {
            throw new ImageFormatException($"{formatName}: zlib stream too short ({compressed.Length} bytes)");
        }

        // Start with room for a generous compression ratio, then double: proportional to real output.
        long initial = Math.Min(expected, Math.Max(1L << 16, compressed.Length * 8L));
        var output = new byte[initial];
        int filled = 0;
        try
        {
            using var input = new MemoryStream(compressed, writable: false);
            using var z = new ZLibStream(input, CompressionMode.Decompress);
            while (true)
            {
                if (filled == output.Length)
                {
                    if (filled == expected)
                    {
                        // Read on to the end, so that ZLibStream reaches and checks the trailer.
                        Span<byte> probe = stackalloc byte[1];
                        if (z.Read(probe) != 0)
                        {
                            throw new ImageFormatException($"{formatName}: compressed image data inflates to more than the {expected} bytes the header implies");
                        }

                        break;
                    }

                    Array.Resize(ref output, (int)Math.Min(expected, output.Length * 2L));
                }

                int n = z.Read(output, filled, output.Length - filled);
                if (n == 0)
                {
                    break;
                }

                filled += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException($"{formatName}: corrupt zlib data (bad header, deflate block or Adler-32)", e);
        }

        if (filled != expected)
        {
            throw new ImageFormatException($"{formatName}: image data is truncated (inflated {filled} of {expected} bytes)");
        }

        uint stored = BinaryPrimitives.ReadUInt32BigEndian(compressed.AsSpan(compressed.Length - TrailerLength));
        if (Adler32.Compute(output) != stored)
        {
            throw new ImageFormatException($"{formatName}: zlib Adler-32 mismatch or data after the end of the zlib stream");
        }

        return output;
    }

    /// <summary>zlib-compresses <paramref name="data"/> at <paramref name="level"/> (0..9).</summary>
    public static byte[] Deflate(ReadOnlySpan<byte> data, int level)
    {
        var output = new MemoryStream(data.Length / 2 + 64);
        using (var z = new ZLibStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
        {
            z.Write(data);
        }

        return output.ToArray();
    }
}
