using System.Text;
using SecureTransmit.Receiver.Internal;

namespace SecureTransmit.Integration.Tests;

/// <summary>The receiver's stored-name rule (<see cref="ImageStore.SafeStem"/>) over hostile and international names.</summary>
public class StoredNameTests
{
    [Theory]
    [InlineData("Ünïcödé photo 日本 😀.png", "Ünïcödé_photo_日本")]
    [InlineData("日本語.png", "日本語")]
    [InlineData("holiday-2024_beach.jpg", "holiday-2024_beach")]
    [InlineData("my.photo.final.webp", "my_photo_final")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("..\\..\\windows\\win.ini", "win")]
    [InlineData("/abs/path/x.png", "x")]
    [InlineData("a\u0000b\u001Fc\u007F.png", "a_b_c")]
    [InlineData("evil\u202Egnp.exe", "evil_gnp")] // right-to-left override (a format character) is not kept
    [InlineData("Ελληνικά и кириллица.png", "Ελληνικά_и_кириллица")]
    [InlineData("नमस्ते.png", "नमस्ते")] // Devanagari: combining vowel signs and virama stay
    [InlineData("٣٤٥ photo.png", "٣٤٥_photo")] // Arabic-Indic digits
    [InlineData("😀😀.png", "image")]
    [InlineData("", "image")]
    [InlineData(".hidden", "hidden")]
    [InlineData("   spaced   out   .png", "spaced_out")]
    public void Stem_keeps_letters_and_digits_and_nothing_path_like(string name, string expected)
    {
        Assert.Equal(expected, ImageStore.SafeStem(name));
    }

    [Fact]
    public void Stem_is_NFC_normalised()
    {
        string decomposed = "Cafe\u0301 U\u0308ber.png"; // e + combining acute, U + combining diaeresis
        string stem = ImageStore.SafeStem(decomposed);
        Assert.Equal("Caf\u00E9_\u00DCber", stem);
    }

    [Theory]
    [InlineData('a', 1)]
    [InlineData('é', 2)]
    [InlineData('日', 3)]
    public void Stem_is_capped_in_UTF8_bytes_between_whole_characters(char c, int bytesPerChar)
    {
        string stem = ImageStore.SafeStem(new string(c, 500) + ".png");
        Assert.True(Encoding.UTF8.GetByteCount(stem) <= ImageStore.MaxStemBytes);
        Assert.Equal(ImageStore.MaxStemBytes / bytesPerChar, stem.Length);
        Assert.All(stem, ch => Assert.Equal(c, ch));

        string wide = ImageStore.SafeStem(new string('x', 95) + "𝒳𝒳"); // a 4-byte letter must not be split
        Assert.Equal(new string('x', 95), wide);
    }

    [Fact]
    public void Stored_file_keeps_the_Unicode_stem_and_the_sidecar_the_original_name()
    {
        string dir = Path.Combine(Path.GetTempPath(), "st-names-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = new ImageStore(dir);
            const string original = "Ünïcödé photo 日本 😀.png";
            var sidecar = new System.Text.Json.Nodes.JsonObject { ["display_name"] = original };
            var (stored, _) = store.Commit("k", original, [1, 2, 3], sidecar);
            Assert.Equal("000001-Ünïcödé_photo_日本.png", stored);
            Assert.True(File.Exists(Path.Combine(dir, stored)));
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "000001-Ünïcödé_photo_日本.json")))!;
            Assert.Equal(original, json["display_name"]!.GetValue<string>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>The receiver's NFC against vectors from Python's unicodedata (committed, made by make_unicode_nfc.py).</summary>
public class UnicodeNfcTests
{
    [Fact]
    public void Nfc_matches_python_unicodedata_on_every_canonical_decomposition_hangul_and_mark_orders()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "nfc-vectors.tsv");
        var lines = File.ReadAllLines(path).Where(l => !l.StartsWith('#') && l.Length > 0).ToList();
        Assert.True(lines.Count > 2500, $"{lines.Count} vectors");
        static string Decode(string hex) => string.Concat(hex.Split(' ').Select(h => char.ConvertFromUtf32(Convert.ToInt32(h, 16))));
        var wrong = lines.Select(l => l.Split('\t')).Where(f => UnicodeNfc.Normalize(Decode(f[0])) != Decode(f[1])).Select(f => f[0]).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} vectors differ, e.g. {string.Join(" | ", wrong.Take(5))}");
    }
}
