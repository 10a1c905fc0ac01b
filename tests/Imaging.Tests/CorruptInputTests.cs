using FsCheck;
using FsCheck.Fluent;

namespace SecureTransmit.Imaging.Tests;

/// <summary>
/// Damaged and arbitrary input: every decoder either succeeds or throws <see cref="ImageFormatException"/>
/// raised by one of its own checks (never another exception, never the catch-all, never a hang).
/// </summary>
public class CorruptInputTests
{
    public static TheoryData<string> PngFixtures() =>
        ["basn0g01.png", "basi3p02.png", "basn3p04.png", "f99n0g04.png", "tbrn2c08.png", "basi6a16.png", "oi9n2c16.png"];

    public static TheoryData<string, string> OtherFixtures() => new()
    {
        { "tiff", "rgb8_be_data_first.tif" },
        { "tiff", "gray8_be_short_strips.tif" },
        { "tiff", "rgba8_le.tif" },
        { "tiff", "gray16_le.tif" },
        { "pnm", "p2_comments.pgm" },
        { "pnm", "p3_maxval15.ppm" },
        { "pnm", "p6_maxval1000.ppm" },
        { "pnm", "p5_maxval255.pgm" },
    };

    [Theory]
    [MemberData(nameof(PngFixtures))]
    public Task Every_proper_prefix_of_a_png_is_rejected(string file) => TestData.RunWithTimeout(() =>
    {
        byte[] data = TestData.ReadFixture("pngsuite", file);
        for (int n = 0; n < data.Length; n++)
        {
            byte[] prefix = data[..n];
            var e = Assert.Throws<ImageFormatException>(() => PngDecoder.Decode(prefix));
            Assert.True(e.InnerException is null, $"prefix {n}: {e.Message}");
            Assert.Throws<ImageFormatException>(() => PngDecoder.DecodeRaw(prefix));
        }
    });

    [Theory]
    [MemberData(nameof(OtherFixtures))]
    public Task Every_prefix_of_a_tiff_or_pnm_is_rejected_or_complete(string folder, string file) => TestData.RunWithTimeout(() =>
    {
        byte[] data = TestData.ReadFixture(folder, file);
        Image full = ImageIO.Decode(data);
        int accepted = 0;
        for (int n = 0; n < data.Length; n++)
        {
            byte[] prefix = data[..n];
            try
            {
                Image partial = ImageIO.Decode(prefix);
                // Only a prefix that still holds every sample may decode (e.g. a plain PNM without its last
                // newline). Plain PNM cannot tell a cut inside the last number from a shorter number, so
                // there the last sample alone may differ.
                bool plain = data[1] is (byte)'2' or (byte)'3';
                int last = full.Pixels.Length - 1;
                Assert.True(full.PixelEquals(partial) || (plain && full.Pixels.AsSpan(0, last).SequenceEqual(partial.Pixels.AsSpan(0, last))),
                    $"prefix {n} decoded to different pixels");
                accepted++;
            }
            catch (ImageFormatException e)
            {
                Assert.True(e.InnerException is null, $"prefix {n}: {e.Message}");
            }
        }

        Assert.True(accepted <= 3, $"{accepted} proper prefixes decoded");
    });

    [Theory]
    [MemberData(nameof(PngFixtures))]
    public Task Random_byte_changes_in_a_png_only_raise_format_errors(string file) => TestData.RunWithTimeout(() =>
    {
        byte[] original = TestData.ReadFixture("pngsuite", file);
        var random = new Random(file.GetHashCode(StringComparison.Ordinal) ^ 0x5EED);
        for (int iteration = 0; iteration < 400; iteration++)
        {
            byte[] data = Mutate(original, random);
            // Half the time repair the CRCs, so that the damage reaches IHDR checks, zlib and unfiltering.
            if (iteration % 2 == 1)
            {
                PngBuilder.FixCrcs(data);
            }

            TestData.DecodeMustSucceedOrReject(() => PngDecoder.Decode(data), $"{file} mutation {iteration}");
            TestData.DecodeMustSucceedOrReject(() => { PngDecoder.DecodeRaw(data); return null!; }, $"{file} raw mutation {iteration}");
        }
    });

    [Theory]
    [MemberData(nameof(OtherFixtures))]
    public Task Random_byte_changes_in_tiff_or_pnm_only_raise_format_errors(string folder, string file) => TestData.RunWithTimeout(() =>
    {
        byte[] original = TestData.ReadFixture(folder, file);
        var random = new Random(file.Length * 7919);
        for (int iteration = 0; iteration < 500; iteration++)
        {
            byte[] data = Mutate(original, random);
            TestData.DecodeMustSucceedOrReject(() => ImageIO.Decode(data), $"{file} mutation {iteration}");
        }
    });

    [Fact]
    public Task Arbitrary_bytes_raise_only_format_errors_in_every_decoder() => TestData.RunWithTimeout(() =>
    {
        Arbitrary<byte[]> bytes = ArbMap.Default.ArbFor<byte[]>();
        Config config = Config.QuickThrowOnFailure.WithMaxTest(500);
        Check.One(config, Prop.ForAll(bytes, data => Survives(data)));

        // Valid magic followed by arbitrary bytes gets past the first check of each decoder.
        byte[] pngHeader = [.. PngBuilder.Signature, .. new PngBuilder().Header(3, 2, 8, 2).Build()[8..]];
        foreach (byte[] magic in new[] { pngHeader, PngBuilder.Signature, "II*\0\x08\0\0\0"u8.ToArray(), "MM\0*\0\0\0\x08"u8.ToArray(), "P6 3 2 255\n"u8.ToArray(), "P2\n"u8.ToArray(),
                 new byte[] { 0xFF, 0xD8, 0xFF }, "GIF89a"u8.ToArray(), "RIFF\0\0\0\0WEBPVP8 "u8.ToArray(), "BM\0\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0"u8.ToArray() })
        {
            Check.One(config, Prop.ForAll(bytes, tail => Survives([.. magic, .. tail])));
        }
    }, seconds: 60);

    /// <summary>True unless a decoder throws something other than a well-formed <see cref="ImageFormatException"/>.</summary>
    private static bool Survives(byte[] data)
    {
        Func<object>[] decoders =
        [
            () => PngDecoder.Decode(data),
            () => PngDecoder.DecodeRaw(data),
            () => TiffDecoder.Decode(data),
            () => PnmDecoder.Decode(data),
            () => ImageIO.Decode(data),
        ];
        foreach (Func<object> decode in decoders)
        {
            try
            {
                decode();
            }
            catch (ImageFormatException e) when (e.InnerException is null or InvalidDataException && !e.Message.Contains('\n'))
            {
            }
        }

        return true;
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        byte[] data = (byte[])original.Clone();
        int changes = random.Next(1, 5);
        for (int i = 0; i < changes; i++)
        {
            int at = random.Next(data.Length);
            data[at] = random.Next(3) switch
            {
                0 => (byte)(data[at] ^ (1 << random.Next(8))),
                1 => (byte)random.Next(256),
                _ => random.Next(2) == 0 ? (byte)0 : (byte)255,
            };
        }

        return data;
    }
}
