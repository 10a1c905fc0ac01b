using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using SecureTransmit.Codec;
using SecureTransmit.Imaging;
using SecureTransmit.Lab.Data;
using SecureTransmit.Metrics;
using SecureTransmit.Metrics.Charts;
using SecureTransmit.Neural.Models;
using Spectre.Console;

namespace SecureTransmit.Lab.Commands;

/// <summary>
/// <c>lab eval</c>: runs images through the product path (tiles → encoder → 8-bit latent → decoder) and reports
/// MSE, PSNR (overall and per channel), SSIM, Keras categorical accuracy, bits per pixel and timings, as JSON,
/// plus the paper's figures: histograms of an original and its reconstruction, and a grid of originals above
/// reconstructions.
/// </summary>
[LabCommand(30)]
internal static class EvalCommand
{
    /// <summary>Packet bytes besides the latent: header (with the larger, logistic key block) and tag.</summary>
    public static int PacketOverhead => Packet.OverheadBytes(SecureTransmit.Security.CipherModes.Logistic);

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model name", Required = true };
        var models = new Option<string>("--models") { Description = "folder with the model's encoder and decoder files", DefaultValueFactory = _ => Paths.Models() };
        var data = new Option<string[]>("--data") { Description = "CIFAR-10 batch files, or a folder of images", Required = true, AllowMultipleArgumentsPerToken = true };
        var limit = new Option<int?>("--limit") { Description = "evaluate only the first N images" };
        var json = new Option<string?>("--json") { Description = "write the metrics as JSON to this file" };
        var output = new Option<string?>("--out") { Description = "folder for figures (histogram SVG, grid PNG)" };
        var cmd = new Command("eval", "Evaluate a model on a dataset: MSE, PSNR, SSIM, Keras accuracy, bpp, timings") { model, models, data, limit, json, output };
        cmd.SetAction(pr =>
        {
            var (codec, id) = CodecFiles.LoadPair(pr.GetRequiredValue(models), pr.GetRequiredValue(model));
            var images = LoadImages(pr.GetRequiredValue(data), pr.GetValue(limit), codec);
            var result = Evaluate(codec, images, out var firstPairs);
            result["model"] = codec.ModelName;
            result["model_id"] = id;
            result["data"] = string.Join(" ", pr.GetRequiredValue(data).Select(Path.GetFileName));
            Print(result);
            if (pr.GetValue(json) is { } jp) WriteAtomic(jp, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            if (pr.GetValue(output) is { } dir) WriteFigures(dir, codec.ModelName, firstPairs);
            return 0;
        });
        return cmd;
    }

    public static List<Image> LoadImages(string[] data, int? limit, IImageCodec codec)
    {
        var list = new List<Image>();
        int max = limit ?? int.MaxValue;
        if (max < 1) throw new ArgumentException("--limit must be at least 1");
        if (data.Length == 1 && Directory.Exists(data[0]))
        {
            string[] ext = [".png", ".tif", ".tiff", ".ppm", ".pgm", ".pnm"];
            var files = Directory.EnumerateFiles(data[0]).Where(f => ext.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).Take(max).ToList();
            if (files.Count == 0) throw new DatasetException($"{data[0]}: no images (.png .tif .tiff .ppm .pgm .pnm) found");
            foreach (var f in files)
            {
                var img = ImageIO.Load(f).ToRgb();
                if (codec.Kind == PayloadKind.TiledLatent && (img.Width < codec.Tile || img.Height < codec.Tile))
                    throw new DatasetException($"{f}: image is {img.Width}×{img.Height}, smaller than the model's {codec.Tile}×{codec.Tile} tile");
                list.Add(img);
            }
            return list;
        }
        var cifar = Cifar10.Open(data);
        for (int i = 0; i < Math.Min(max, cifar.Count); i++)
        {
            var planar = cifar.PlanarBytes(i);
            var img = new Image(32, 32, 3);
            for (int p = 0; p < 1024; p++)
                for (int c = 0; c < 3; c++) img.Pixels[p * 3 + c] = planar[c * 1024 + p];
            list.Add(img);
        }
        return list;
    }

