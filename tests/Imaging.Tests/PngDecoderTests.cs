using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using SecureTransmit.Imaging.Internal;

namespace SecureTransmit.Imaging.Tests;

public class PngDecoderTests
{
    // 2x2 gray 8-bit, filter None: rows [10, 20] and [30, 40].
    private static readonly byte[] Gray2x2Raw = [0, 10, 20, 0, 30, 40];

    private static ImageFormatException Rejects(byte[] png, PngDecoderOptions? options = null)
    {
        var e = Assert.Throws<ImageFormatException>(() => PngDecoder.Decode(png, options));
        Assert.StartsWith("PNG: ", e.Message);
        Assert.Throws<ImageFormatException>(() => PngDecoder.DecodeRaw(png, options));
        return e;
    }

    private static PngBuilder Gray2x2() => new PngBuilder().Header(2, 2, 8, 0);

    [Fact]
    public void Crc32_and_Adler32_match_their_standard_check_values()
    {
        // CRC-32/ISO-HDLC check value of "123456789" is 0xCBF43926; Adler-32 of "Wikipedia" is 0x11E60398.
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0x11E60398u, Adler32.Compute("Wikipedia"u8));
        // Long input crosses the 8-byte fast path and the 5552-byte reduction block.
        var data = new byte[100_003];
        new Random(5).NextBytes(data);
        Assert.Equal(SlowCrc(data), Crc32.Compute(data));
        Assert.Equal(SlowAdler(data), Adler32.Compute(data));
    }

    private static uint SlowCrc(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    private static uint SlowAdler(byte[] data)
    {
        uint a = 1, b = 0;
        foreach (byte x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }

        return (b << 16) | a;
    }

    [Fact]
    public void Hand_built_gray_image_decodes()
    {
        Image image = PngDecoder.Decode(Gray2x2().Idat(Gray2x2Raw).End().Build());
        Assert.Equal((2, 2, 1), (image.Width, image.Height, image.Channels));
        Assert.Equal(new byte[] { 10, 20, 30, 40 }, image.Pixels);
    }

    [Fact]
    public void Each_filter_type_is_undone()
    {
        // One RGB 3x2 image, both rows written with each filter; raw values chosen by hand:
        // row0 = (10,20,30)(40,50,60)(70,80,90), row1 = (15,25,35)(45,55,65)(75,85,95).
        byte[] row0 = [10, 20, 30, 40, 50, 60, 70, 80, 90];
        byte[] row1 = [15, 25, 35, 45, 55, 65, 75, 85, 95];
        var expected = row0.Concat(row1).ToArray();
        // Filtered rows computed by hand from the PNG definitions (bpp = 3).
        var cases = new Dictionary<int, (byte[] F0, byte[] F1)>
        {
            [1] = ([10, 20, 30, 30, 30, 30, 30, 30, 30], [15, 25, 35, 30, 30, 30, 30, 30, 30]),
            [2] = ([10, 20, 30, 40, 50, 60, 70, 80, 90], [5, 5, 5, 5, 5, 5, 5, 5, 5]),
            // Average: row0 x - floor(a/2); row1 x - floor((a+b)/2), e.g. 45 - floor((15+40)/2) = 18.
            [3] = ([10, 20, 30, 35, 40, 45, 50, 55, 60], [10, 15, 20, 18, 18, 18, 18, 18, 18]),
            // Paeth row0: predictor = a. Row1, first pixel: a = c = 0, predictor b. Later, e.g. x=45:
            // a=15, b=40, c=10 -> p=45, pa=30, pb=5, pc=35 -> predictor b=40 -> 5.
            [4] = ([10, 20, 30, 30, 30, 30, 30, 30, 30], [5, 5, 5, 5, 5, 5, 5, 5, 5]),
        };
        foreach ((int filter, (byte[] f0, byte[] f1)) in cases)
        {
            byte[] raw = [(byte)filter, .. f0, (byte)filter, .. f1];
            Image image = PngDecoder.Decode(new PngBuilder().Header(3, 2, 8, 2).Idat(raw).End().Build());
            Assert.Equal(expected, image.Pixels);
        }
    }

    [Fact]
    public void Palette_with_tRNS_and_sub_byte_indices()
    {
        // 5x1, 2-bit palette indices 0,1,2,3,1 packed MSB first: 00 01 10 11 | 01 000000
        byte[] raw = [0, 0b0001_1011, 0b0100_0000];
        byte[] png = new PngBuilder().Header(5, 1, 2, 3)
            .Chunk("PLTE", [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9])
            .Chunk("tRNS", [128, 0])          // entries 0 and 1; 2 and 3 stay opaque
            .Idat(raw).End().Build();
        Image image = PngDecoder.Decode(png);
        Assert.Equal(4, image.Channels);
        Assert.Equal(new byte[]
        {
            255, 0, 0, 128, 0, 255, 0, 0, 0, 0, 255, 255, 9, 9, 9, 255, 0, 255, 0, 0,
        }, image.Pixels);
        PngRawImage rawImage = PngDecoder.DecodeRaw(png);
        Assert.Equal(new ushort[] { 255, 0, 0, 128 }, rawImage.Rgba[..4]);
    }

    [Fact]
    public void Sixteen_bit_gray_colour_key_compares_full_samples_and_rounds()
    {
        // 3x1 gray 16-bit: 0x1234, 0x1235 (the key), 0xFFFF. round(0x1234 / 257) = round(18.13) = 18.
        byte[] raw = [0, 0x12, 0x34, 0x12, 0x35, 0xFF, 0xFF];
        byte[] png = new PngBuilder().Header(3, 1, 16, 0).Chunk("tRNS", [0x12, 0x35]).Idat(raw).End().Build();
        Image image = PngDecoder.Decode(png);
        Assert.Equal(new byte[] { 18, 255, 18, 0, 255, 255 }, image.Pixels);
        Assert.Equal(new ushort[] { 0x1234, 0x1234, 0x1234, 65535, 0x1235, 0x1235, 0x1235, 0, 65535, 65535, 65535, 65535 },
            PngDecoder.DecodeRaw(png).Rgba);
    }

    [Fact]
    public void Unknown_ancillary_chunks_are_skipped_and_IDAT_may_be_split()
    {
        byte[] z = PngBuilder.Zlib(Gray2x2Raw);
        byte[] png = Gray2x2().Chunk("teXt", "comment"u8.ToArray()).Chunk("IDAT", z[..3]).Chunk("IDAT", [])
            .Chunk("IDAT", z[3..]).Chunk("zzZz", [1, 2, 3]).End().Build();
        Assert.Equal(new byte[] { 10, 20, 30, 40 }, PngDecoder.Decode(png).Pixels);
    }

    public static TheoryData<string, byte[]> MalformedFiles()
    {
        byte[] z = PngBuilder.Zlib(Gray2x2Raw);
        byte[] good = Gray2x2().Chunk("IDAT", z).End().Build();
        var data = new TheoryData<string, byte[]>
        {
            { "bad signature", [.. good.Take(7), 0x0B, .. good.Skip(8)] },
            { "CRC mismatch in chunk IDAT", Gray2x2().Chunk("IDAT", z, badCrc: true).End().Build() },
            { "CRC mismatch in chunk IEND", Gray2x2().Chunk("IDAT", z).Chunk("IEND", [], badCrc: true).Build() },
            { "first chunk is gAMA, expected IHDR", new PngBuilder().Chunk("gAMA", [0, 0, 0, 1]).Header(2, 2, 8, 0).Chunk("IDAT", z).End().Build() },
            { "duplicate IHDR", Gray2x2().Header(2, 2, 8, 0).Chunk("IDAT", z).End().Build() },
            { "no IDAT chunk", Gray2x2().End().Build() },
            { "missing IEND chunk", Gray2x2().Chunk("IDAT", z).Build() },
            { "IEND chunk has 1 data bytes", Gray2x2().Chunk("IDAT", z).Chunk("IEND", [0]).Build() },
            { "IDAT chunks are not consecutive", Gray2x2().Chunk("IDAT", z[..4]).Chunk("tEXt", "a\0b"u8.ToArray()).Chunk("IDAT", z[4..]).End().Build() },
            { "unknown critical chunk QQQQ", Gray2x2().Chunk("QQQQ", []).Chunk("IDAT", z).End().Build() },
            { "invalid chunk type bytes", Gray2x2().Chunk("ab1d", []).Chunk("IDAT", z).End().Build() },
            { "PLTE chunk in a grayscale image", Gray2x2().Chunk("PLTE", [1, 2, 3]).Chunk("IDAT", z).End().Build() },
            { "palette image has no PLTE", new PngBuilder().Header(2, 2, 8, 3).Chunk("IDAT", z).End().Build() },
            { "PLTE chunk after IDAT", new PngBuilder().Header(1, 1, 8, 2).Idat([0, 1, 2, 3]).Chunk("PLTE", [1, 2, 3]).End().Build() },
            { "PLTE chunk has 4 bytes", new PngBuilder().Header(1, 1, 8, 3).Chunk("PLTE", [1, 2, 3, 4]).Idat([0, 0]).End().Build() },
            { "PLTE has 3 entries, more than bit depth 1", new PngBuilder().Header(1, 1, 1, 3).Chunk("PLTE", new byte[9]).Idat([0, 0]).End().Build() },
            { "tRNS chunk before PLTE", new PngBuilder().Header(1, 1, 8, 3).Chunk("tRNS", [0]).Chunk("PLTE", [1, 2, 3]).Idat([0, 0]).End().Build() },
            { "tRNS chunk after IDAT", Gray2x2().Chunk("IDAT", z).Chunk("tRNS", [0, 1]).End().Build() },
            { "tRNS chunk for a grayscale image has 3 bytes", Gray2x2().Chunk("tRNS", [0, 1, 2]).Chunk("IDAT", z).End().Build() },
            { "tRNS has 2 entries, more than the 1 palette entries", new PngBuilder().Header(1, 1, 8, 3).Chunk("PLTE", [1, 2, 3]).Chunk("tRNS", [0, 0]).Idat([0, 0]).End().Build() },
            { "palette index 1 is out of range", new PngBuilder().Header(1, 1, 8, 3).Chunk("PLTE", [1, 2, 3]).Idat([0, 1]).End().Build() },
            { "invalid filter type 5", Gray2x2().Idat([5, 10, 20, 0, 30, 40]).End().Build() },
            { "IHDR chunk has 12 data bytes", new PngBuilder().Chunk("IHDR", PngBuilder.Ihdr(2, 2, 8, 0)[..12]).Chunk("IDAT", z).End().Build() },
            { "invalid image size 0x2", new PngBuilder().Header(0, 2, 8, 0).Chunk("IDAT", z).End().Build() },
            { "invalid image size 2147483648x1", new PngBuilder().Header(0x80000000, 1, 8, 0).Chunk("IDAT", z).End().Build() },
            { "unknown interlace method 2", new PngBuilder().Header(2, 2, 8, 0, interlace: 2).Chunk("IDAT", z).End().Build() },
            { "image data is truncated", Gray2x2().Idat(Gray2x2Raw[..4]).End().Build() },
            { "inflates to more than the 6 bytes", Gray2x2().Idat([.. Gray2x2Raw, 0]).End().Build() },
            // The zlib trailer cut off: ZLibStream alone would accept this.
            { "Adler-32 mismatch", Gray2x2().Chunk("IDAT", z[..^4]).End().Build() },
            { "Adler-32 mismatch or data after the end", Gray2x2().Chunk("IDAT", [.. z, 0, 0, 0, 0]).End().Build() },
            { "corrupt zlib data", Gray2x2().Chunk("IDAT", [.. z[..^1], (byte)(z[^1] ^ 1)]).End().Build() },
            { "corrupt zlib data", Gray2x2().Chunk("IDAT", [0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]).End().Build() },
        };

        // A chunk whose length field is over 2^31-1.
        byte[] huge = Gray2x2().Chunk("IDAT", z).End().Build();
        BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(33), 0x80000000);
        data.Add("chunk IDAT length 2147483648 exceeds", huge);
        // A chunk whose length runs past the end of the file.
        byte[] longer = Gray2x2().Chunk("IDAT", z).End().Build();
        BinaryPrimitives.WriteUInt32BigEndian(longer.AsSpan(33), 1000);
        data.Add("chunk IDAT is truncated", longer);
        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Malformed_file_is_rejected_with_a_specific_message(string expected, byte[] png)
    {
        ImageFormatException e = Rejects(png);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Zlib_bomb_stops_at_the_size_IHDR_implies()
    {
        // 64 MiB of zeros compress to ~64 KiB, declared as a 1x1 image (2 inflated bytes).
        byte[] z = PngBuilder.Zlib(new byte[64 << 20], CompressionLevel.SmallestSize);
        byte[] png = new PngBuilder().Header(1, 1, 8, 0).Chunk("IDAT", z).End().Build();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        ImageFormatException e = Assert.Throws<ImageFormatException>(() => PngDecoder.Decode(png));
        Assert.Contains("inflates to more than the 2 bytes", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "allocated as if inflating the bomb");
    }

    [Fact]
    public void Huge_dimensions_fail_before_allocating()
    {
        byte[] z = PngBuilder.Zlib(Gray2x2Raw);
        byte[] png = new PngBuilder().Header(60000, 60000, 8, 6).Chunk("IDAT", z).End().Build();
        long before = GC.GetAllocatedBytesForCurrentThread();
        ImageFormatException e = Rejects(png);
        Assert.Contains("over the limit of 268435456 (MaxPixels)", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void Large_dimensions_within_limits_with_little_data_allocate_proportionally()
    {
        // 16000x16000 RGBA would need ~1 GB; the IDAT holds a few bytes, so decoding must fail cheaply.
        byte[] z = PngBuilder.Zlib(new byte[1000]);
        byte[] png = new PngBuilder().Header(16000, 16000, 8, 6).Chunk("IDAT", z).End().Build();
        long before = GC.GetAllocatedBytesForCurrentThread();
        ImageFormatException e = Assert.Throws<ImageFormatException>(() => PngDecoder.Decode(png));
        Assert.Contains("truncated", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20);
    }

    [Fact]
    public void Options_limits_are_applied_and_validated()
    {
        byte[] png = Gray2x2().Idat(Gray2x2Raw).End().Build();
        Assert.Contains("(MaxPixels)", Rejects(png, new PngDecoderOptions { MaxPixels = 3 }).Message);
        Assert.Contains("(MaxDecompressedBytes)", Rejects(png, new PngDecoderOptions { MaxDecompressedBytes = 5 }).Message);
        Assert.Equal(4, PngDecoder.Decode(png, new PngDecoderOptions { MaxPixels = 4, MaxDecompressedBytes = 6 }).Pixels.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PngDecoderOptions { MaxPixels = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PngDecoderOptions { MaxDecompressedBytes = -1 });
        Assert.Equal(1L << 28, new PngDecoderOptions().MaxPixels);
        Assert.Equal(1L << 30, new PngDecoderOptions().MaxDecompressedBytes);
        // ImageIO forwards the limits.
        Assert.Throws<ImageFormatException>(() => ImageIO.Decode(png, new ImageDecoderOptions { MaxPixels = 3 }));
    }

    [Fact]
    public void Data_after_IEND_is_ignored()
    {
        byte[] png = [.. Gray2x2().Idat(Gray2x2Raw).End().Build(), .. Encoding.ASCII.GetBytes("trailing")];
        Assert.Equal(new byte[] { 10, 20, 30, 40 }, PngDecoder.Decode(png).Pixels);
    }
}
