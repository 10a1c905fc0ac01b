using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SecureTransmit.Imaging;
using SecureTransmit.Lab.PaperB.Internal;
using static SecureTransmit.Lab.PaperB.PaperBReproduction;

namespace SecureTransmit.Lab.PaperB;

/// <summary>Writes a <see cref="PaperBReport"/> as JSON, as Markdown beside the paper's numbers, and as PNG figures.</summary>
internal static class PaperBReportWriter
{
    /// <summary>File names of the figures, in the order the report shows them.</summary>
    public static IReadOnlyList<string> FigureFiles { get; } =
        ["fig4-compression.png", "fig4-detail.png", "fig5-encrypted-4to1.png", "fig6-encrypted-16to1.png", "latent-images.png"];

    /// <summary>Every number of the report as JSON (means and standard deviations over runs, and each run).</summary>
    public static JsonObject ToJson(PaperBReport report, string? commandLine = null)
    {
        var o = report.Options;
        var t = o.Training;
        var images = new JsonArray();
        foreach (var im in report.Images)
        {
            images.Add(new JsonObject
            {
                ["name"] = im.Name,
                ["width"] = im.Width,
                ["height"] = im.Height,
                ["original_gray_correlation"] = Corr(im.Original),
                ["pca16_mse"] = Arr(im.PcaMse4),
                ["pca4_mse"] = Arr(im.PcaMse16),
                ["ratio_4"] = LevelSummary(im, r => r.Ratio4, PaperBPublished.Mse4, PaperBPublished.Psnr4, true),
                ["ratio_16"] = LevelSummary(im, r => r.Ratio16, PaperBPublished.Mse16, PaperBPublished.Psnr16, false),
                ["runs"] = new JsonArray([.. im.Runs.Select(RunJson)]),
            });
        }
        return new JsonObject
        {
            ["paper"] = "B: stacked autoencoder (64-16-4-16-64, sigmoid) image compression + logistic-map XOR encryption",
            ["command"] = commandLine,
            ["seconds"] = Math.Round(report.Seconds, 1),
            ["runs"] = o.Runs,
            ["seed"] = o.Seed,
            ["r"] = o.R,
            ["training"] = new JsonObject
            {
                ["optimizer"] = "Adam (PyTorch form, betas 0.9/0.999, eps 1e-8), MSE loss, fresh state per stage",
                ["batch_size"] = t.BatchSize,
                ["pretrain_epochs_layer1"] = t.PretrainEpochs1,
                ["pretrain_epochs_layer2"] = t.PretrainEpochs2,
                ["finetune_epochs"] = t.FineTuneEpochs,
                ["pretrain_lr"] = t.PretrainLearningRate,
                ["finetune_lr"] = t.FineTuneLearningRate,
                ["finetune_objective"] = t.Objective == FineTuneObjective.Stack ? "stack output only" : "sum of the 4:1 and 16:1 reconstruction errors",
                ["data"] = "one model per image and run, trained on the 8x8 patches of all three colour planes, values / 255",
            },
            ["quantization"] = "latent stored as round(255 * sigmoid code) bytes; mse/psnr decode those bytes (mse_float_latent: unquantized)",
            ["correlation"] = "grayscale (BT.601), all adjacent pairs; reconstructed = decoded gray image, compressed = gray latent image, encrypted = latent XOR logistic keystream",
            ["images"] = images,
        };
    }

    private static JsonObject LevelSummary(ImageResult im, Func<RunResult, LevelResult> pick, IReadOnlyDictionary<string, double[]> paperMse,
        IReadOnlyDictionary<string, double[]> paperPsnr, bool four)
    {
        var levels = im.Runs.Select(pick).ToList();
        JsonArray PerChannel(Func<LevelResult, double[]> f, Func<IEnumerable<double>, double> agg) =>
            new([.. Enumerable.Range(0, 3).Select(c => (JsonNode)Math.Round(agg(levels.Select(l => f(l)[c])), 4))]);
        var o = new JsonObject
        {
            ["mse_mean"] = PerChannel(l => l.Mse, Mean),
            ["mse_sd"] = PerChannel(l => l.Mse, StdDev),
            ["psnr_mean"] = PerChannel(l => l.Psnr, Mean),
            ["psnr_sd"] = PerChannel(l => l.Psnr, StdDev),
            ["mse_float_latent_mean"] = PerChannel(l => l.MseFloatLatent, Mean),
            ["mse_pretrained_only_mean"] = PerChannel(l => l.MsePretrained, Mean),
            ["mse_other_objective_mean"] = levels.All(l => l.MseOtherObjective is not null) ? PerChannel(l => l.MseOtherObjective!, Mean) : null,
            ["corr_reconstructed_mean"] = Corr(MeanCorr(levels.Select(l => l.Reconstructed))),
            ["corr_compressed_mean"] = Corr(MeanCorr(levels.Select(l => l.Compressed))),
            ["corr_encrypted_mean"] = Corr(MeanCorr(levels.Select(l => l.Encrypted))),
        };
        if (paperMse.TryGetValue(im.Name, out var pm))
        {
            var pc = PaperBPublished.Correlation[im.Name];
            o["paper"] = new JsonObject
            {
                ["mse"] = new JsonArray([.. pm.Select(v => (JsonNode)v)]),
                ["psnr"] = new JsonArray([.. paperPsnr[im.Name].Select(v => (JsonNode)v)]),
                ["corr_compressed"] = four ? pc.Compressed4 : pc.Compressed16,
                ["corr_encrypted"] = four ? pc.Encrypted4 : pc.Encrypted16,
            };
        }
        return o;
    }

