using System.Text.Json.Nodes;
using SecureTransmit.Codec;
using SecureTransmit.Imaging;
using SecureTransmit.Neural;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Lab.Tests;

/// <summary>
/// `lab eval` as a user runs it (the lab program in its own process): the metrics it writes for a CIFAR-10 batch file
/// and for an image folder, checked against PSNR computed here from a local encode→decode; and bad input (an empty
/// folder, an image smaller than a tile, a weight file of another architecture, a missing dataset) ending in one
/// error line naming the problem and a non-zero exit, with no JSON written.
/// </summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "st-eval-" + Guid.NewGuid().ToString("N")[..8]);

    public EvalCommandTests()
    {
        Directory.CreateDirectory(_dir);
        var spec = ModelZoo.Get("cae-compact");
        ModelFiles.SaveSplit(spec, spec.CreateEncoder(new Init(3)), spec.CreateDecoder(new Init(4)), Path.Combine(_dir, "models"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static Image Smooth(int width, int height, int seed)
    {
        var image = new Image(width, height, 3);
        var rng = new Random(seed);
        double a = rng.NextDouble() * 0.3, b = rng.NextDouble() * 0.3;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                    image.Pixels[(y * width + x) * 3 + c] = (byte)(127 + 100 * Math.Sin(a * x + b * y + c));
        return image;
    }

    private static Task<(int Code, string Out, string Err)> Lab(params string[] args) => BandwidthTestSupport.RunLabAsync(args);

    /// <summary>PSNR over all images' pixels from this codec, computed here: 10·log10(255² / mean squared error).</summary>
    private double ExpectedPsnr(IEnumerable<Image> images)
    {
        var (spec, enc, dec, _) = ModelFiles.LoadPair(P("models"), "cae-compact");
        var codec = new ImageCodec(spec, enc, dec);
        double sse = 0;
        long samples = 0;
        foreach (var image in images)
        {
            var back = codec.Decode(codec.Encode(image));
            for (int i = 0; i < image.Pixels.Length; i++)
            {
                double d = image.Pixels[i] - back.Pixels[i];
                sse += d * d;
            }
            samples += image.Pixels.Length;
        }
        return 10 * Math.Log10(255.0 * 255.0 / (sse / samples));
    }

    private static void AssertMetrics(JsonNode json, int images, double expectedPsnr, long pixels)
    {
        foreach (var key in new[] { "psnr", "ssim", "keras_accuracy", "mse", "bpp", "images" })
            Assert.True(json[key] is not null, $"'{key}' missing from the JSON");
        Assert.Equal(images, json["images"]!.GetValue<int>());
        Assert.Equal(expectedPsnr, json["psnr"]!.GetValue<double>(), 0.001);
        Assert.InRange(json["ssim"]!.GetValue<double>(), -1, 1);
        Assert.InRange(json["keras_accuracy"]!.GetValue<double>(), 0, 1);
        Assert.Equal(128 * 8.0 / 1024, json["payload_bpp"]!.GetValue<double>(), 1e-9); // 128 latent bytes per 32×32 tile
        // On the wire each 32×32 image is one packet: 110-byte fixed header + 60-byte logistic key block + 4-byte length
        // (SECURITY.md's packet layout) + the 128 latent bytes + a 16-byte tag.
        Assert.Equal((pixels / 8.0 + images * (110 + 60 + 4 + 16)) * 8.0 / pixels, json["bpp"]!.GetValue<double>(), 1e-5);
    }

    [Fact]
    public async Task Cifar_batch_file_metrics_match_a_local_round_trip()
    {
        // The official binary layout: per record one label byte, then 1024 red, 1024 green, 1024 blue bytes.
        var images = Enumerable.Range(0, 5).Select(i => Smooth(32, 32, i)).ToList();
        using (var f = File.Create(P("batch.bin")))
            foreach (var image in images)
            {
                f.WriteByte(7);
                for (int c = 0; c < 3; c++)
                    for (int i = 0; i < 1024; i++) f.WriteByte(image.Pixels[i * 3 + c]);
            }

        var r = await Lab("eval", "--model", "cae-compact", "--models", P("models"), "--data", P("batch.bin"), "--json", P("m.json"));
        Assert.True(r.Code == 0, r.Err + r.Out);
        AssertMetrics(JsonNode.Parse(File.ReadAllText(P("m.json")))!, 5, ExpectedPsnr(images), 5 * 32 * 32);
    }

    [Fact]
    public async Task Image_folder_metrics_match_a_local_round_trip()
    {
        Directory.CreateDirectory(P("folder"));
        var images = new[] { Smooth(32, 32, 1), Smooth(64, 96, 2) };
        ImageIO.Save(images[0], P("folder/a.png"));
        ImageIO.Save(images[1], P("folder/b.ppm"));
        File.WriteAllText(P("folder/notes.txt"), "not an image; ignored by extension");

        var r = await Lab("eval", "--model", "cae-compact", "--models", P("models"), "--data", P("folder"), "--json", P("f.json"));
        Assert.True(r.Code == 0, r.Err + r.Out);
        var json = JsonNode.Parse(File.ReadAllText(P("f.json")))!;
        AssertMetrics(json, 2, ExpectedPsnr(images), 32 * 32 + 64 * 96);
    }

    private async Task AssertOneLineError(string expected, params string[] args)
    {
        var r = await Lab(["eval", "--model", "cae-compact", "--json", P("bad.json"), .. args]);
        Assert.True(r.Code != 0, "exit 0:\n" + r.Out);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one error line:\n" + r.Err);
        Assert.StartsWith("lab: error: ", lines[0]);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(P("bad.json")), "a failed eval wrote its JSON");
    }

    [Fact]
    public async Task A_lic_model_on_a_folder_reports_psnr_and_wire_bpp_of_its_packets()
    {
        // A freshly initialized lic-1 (the mechanics, not a trained model's quality), exported with its coding tables.
        var models = P("lic-models");
        LicModelFiles.Export(new LicNetwork(LicZoo.Get("lic-1"), new Init(5)), models);
        Directory.CreateDirectory(P("lic-folder"));
        var images = new[] { Smooth(37, 21, 1), Smooth(64, 48, 2), Smooth(7, 5, 3) };
        for (int i = 0; i < images.Length; i++) ImageIO.Save(images[i], P($"lic-folder/img{i}.png"));
        var r = await Lab("eval", "--model", "lic-1", "--models", models, "--data", P("lic-folder"), "--json", P("lic.json"));
        Assert.True(r.Code == 0, r.Err + r.Out);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(P("lic.json")))!;
        var (codec, id) = CodecFiles.LoadPair(models, "lic-1");
        Assert.Equal(id, json["model_id"]!.GetValue<string>());
        double sse = 0, pixels = 0, payload = 0;
        foreach (var image in images)
        {
            var e = codec.Encode(image);
            var back = codec.Decode(e);
            for (int i = 0; i < image.Pixels.Length; i++) { double d = image.Pixels[i] - back.Pixels[i]; sse += d * d; }
            pixels += image.Width * image.Height;
            payload += e.Latent.Length;
        }
        Assert.Equal(10 * Math.Log10(255.0 * 255.0 / (sse / (pixels * 3))), json["psnr"]!.GetValue<double>(), 0.001);
        // bpp counts each packet on the wire: 110-byte fixed header + 60-byte logistic key block + 4-byte length + payload + 16-byte tag.
        Assert.Equal((payload + images.Length * (110 + 60 + 4 + 16)) * 8 / pixels, json["bpp"]!.GetValue<double>(), 1e-4);
    }

    [Fact]
    public async Task Folder_without_images_is_a_clear_error()
    {
        Directory.CreateDirectory(P("empty"));
        File.WriteAllText(P("empty/readme.txt"), "no images here");
        await AssertOneLineError("no images", "--models", P("models"), "--data", P("empty"));
    }

    [Fact]
    public async Task Image_smaller_than_a_tile_is_a_clear_error()
    {
        Directory.CreateDirectory(P("small"));
        ImageIO.Save(Smooth(31, 40, 1), P("small/narrow.png"));
        await AssertOneLineError("narrow.png: image is 31×40, smaller than the model's 32×32 tile", "--models", P("models"), "--data", P("small"));
    }

    [Fact]
    public async Task Weight_file_of_another_architecture_is_a_clear_error()
    {
        var other = ModelZoo.Get("cae-paper");
        var dir = P("swapped");
        var (enc, dec, _) = ModelFiles.SaveSplit(other, other.CreateEncoder(new Init(1)), other.CreateDecoder(new Init(2)), dir);
        File.Move(enc, ModelFiles.EncoderPath(dir, "cae-compact"));
        File.Move(dec, ModelFiles.DecoderPath(dir, "cae-compact"));
        Directory.CreateDirectory(P("ok"));
        ImageIO.Save(Smooth(32, 32, 1), P("ok/a.png"));
        await AssertOneLineError("holds architecture 'cae-paper', expected 'cae-compact'", "--models", dir, "--data", P("ok"));
    }

    [Fact]
    public async Task Missing_dataset_file_is_a_clear_error()
    {
        await AssertOneLineError("no such file", "--models", P("models"), "--data", P("nope.bin"));
    }
}