    public static JsonObject Evaluate(IImageCodec codec, IReadOnlyList<Image> images, out List<(Image Original, Image Reconstruction)> firstPairs)
    {
        double sse = 0, ssim = 0, acc = 0, psnrMean = 0, encodeMs = 0, decodeMs = 0;
        var sseCh = new double[3];
        long pixels = 0, latentBytes = 0;
        var pairs = new List<(Image Original, Image Reconstruction)>();
        AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"evaluating {codec.ModelName}", maxValue: images.Count);
                foreach (var img in images)
                {
                    var (e, r, encMs, decMs) = codec.RoundTrip(img);
                    encodeMs += encMs;
                    decodeMs += decMs;
                    int n = img.Width * img.Height;
                    var perCh = ImageQuality.MsePerChannel(img.Pixels, r.Pixels, img.Width, img.Height, 3);
                    for (int c = 0; c < 3; c++) { sseCh[c] += perCh[c] * n; sse += perCh[c] * n; }
                    psnrMean += Math.Min(ImageQuality.Psnr(img.Pixels, r.Pixels), 100);
                    ssim += ImageQuality.Ssim(img.Pixels, r.Pixels, img.Width, img.Height, 3);
                    acc += ImageQuality.KerasCategoricalAccuracy(img.Pixels, r.Pixels, img.Width, img.Height, 3);
                    pixels += n;
                    latentBytes += e.Latent.Length;
                    if (pairs.Count < 16) pairs.Add((img, r));
                    task.Increment(1);
                }
            });
        firstPairs = pairs;
        int count = images.Count;
        double mse255 = sse / (pixels * 3.0);
        return new JsonObject
        {
            ["images"] = count,
            ["pixels"] = pixels,
            ["mse"] = mse255 / (255.0 * 255.0),
            ["mse_255"] = mse255,
            ["psnr"] = Math.Round(ImageQuality.PsnrFromMse(mse255, 255), 4),
            ["psnr_per_channel"] = new JsonObject
            {
                ["r"] = Math.Round(ImageQuality.PsnrFromMse(sseCh[0] / pixels, 255), 4),
                ["g"] = Math.Round(ImageQuality.PsnrFromMse(sseCh[1] / pixels, 255), 4),
                ["b"] = Math.Round(ImageQuality.PsnrFromMse(sseCh[2] / pixels, 255), 4),
            },
            ["psnr_mean_per_image"] = Math.Round(psnrMean / count, 4),
            ["ssim"] = Math.Round(ssim / count, 5),
            ["keras_accuracy"] = Math.Round(acc / count, 5),
            // bpp counts every byte a packet puts on the wire (header with the logistic key block, payload, tag).
            ["bpp"] = Math.Round((latentBytes + (long)count * PacketOverhead) * 8.0 / pixels, 5),
            ["payload_bpp"] = Math.Round(latentBytes * 8.0 / pixels, 5),
            ["encode_ms_per_image"] = Math.Round(encodeMs / count, 4),
            ["decode_ms_per_image"] = Math.Round(decodeMs / count, 4),
            ["quantization"] = codec.Kind == PayloadKind.EntropyCoded ? "rounded latent, range-coded with the model's factorized prior (the product path)" : "8-bit per-image min/max (the product path)",
        };
    }

    private static void Print(JsonObject r)
    {
        var t = new Table().AddColumns("metric", "value");
        foreach (var (k, v) in r) t.AddRow(k, Markup.Escape(v?.ToJsonString() ?? "null"));
        AnsiConsole.Write(t);
    }

    public static void WriteFigures(string dir, string name, List<(Image Original, Image Reconstruction)> pairs)
    {
        Directory.CreateDirectory(dir);
        var (o, r) = pairs[0];
        var hist = new HistogramChart { Title = $"{name}: intensity histogram, original vs reconstruction", XLabel = "intensity", YLabel = "pixels" };
        hist.AddSeries("original", CipherStatistics.Histogram(o.Pixels));
        hist.AddSeries("reconstruction", CipherStatistics.Histogram(r.Pixels));
        hist.Save(Path.Combine(dir, $"{name}-histogram.svg"));
        ImageIO.Save(Grid(pairs, scale: Math.Max(1, 128 / Math.Max(o.Width, o.Height))), Path.Combine(dir, $"{name}-grid.png"));
    }

    /// <summary>Originals on the top row, reconstructions below, each enlarged by <paramref name="scale"/> (nearest), 4-px gaps.</summary>
    public static Image Grid(List<(Image Original, Image Reconstruction)> pairs, int scale)
    {
        int cw = pairs.Max(p => p.Original.Width) * scale, ch = pairs.Max(p => p.Original.Height) * scale, gap = 4;
        var grid = new Image(pairs.Count * (cw + gap) + gap, 2 * (ch + gap) + gap, 3);
        Array.Fill(grid.Pixels, (byte)255);
        for (int i = 0; i < pairs.Count; i++)
            for (int row = 0; row < 2; row++)
            {
                var src = row == 0 ? pairs[i].Original : pairs[i].Reconstruction;
                int x0 = gap + i * (cw + gap), y0 = gap + row * (ch + gap);
                for (int y = 0; y < src.Height * scale; y++)
                    for (int x = 0; x < src.Width * scale; x++)
                        for (int c = 0; c < 3; c++)
                            grid.Pixels[((y0 + y) * grid.Width + x0 + x) * 3 + c] = src.Pixels[((y / scale) * src.Width + x / scale) * 3 + c];
            }
        return grid;
    }

    internal static void WriteAtomic(string path, string text)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, full, overwrite: true);
    }
}

/// <summary>Default locations inside a checkout.</summary>
internal static class Paths
{
    /// <summary>The repository's models/ folder when run from a checkout, else ./models.</summary>
    public static string Models() => SecureTransmit.Cli.ProjectPaths.DefaultModels();
}