    private static JsonObject RunJson(RunResult r)
    {
        JsonObject L(LevelResult l) => new()
        {
            ["mse"] = Arr(l.Mse),
            ["psnr"] = Arr(l.Psnr),
            ["mse_float_latent"] = Arr(l.MseFloatLatent),
            ["mse_pretrained_only"] = Arr(l.MsePretrained),
            ["mse_other_objective"] = l.MseOtherObjective is null ? null : Arr(l.MseOtherObjective),
            ["corr_reconstructed"] = Corr(l.Reconstructed),
            ["corr_compressed"] = Corr(l.Compressed),
            ["corr_encrypted"] = Corr(l.Encrypted),
            ["x0"] = l.X0,
            ["keystream_lag1_correlation"] = Num(l.KeystreamLag1),
        };
        return new JsonObject
        {
            ["run"] = r.Run,
            ["seed"] = r.Seed,
            ["loss_pretrain1"] = Num(r.Log.Pretrain1Loss),
            ["loss_pretrain2"] = Num(r.Log.Pretrain2Loss),
            ["loss_finetune"] = Num(r.Log.FineTuneLoss),
            ["seconds"] = Math.Round(r.Seconds, 2),
            ["ratio_4"] = L(r.Ratio4),
            ["ratio_16"] = L(r.Ratio16),
        };
    }

    private static JsonNode? Num(double v) => double.IsFinite(v) ? Math.Round(v, 7) : null;

    private static JsonArray Arr(double[] v) => new([.. v.Select(x => Num(x))]);

    private static JsonObject Corr(DirectionalCorrelation c) => new()
    {
        ["horizontal"] = Num(Math.Round(c.Horizontal, 5)),
        ["vertical"] = Num(Math.Round(c.Vertical, 5)),
        ["diagonal"] = Num(Math.Round(c.Diagonal, 5)),
    };

    /// <summary>Mean of each direction over runs.</summary>
    public static DirectionalCorrelation MeanCorr(IEnumerable<DirectionalCorrelation> cs)
    {
        var l = cs.ToList();
        return new DirectionalCorrelation(Mean(l.Select(c => c.Horizontal)), Mean(l.Select(c => c.Vertical)), Mean(l.Select(c => c.Diagonal)));
    }

    /// <summary>Writes the figures (see <see cref="FigureFiles"/>) from run 0 of each image.</summary>
    public static void WriteFigures(PaperBReport report, IReadOnlyList<PaperBImage> originals, string dir, int shrink = 2)
    {
        Directory.CreateDirectory(dir);
        var byName = originals.ToDictionary(o => o.Name, o => o.Image);
        int sh = report.Images.All(i => i.Width % shrink == 0 && i.Height % shrink == 0) ? shrink : 1;
        ImageIO.Save(Figures.Grid([.. report.Images.Select(i => (IReadOnlyList<Image>)
            [Figures.Shrink(byName[i.Name], sh), Figures.Shrink(i.Figures.Reconstruction4, sh), Figures.Shrink(i.Figures.Reconstruction16, sh)])]),
            Path.Combine(dir, FigureFiles[0]));
        ImageIO.Save(Figures.Grid([.. report.Images.Select(i =>
        {
            int side = Math.Min(128, Math.Min(i.Width, i.Height));
            int x = (i.Width - side) / 2 / 8 * 8, y = (i.Height - side) / 2 / 8 * 8;
            return (IReadOnlyList<Image>)[byName[i.Name].Crop(x, y, side, side), i.Figures.Reconstruction4.Crop(x, y, side, side), i.Figures.Reconstruction16.Crop(x, y, side, side)];
        })]), Path.Combine(dir, FigureFiles[1]));
        ImageIO.Save(Figures.Grid([[.. report.Images.Select(i => i.Figures.Encrypted4)]]), Path.Combine(dir, FigureFiles[2]));
        ImageIO.Save(Figures.Grid([[.. report.Images.Select(i => i.Figures.Encrypted16)]]), Path.Combine(dir, FigureFiles[3]));
        ImageIO.Save(Figures.Grid([[.. report.Images.Select(i => i.Figures.Compressed4)], [.. report.Images.Select(i => i.Figures.Compressed16)]]),
            Path.Combine(dir, FigureFiles[4]));
    }

    /// <summary>Writes text atomically (temporary file, then rename).</summary>
    public static void WriteAtomic(string path, string text)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(tmp, text, new UTF8Encoding(false));
        File.Move(tmp, full, overwrite: true);
    }

    public static string JsonText(JsonObject o) => o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
