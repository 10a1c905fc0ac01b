namespace SecureTransmit.Imaging.Tests;

/// <summary>
/// PngSuite conformance. Expected pixels come from the suite's reference JSON (not from this decoder),
/// reduced to digests by Fixtures/make_pngsuite_refs.py into Fixtures/pngsuite/pngsuite-refs.tsv.
/// </summary>
public class PngSuiteTests
{
    private sealed record Ref(string File, string Expected, int Width, int Height, int BitDepth, string Sha16, string Sha8);

    private static readonly Lazy<List<Ref>> Refs = new(() =>
        File.ReadAllLines(TestData.Fixture("pngsuite", "pngsuite-refs.tsv"))
            .Skip(1)
            .Where(l => l.Length > 0)
            .Select(l => l.Split('\t'))
            .Select(f => f[1] == "error"
                ? new Ref(f[0], f[1], 0, 0, 0, "", "")
                : new Ref(f[0], f[1], int.Parse(f[2]), int.Parse(f[3]), int.Parse(f[4]), f[5], f[6]))
            .ToList());

    public static TheoryData<string> ValidFiles() => [.. Refs.Value.Where(r => r.Expected == "decode").Select(r => r.File)];

    public static TheoryData<string> SixteenBitFiles() => [.. Refs.Value.Where(r => r.BitDepth == 16).Select(r => r.File)];

    /// <summary>Each corrupt file and the check that must reject it (per the suite's README table).</summary>
    public static TheoryData<string, string> CorruptFiles() => new()
    {
        { "xs1n0g01.png", "bad signature" },
        { "xs2n0g01.png", "bad signature" },
        { "xs4n0g01.png", "bad signature" },
        { "xs7n0g01.png", "bad signature" },
        { "xcrn0g04.png", "bad signature" },
        { "xlfn0g04.png", "bad signature" },
        { "xhdn0g08.png", "CRC mismatch in chunk IHDR" },
        { "xc1n0g08.png", "invalid colour type 1" },
        { "xc9n2c08.png", "invalid colour type 9" },
        { "xd0n2c08.png", "bit depth 0 is not allowed" },
        { "xd3n2c08.png", "bit depth 3 is not allowed" },
        { "xd9n2c08.png", "bit depth 99 is not allowed" },
        { "xdtn0g01.png", "no IDAT chunk" },
        { "xcsn0g01.png", "CRC mismatch in chunk IDAT" },
    };

    [Fact]
    public void Reference_table_covers_every_committed_suite_file()
    {
        string[] pngs = Directory.GetFiles(TestData.Fixture("pngsuite"), "*.png").Select(Path.GetFileName).ToArray()!;
        Assert.Equal(175, pngs.Length);
        Assert.Equal(pngs.Order(), Refs.Value.Select(r => r.File).Order());
        Assert.Equal(161, Refs.Value.Count(r => r.Expected == "decode"));
        Assert.Equal(14, Refs.Value.Count(r => r.Expected == "error"));
        Assert.Equal(Refs.Value.Where(r => r.Expected == "error").Select(r => r.File).Order(),
            ((IEnumerable<object[]>)CorruptFiles()).Select(row => (string)row[0]).Order());
    }

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public async Task DecodeRaw_matches_reference_samples(string file)
    {
        Ref r = Refs.Value.Single(x => x.File == file);
        byte[] data = TestData.ReadFixture("pngsuite", file);
        PngRawImage raw = await TestData.RunWithTimeout(() => PngDecoder.DecodeRaw(data));
        Assert.Equal((r.Width, r.Height, r.BitDepth), (raw.Width, raw.Height, raw.BitDepth));
        Assert.Equal(r.Width * r.Height * 4, raw.Rgba.Length);
        Assert.Equal(r.Sha16, TestData.Sha256Uint16(raw.Rgba));
    }

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public async Task Decode_to_8_bit_matches_reference_reduced_by_rounding(string file)
    {
        Ref r = Refs.Value.Single(x => x.File == file);
        byte[] data = TestData.ReadFixture("pngsuite", file);
        Image image = await TestData.RunWithTimeout(() => PngDecoder.Decode(data));
        Assert.Equal((r.Width, r.Height), (image.Width, image.Height));
        Assert.Equal(r.Sha8, TestData.Sha256(image.ToRgba().Pixels));
    }

