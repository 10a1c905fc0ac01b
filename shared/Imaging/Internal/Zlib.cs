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

    /// <summary>Input below which <see cref="Deflate"/> stays on one thread.</summary>
    internal const int ParallelThreshold = 256 * 1024;

    /// <summary>
    /// zlib-compresses <paramref name="data"/> at <paramref name="level"/> (0..9). Input of
    /// <see cref="ParallelThreshold"/> bytes or more is split into one segment per core, compressed at once: each
    /// segment is raw deflate data ending on a byte boundary with a sync flush (an empty stored block, not final),
    /// the last one ends with the final block, and their concatenation is one valid deflate stream (RFC 1951) between
    /// the zlib header and the Adler-32 of the whole input. Matches cannot reach back across a segment boundary,
    /// which costs well under 1% of size on images.
    /// </summary>
    public static byte[] Deflate(byte[] data, int level, int? segments = null)
    {
        if (data.Length == 0)
        {
            // ZLibStream writes nothing when given nothing: header, one empty final fixed-Huffman block, Adler-32 = 1.
            return [0x78, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];
        }

        int parts = Math.Min(data.Length, segments ?? (data.Length < ParallelThreshold ? 1 : Math.Min(Environment.ProcessorCount, data.Length / (ParallelThreshold / 2))));
        if (parts <= 1)
        {
            var output = new MemoryStream(data.Length / 2 + 64);
            using (var z = new ZLibStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
            {
                z.Write(data);
            }

            return output.ToArray();
        }

        byte[] input = data;
        var pieces = new byte[parts][];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, i =>
        {
            int start = (int)((long)input.Length * i / parts), end = (int)((long)input.Length * (i + 1) / parts);
            pieces[i] = RawDeflate(input.AsSpan(start, end - start), level, final: i == parts - 1);
        });

        var result = new byte[2 + pieces.Sum(p => p.Length) + TrailerLength];
        result[0] = 0x78; // CMF: deflate, 32 KiB window
        result[1] = level switch { <= 1 => 0x01, <= 5 => 0x5E, 6 => 0x9C, _ => 0xDA }; // FLG: FLEVEL, FCHECK (CMF·256+FLG ≡ 0 mod 31)
        int at = 2;
        foreach (var piece in pieces)
        {
            piece.CopyTo(result, at);
            at += piece.Length;
        }

        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(at), Adler32.Compute(input));
        return result;
    }

    /// <summary>Raw deflate of one segment: with the final block when <paramref name="final"/>, else cut at a sync flush.</summary>
    private static byte[] RawDeflate(ReadOnlySpan<byte> segment, int level, bool final)
    {
        var output = new MemoryStream(segment.Length / 2 + 64);
        long flushedAt;
        using (var d = new DeflateStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
        {
            d.Write(segment);
            d.Flush(); // Z_SYNC_FLUSH: everything so far, byte-aligned, no final bit
            flushedAt = output.Length;
        } // disposing appends the final (empty) block

        return final ? output.ToArray() : output.GetBuffer().AsSpan(0, (int)flushedAt).ToArray();
    }
}
