using System.Text.Json.Nodes;
using SecureTransmit.Imaging;
using SecureTransmit.Lab.Experiments;
using SecureTransmit.Neural;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Lab.Tests;

public class RateDistortionTests
{
    [Fact]
    public void Bpp_is_the_bytes_actually_sent_times_8_over_the_pixels()
    {
        using var dir = new BandwidthTestSupport.TempDir();
        var images = Path.Combine(dir.Path, "tiny");
        Directory.CreateDirectory(images);
        var a = BandwidthTestSupport.Photo(64, 48, seed: 1);
        var b = BandwidthTestSupport.Photo(32, 40, seed: 2);
        ImageIO.Save(a, Path.Combine(images, "a.png"));
        ImageIO.Save(b, Path.Combine(images, "b.png"));
        // A randomly initialised cae-compact (32×32 tiles → 128 latent bytes each) in its own models folder.
        var models = Path.Combine(dir.Path, "models");
        ModelFiles.SaveSplit(Cae.Compact, Cae.Compact.CreateEncoder(new Init(5)), Cae.Compact.CreateDecoder(new Init(6)), models);

        var report = RateDistortionExperiment.Run(new RateDistortionOptions
        {
            ImageDirs = [images],
            ModelsDir = models,
            Models = ["cae-compact"],
            Codecs = ["jpeg"],
            Qualities = new Dictionary<string, int[]> { ["jpeg"] = [20, 80] },
            Parallelism = 1,
        }, new LineProgress(null), CancellationToken.None);

        const long pixels = 64 * 48 + 32 * 40; // 4352
        // Our packets: 64×48 → 2×2 tiles = 512 latent bytes; 32×40 → 1×2 tiles = 256; each packet adds a
        // 110-byte fixed header, a 60-byte logistic key block, a 4-byte header suffix and a 16-byte tag = 190.
        var ours = Assert.Single(report.Rows, r => r.Method == "cae-compact");
        Assert.Equal(512 + 190 + 256 + 190, ours.Bytes);
        Assert.Equal(pixels, ours.Pixels);
        Assert.Equal((512 + 190 + 256 + 190) * 8.0 / pixels, ours.Bpp, 12);

        foreach (int q in new[] { 20, 80 })
        {
            var row = Assert.Single(report.Rows, r => r.Method == "JPEG 4:2:0" && r.Setting == $"q {q}");
            long files = ReferenceCodec.Jpeg.Encode(a, q).Length + ReferenceCodec.Jpeg.Encode(b, q).Length;
            Assert.Equal(files, row.Bytes);
            Assert.Equal(pixels, row.Pixels);
            Assert.Equal(files * 8.0 / pixels, row.Bpp, 12);
            Assert.Equal(2, row.Images);
        }

        // Lossless reference: the source PNG files themselves.
        Assert.Equal(new FileInfo(Path.Combine(images, "a.png")).Length + new FileInfo(Path.Combine(images, "b.png")).Length, report.LosslessPng!["tiny"].Bytes);

        // The markdown table and the JSON carry the same bpp.
        var md = RateDistortionReportWriter.Markdown(report);
        var json = RateDistortionReportWriter.ToJson(report);
        foreach (var row in report.Rows)
        {
            Assert.Contains(FormattableString.Invariant($"| {row.Bytes} | {pixels} | {row.Bytes * 8.0 / pixels:0.0000} |"), md);
            var j = json["rows"]!.AsArray().Single(x => (string)x!["method"]! == row.Method && (string)x["setting"]! == row.Setting)!;
            Assert.Equal(Math.Round(row.Bytes * 8.0 / pixels, 5), j["bpp"]!.GetValue<double>(), 9);
        }
        Assert.True(report.Rows.Single(r => r.Setting == "q 80").Psnr > report.Rows.Single(r => r.Setting == "q 20").Psnr, "higher JPEG quality must give higher PSNR");

        var written = RateDistortionReportWriter.Write(report, Path.Combine(dir.Path, "out"));
        Assert.Contains(written, f => f.EndsWith("rd-tiny-psnr.svg", StringComparison.Ordinal));
        Assert.All(written, f => Assert.True(new FileInfo(f).Length > 0));
    }

    [Fact]
    public void Interpolates_a_codec_curve_between_its_two_nearest_settings()
    {
        RdRow Row(long bytes, double psnr) => new("d", "c", "s", 1, bytes, 8000, psnr, 0.9);
        var curve = new[] { Row(1000, 30), Row(2000, 36), Row(500, 26) }; // 0.5, 1.0 and 2.0 bpp (unsorted)
        Assert.Equal(33, RateDistortionExperiment.Interpolate(curve, 1.5, r => r.Psnr)!.Value, 9);
        Assert.Equal(28, RateDistortionExperiment.Interpolate(curve, 0.75, r => r.Psnr)!.Value, 9);
        Assert.Null(RateDistortionExperiment.Interpolate(curve, 0.25, r => r.Psnr));
        Assert.Null(RateDistortionExperiment.Interpolate(curve, 2.5, r => r.Psnr));
    }
}

public class RateDistortionCommandErrorTests
{
    [Fact]
    public async Task Missing_folder_is_one_line_and_exit_2()
    {
        var (code, _, err) = await BandwidthTestSupport.RunLabAsync("rd", "--images", "/no/such/folder-st", "--models", "none");
        Assert.Equal(2, code);
        Assert.Equal("lab: error: --images /no/such/folder-st: no such folder", err.Trim());
    }

    [Fact]
    public async Task Unknown_codec_is_one_line_and_exit_2()
    {
        using var dir = new BandwidthTestSupport.TempDir();
        var (code, _, err) = await BandwidthTestSupport.RunLabAsync("rd", "--images", dir.Path, "--codecs", "jpeg,gif", "--models", "none");
        Assert.Equal(2, code);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("unknown codec 'gif'", err);
    }
}

public class BandwidthCommandErrorTests
{
    [Fact]
    public async Task Missing_folder_is_one_line_and_exit_2()
    {
        var (code, _, err) = await BandwidthTestSupport.RunLabAsync("bandwidth", "--images", "/no/such/folder-st");
        Assert.Equal(2, code);
        Assert.Equal("lab: error: --images /no/such/folder-st: no such folder", err.Trim());
    }

    [Fact]
    public async Task Bad_profile_is_one_line_and_exit_2()
    {
        using var dir = new BandwidthTestSupport.TempDir();
        var (code, _, err) = await BandwidthTestSupport.RunLabAsync("bandwidth", "--images", dir.Path, "--profiles", "10mbit:40ms");
        Assert.Equal(2, code);
        Assert.Equal("lab: error: profile '10mbit:40ms': expected RATE:DELAY:LOSS, e.g. 10mbit:40ms:1%", err.Trim());
    }

    [Fact]
    public async Task Unknown_link_mode_is_one_line_and_exit_2()
    {
        using var dir = new BandwidthTestSupport.TempDir();
        var (code, _, err) = await BandwidthTestSupport.RunLabAsync("bandwidth", "--images", dir.Path, "--link", "carrier-pigeon");
        Assert.Equal(2, code);
        Assert.Equal("lab: error: --link 'carrier-pigeon': use auto, netns or computed", err.Trim());
    }
}