    [Theory]
    [MemberData(nameof(SixteenBitFiles))]
    public void Decode_of_16_bit_file_rounds_each_raw_sample(string file)
    {
        byte[] data = TestData.ReadFixture("pngsuite", file);
        PngRawImage raw = PngDecoder.DecodeRaw(data);
        Image rgba = PngDecoder.Decode(data).ToRgba();
        Assert.Equal(65535, raw.SampleMax);
        for (int i = 0; i < raw.Rgba.Length; i++)
        {
            Assert.Equal(FixturePattern.Round16(raw.Rgba[i]), rgba.Pixels[i]);
        }
    }

    [Fact]
    public void Sixteen_bit_files_exercise_rounding_not_just_high_bytes()
    {
        // If every sample were a multiple of 257, round(v/257) and v >> 8 would agree and prove nothing.
        int differs = 0;
        foreach (string file in Refs.Value.Where(r => r.BitDepth == 16).Select(r => r.File))
        {
            foreach (ushort v in PngDecoder.DecodeRaw(TestData.ReadFixture("pngsuite", file)).Rgba)
            {
                differs += FixturePattern.Round16(v) != v >> 8 ? 1 : 0;
            }
        }

        Assert.True(differs > 100, $"only {differs} samples where rounding differs from truncation");
    }

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public async Task Corrupt_file_is_rejected_by_the_right_check(string file, string expectedMessage)
    {
        byte[] data = TestData.ReadFixture("pngsuite", file);
        foreach (Func<object> decode in new Func<object>[] { () => PngDecoder.Decode(data), () => PngDecoder.DecodeRaw(data) })
        {
            Exception? e = await Record.ExceptionAsync(() => TestData.RunWithTimeout(decode, 10));
            ImageFormatException ex = Assert.IsType<ImageFormatException>(e);
            Assert.StartsWith("PNG: ", ex.Message);
            Assert.Contains(expectedMessage, ex.Message);
            Assert.Null(ex.InnerException);
        }
    }

    [Theory]
    [InlineData("basn0g08.png", 1)]
    [InlineData("basn0g01.png", 1)]
    [InlineData("basn0g16.png", 1)]
    [InlineData("basn4a08.png", 2)]
    [InlineData("basn2c08.png", 3)]
    [InlineData("basn2c16.png", 3)]
    [InlineData("basn3p08.png", 3)]
    [InlineData("basn6a16.png", 4)]
    [InlineData("tbbn0g04.png", 2)] // gray + tRNS colour key
    [InlineData("tbrn2c08.png", 4)] // RGB + tRNS colour key
    [InlineData("tbbn3p08.png", 4)] // palette + tRNS alpha
    [InlineData("tp0n3p08.png", 3)] // palette, no tRNS
    public void Decode_picks_the_channel_count_from_colour_type_and_tRNS(string file, int channels)
    {
        Assert.Equal(channels, PngDecoder.Decode(TestData.ReadFixture("pngsuite", file)).Channels);
    }

    [Fact]
    public void Interlaced_and_plain_twins_decode_identically()
    {
        foreach (string plain in Directory.GetFiles(TestData.Fixture("pngsuite"), "basn*.png"))
        {
            string twin = Path.Combine(Path.GetDirectoryName(plain)!, "basi" + Path.GetFileName(plain)[4..]);
            Image a = PngDecoder.Decode(File.ReadAllBytes(plain));
            Image b = PngDecoder.Decode(File.ReadAllBytes(twin));
            Assert.True(a.PixelEquals(b), Path.GetFileName(plain));
            Assert.True(PngDecoder.DecodeRaw(File.ReadAllBytes(twin)).Interlaced);
        }
    }
}
