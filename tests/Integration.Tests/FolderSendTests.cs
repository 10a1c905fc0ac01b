using SecureTransmit.Imaging;
using SecureTransmit.Imaging.Tests;
using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Security;

namespace SecureTransmit.Integration.Tests;

/// <summary>
/// A folder as a user has it: one file of each readable format (odd sizes, gray, alpha, EXIF-rotated and progressive
/// JPEG), a corrupt JPEG, a text file, a hidden file and a subfolder, sent to a real receiver process over TLS.
/// Uses seeded untrained weights (what is checked is what gets stored, not its quality).
/// </summary>
public sealed class FolderSendTests : IAsyncLifetime
{
    private readonly TempDir _dir = new("st-folder");
    private ChildProcess? _receiver;
    private string _fingerprint = "";
    private int _port;

    /// <summary>File name → the size the stored image must have (EXIF orientation 6 swaps width and height).</summary>
    private readonly Dictionary<string, (int W, int H)> _expected = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir["models"]);
        TestModels.CreateRandom(_dir["models"], "cae-compact");
        using (var r = IdentityFile.Create(_dir["receiver.key"])) _fingerprint = r.Fingerprint.Hex;
        using (var s = IdentityFile.Create(_dir["sender.key"]))
            File.WriteAllText(_dir["allowed.txt"], AllowList.FormatLine(s.Fingerprint) + "\n");

        string photos = _dir["photos"];
        Directory.CreateDirectory(photos);
        void Put(string name, byte[] bytes, int w, int h)
        {
            File.WriteAllBytes(Path.Combine(photos, name), bytes);
            _expected[name] = (w, h);
        }
        Image rgb = TestImageFiles.Smooth(40, 30, 3);
        Put("a-rgb.png", PngEncoder.Encode(rgb), 40, 30);
        Put("b-gray-alpha.png", PngEncoder.Encode(TestImageFiles.Smooth(7, 5, 2)), 7, 5);
        Put("c-baseline.jpg", ImageIO.EncodeJpeg(rgb, 90), 40, 30);
        Put("d-progressive.jpeg", TestImageFiles.ProgressiveJpeg(rgb), 40, 30);
        Put("e-exif-rotated.jpg", TestImageFiles.WithExifOrientation(ImageIO.EncodeJpeg(rgb, 90), 6), 30, 40);
        Put("f-lossy.webp", ImageIO.EncodeWebP(TestImageFiles.Smooth(33, 17, 4), 80), 33, 17);
        Put("g-first-frame.gif", TestImageFiles.Gif(TestImageFiles.ToCube(rgb), TestImageFiles.ToCube(rgb)), 40, 30);
        Put("h.bmp", TestImageFiles.Bmp(TestImageFiles.Smooth(1, 1, 3)), 1, 1);
        Put("i.tiff", TiffEncoder.Encode(TestImageFiles.Smooth(9, 11, 3)), 9, 11);
        Put("j-gray.pgm", PnmEncoder.Encode(TestImageFiles.Smooth(16, 16, 1)), 16, 16);
        Put("Ünïcödé photo 日本 😀.ppm", PnmEncoder.Encode(TestImageFiles.Smooth(8, 8, 3)), 8, 8);
        byte[] jpeg = ImageIO.EncodeJpeg(rgb, 90);
        File.WriteAllBytes(Path.Combine(photos, "k-corrupt.jpg"), jpeg[..(jpeg.Length / 2)]);
        File.WriteAllText(Path.Combine(photos, "notes.txt"), "holiday photos, 2026\n");
        // A valid PNG header declaring 60000×60000 (3.6 G pixels), over the 2^28-pixel decode limit: skipped for its size.
        File.WriteAllBytes(Path.Combine(photos, "l-huge.png"), HugePng());
        File.WriteAllText(Path.Combine(photos, ".DS_Store"), "junk");
        Directory.CreateDirectory(Path.Combine(photos, "sub"));
        File.WriteAllBytes(Path.Combine(photos, "sub", "nested.png"), PngEncoder.Encode(rgb));

        _receiver = ChildProcess.Start("dotnet", [Repo.ReceiverDll, "serve", "--listen", "127.0.0.1:0", "--port-file", _dir["port"],
            "--key", _dir["receiver.key"], "--allow", _dir["allowed.txt"], "--models", _dir["models"], "--out", _dir["out"]]);
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(_dir["port"]))
        {
            if (_receiver.HasExited || DateTime.UtcNow > until) throw new InvalidOperationException("receiver did not start:\n" + _receiver.StdErr + _receiver.StdOut);
            await Task.Delay(100);
        }
        _port = int.Parse(await File.ReadAllTextAsync(_dir["port"]), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>IHDR 60000×60000 RGB 8-bit, one empty IDAT, IEND; chunk CRCs computed here (CRC-32, polynomial EDB88320).</summary>
    private static byte[] HugePng()
    {
        static byte[] Chunk(string type, byte[] data)
        {
            byte[] td = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
            uint crc = 0xFFFFFFFF;
            foreach (byte b in td)
            {
                crc ^= b;
                for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
            crc ^= 0xFFFFFFFF;
            return [(byte)(data.Length >> 24), (byte)(data.Length >> 16), (byte)(data.Length >> 8), (byte)data.Length, .. td,
                (byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc];
        }
        byte[] ihdr = [0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60, 8, 2, 0, 0, 0];
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]), .. Chunk("IEND", [])];
    }

    public async Task DisposeAsync()
    {
        if (_receiver is not null) await _receiver.DisposeAsync();
        _dir.Dispose();
    }

    private Task<ProcessResult> Send(params string[] extra) =>
        ChildProcess.RunDotnetAsync(Repo.SenderDll, ["send", _dir["photos"], "--to", $"https://127.0.0.1:{_port}", "--receiver", _fingerprint,
            "--key", _dir["sender.key"], "--models", _dir["models"], "--model", "cae-compact", "--attempts", "2", .. extra], TimeSpan.FromSeconds(120));

    private static void Has(string text, string part, ProcessResult r) =>
        Assert.True(text.Contains(part, StringComparison.Ordinal), $"missing \"{part}\" in:\n{r}");

    [Fact]
    public async Task Every_image_is_stored_and_the_corrupt_and_text_files_are_named_with_a_non_zero_exit()
    {
        // --fail-fast: the corrupt file stops the run before anything is sent.
        var fast = await Send("--fail-fast");
        Assert.True(fast.ExitCode != 0, fast.ToString());
        Has(fast.StdErr, "k-corrupt.jpg", fast);
        Assert.False(Directory.Exists(_dir["out"]) && Directory.GetFiles(_dir["out"], "*.png").Length > 0, "fail-fast sent images");

        var r = await Send();
        Assert.True(r.ExitCode == 4, r.ToString());
        // The corrupt file: named, with the reason, and again in the closing error line.
        Has(r.StdErr, $"cannot read {Path.Combine(_dir["photos"], "k-corrupt.jpg")}: JPEG: the file is truncated", r);
        var last = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.True(last.StartsWith("sender: error: 1 of 13 file(s) could not be read", StringComparison.Ordinal), r.ToString());
        Assert.Contains("k-corrupt.jpg", last, StringComparison.Ordinal);
        // Skipped, each with its reason.
        Has(r.StdErr, "notes.txt: not an image", r);
        Has(r.StdErr, "l-huge.png: too large (PNG: image is 60000x60000 = 3600000000 pixels, over the limit", r);
        Has(r.StdErr, ".DS_Store: hidden file", r);
        Has(r.StdErr, "sub: subfolder (add --recursive to include it)", r);
        Has(r.StdErr, "b-gray-alpha.png has transparency; composited onto white", r);
        // A progress line per image (output is not a terminal), then the summary.
        foreach (var name in _expected.Keys) Has(r.StdOut, $"{name}: ", r);
        Has(r.StdOut, "sent 11 image(s)", r);

        var stored = Directory.GetFiles(_dir["out"], "*.json")
            .Select(f => System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(f))!)
            .ToDictionary(j => j["display_name"]!.GetValue<string>(), j => j);
        Assert.Equal(_expected.Keys.Order(StringComparer.Ordinal), stored.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, (w, h)) in _expected)
        {
            var png = ImageIO.Load(Path.Combine(_dir["out"], stored[name]["file"]!.GetValue<string>()));
            Assert.True((w, h) == (png.Width, png.Height), $"{name}: stored {png.Width}x{png.Height}, want {w}x{h}");
            // Gray in → gray out: the gray PGM and the gray+alpha PNG (composited onto white) are stored as 1-channel PNGs.
            bool gray = name is "j-gray.pgm" or "b-gray-alpha.png";
            Assert.True(png.Channels == (gray ? 1 : 3), $"{name}: stored with {png.Channels} channel(s)");
            Assert.Equal(gray ? "gray" : "rgb", stored[name]["color_type"]!.GetValue<string>());
            // The sidecar states per image what happened to its alpha (a header flag the sender set, authenticated).
            Assert.True(name != "b-gray-alpha.png" || r.StdErr.Contains("b-gray-alpha.png has transparency", StringComparison.Ordinal));
            var notes = string.Join("\n", stored[name]["notes"]!.AsArray().Select(n => n!.GetValue<string>()));
            // Which sources had transparency is what the sender warned about on its own; the sidecar must agree.
            bool hadAlpha = r.StdErr.Contains($"{name} has transparency", StringComparison.Ordinal);
            Assert.Contains(hadAlpha ? "this source had transparency" : "alpha: none in this source", notes, StringComparison.Ordinal);
        }
        Assert.Contains(Directory.GetFiles(_dir["out"], "*.png"), f => Path.GetFileName(f).EndsWith("-Ünïcödé_photo_日本.png", StringComparison.Ordinal));

        // --recursive picks up the subfolder too.
        var again = await Send("--recursive", "--quiet");
        Assert.True(again.ExitCode == 4, again.ToString());
        Assert.DoesNotContain("subfolder", again.StdErr, StringComparison.Ordinal);
        Assert.Contains(Directory.GetFiles(_dir["out"], "*.json"), f => File.ReadAllText(f).Contains("\"nested.png\"", StringComparison.Ordinal));
        Assert.False(_receiver!.HasExited);
    }
}
