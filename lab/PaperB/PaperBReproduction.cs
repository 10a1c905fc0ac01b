using System.Collections.Concurrent;
using System.Diagnostics;
using SecureTransmit.Imaging;
using SecureTransmit.Metrics;
using SecureTransmit.Neural;
using SecureTransmit.Security;

namespace SecureTransmit.Lab.PaperB;

/// <summary>
/// Paper B's experiment: for each image and run, one stacked autoencoder is trained on that image's own 8×8
/// patches (all three colour planes: 3 × 4096 patches for 512×512), pre-trained layer by layer and fine-tuned;
/// it then compresses each plane to 16 (4:1) or 4 (16:1) codes per patch, the codes are stored as bytes
/// (round(255·code), the paper's anti-normalised "compressed image"), decoded back, and scored per channel. For
/// the correlation table the image is converted to grayscale first (as the paper does) and passed through the same
/// model; its latent image is encrypted with the paper's logistic cipher (<see cref="PaperLogisticCipher"/>,
/// x0 = the first latent value).
/// </summary>
internal static class PaperBReproduction
{
    /// <summary>Loads the paper's four images from a folder (see <see cref="PaperBPublished.FileStems"/>), as RGB.</summary>
    public static List<PaperBImage> LoadImages(string folder)
    {
        if (!Directory.Exists(folder))
            throw new PaperBException($"{folder}: no such folder (pass --images with the USC-SIPI misc images: house.tiff, 4.2.05.tiff, 4.2.06.tiff, 4.2.07.tiff)");
        var list = new List<PaperBImage>();
        foreach (var name in PaperBPublished.Images)
        {
            string? file = null;
            foreach (var stem in PaperBPublished.FileStems[name])
                foreach (var ext in new[] { ".tiff", ".tif", ".png", ".ppm" })
                {
                    var candidate = Path.Combine(folder, stem + ext);
                    if (file is null && File.Exists(candidate)) file = candidate;
                }
            if (file is null)
                throw new PaperBException($"{folder}: no image for '{name}' (looked for {string.Join(", ", PaperBPublished.FileStems[name].Select(s => s + ".tiff"))})");
            list.Add(new PaperBImage(name, ImageIO.Load(file).ToRgb()));
        }
        return list;
    }

    /// <summary>
    /// Runs the experiment. <paramref name="onEpoch"/> is called (from worker threads) after every training epoch
    /// with the index of the image; <paramref name="onRunDone"/> after each (image, run).
    /// </summary>
    public static PaperBReport Run(IReadOnlyList<PaperBImage> images, PaperBOptions options,
        Action<int>? onEpoch = null, Action<int, RunResult>? onRunDone = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(options);
        if (images.Count == 0) throw new PaperBException("no images to run on");
        foreach (var im in images)
        {
            if (im.Image.Channels != 3) throw new PaperBException($"{im.Name}: expected an RGB image, got {im.Image.Channels} channel(s)");
            if (im.Image.Width % 8 != 0 || im.Image.Height % 8 != 0)
                throw new PaperBException($"{im.Name}: {im.Image.Width}×{im.Image.Height} is not a whole number of 8×8 patches");
        }
        var sw = Stopwatch.StartNew();
        var prepared = images.Select(Prepare).ToArray();
        var jobs = (from run in Enumerable.Range(0, options.Runs) from i in Enumerable.Range(0, images.Count) select (i, run)).ToArray();
        var results = new ConcurrentDictionary<(int Image, int Run), (RunResult Result, FigureImages? Figures)>();
        // Load-balanced, in order: run 0 of every image first, so early progress covers all images.
        Parallel.ForEach(Partitioner.Create(jobs, loadBalance: true), new ParallelOptions { MaxDegreeOfParallelism = options.Threads, CancellationToken = cancellationToken }, job =>
        {
            var (i, run) = job;
            var r = RunOne(prepared[i], options, run, run == 0, () => onEpoch?.Invoke(i), cancellationToken);
            results[(i, run)] = r;
            onRunDone?.Invoke(i, r.Result);
        });
        var list = new List<ImageResult>();
        for (int i = 0; i < images.Count; i++)
        {
            var p = prepared[i];
            var pca = PcaBaseline.Fit(p.Patches);
            list.Add(new ImageResult(p.Name, p.Width, p.Height, Correlations(p.Gray, p.Width, p.Height),
                PerChannelMse(p, pca.Reconstruct(p.Patches, 16)), PerChannelMse(p, pca.Reconstruct(p.Patches, 4)),
                [.. Enumerable.Range(0, options.Runs).Select(run => results[(i, run)].Result)], results[(i, 0)].Figures!));
        }
        return new PaperBReport(list, options, sw.Elapsed.TotalSeconds);
    }

    /// <summary>An image cut into what the model sees.</summary>
    internal sealed record Prepared(string Name, int Width, int Height, Image Rgb, float[] Patches, byte[] Gray, float[] GrayPatches)
    {
        public int PatchCount => (Width / 8) * (Height / 8);
    }

    internal static Prepared Prepare(PaperBImage image)
    {
        var img = image.Image;
        int w = img.Width, h = img.Height;
        var patches = new List<float>(w * h * 3);
        for (int c = 0; c < 3; c++)
            patches.AddRange(PatchGrid.Normalize(PatchGrid.Split(PatchGrid.Plane(img.Pixels, w, h, 3, c), w, h, 8)));
        var gray = img.ToGray().Pixels;
        return new Prepared(image.Name, w, h, img, [.. patches], gray, PatchGrid.Normalize(PatchGrid.Split(gray, w, h, 8)));
    }

    private static (RunResult Result, FigureImages? Figures) RunOne(Prepared p, PaperBOptions options, int run, bool keepFigures,
        Action onEpoch, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        ulong seed = options.Seed + (ulong)run;
        var model = new StackedAutoencoder(new Init(seed));
        var (l1, l2) = SaeTrainer.Pretrain(model, p.Patches, options.Training, seed, (_, _, _) => onEpoch(), ct);
        var pre4 = ScoreRgb(model, p, SaeLevel.Ratio4).Mse;
        var pre16 = ScoreRgb(model, p, SaeLevel.Ratio16).Mse;
        double[]? other4 = null, other16 = null;
        if (options.CompareObjectives)
        {
            var other = model.Clone();
            var objective = options.Training.Objective == FineTuneObjective.Stack ? FineTuneObjective.BothRatios : FineTuneObjective.Stack;
            SaeTrainer.FineTune(other, p.Patches, options.Training, seed, (_, _, _) => onEpoch(), ct, objective);
            other4 = ScoreRgb(other, p, SaeLevel.Ratio4).Mse;
            other16 = ScoreRgb(other, p, SaeLevel.Ratio16).Mse;
        }
        double l3 = SaeTrainer.FineTune(model, p.Patches, options.Training, seed, (_, _, _) => onEpoch(), ct);

        var (r4, f4) = Evaluate(model, p, SaeLevel.Ratio4, options.R, pre4, other4);
        var (r16, f16) = Evaluate(model, p, SaeLevel.Ratio16, options.R, pre16, other16);
        var result = new RunResult(run, seed, new SaeTrainingLog(l1, l2, l3), r4, r16, sw.Elapsed.TotalSeconds);
        FigureImages? figures = keepFigures ? new FigureImages(f4.Reconstruction, f16.Reconstruction, f4.Compressed, f16.Compressed, f4.Encrypted, f16.Encrypted) : null;
        return (result, figures);
    }

    private sealed record LevelImages(Image Reconstruction, Image Compressed, Image Encrypted);

    private static (LevelResult, LevelImages) Evaluate(StackedAutoencoder model, Prepared p, SaeLevel level, double r, double[] msePretrained, double[]? mseOther)
    {
        var (mse, recon) = ScoreRgb(model, p, level);
        var (mseFloat, _) = ScoreRgb(model, p, level, quantize: false);
        int s = level == SaeLevel.Ratio4 ? 4 : 2;
        int cw = p.Width / 8 * s, ch = p.Height / 8 * s;

        // Table 3 and Figs. 5-6 work on grayscale (the paper converts the colour images first): the gray image goes
        // through the same model; its latent bytes, each patch's codes as an s×s block, form the compressed image,
        // which is encrypted with x0 = its first latent value.
        var gCodes = model.Encode(p.GrayPatches, level);
        var gBytes = PatchGrid.Denormalize(gCodes);
        var gRecon = PatchGrid.Merge(PatchGrid.Denormalize(model.Decode(PatchGrid.Normalize(gBytes), level)), p.Width, p.Height, 8);
        var gCompressed = PatchGrid.Merge(gBytes, cw, ch, s);
        double x0 = PaperLogisticCipher.X0FromLatentValue(gCodes[0]);
        var gEncrypted = PaperLogisticCipher.Apply(x0, r, gCompressed);
        var keystream = new byte[gCompressed.Length];
        PaperLogisticCipher.Keystream(x0, r, keystream);
        double lag1 = AdjacentCorrelation.Pearson(keystream.AsSpan(0, keystream.Length - 1), keystream.AsSpan(1));

        var result = new LevelResult(mse, [.. mse.Select(m => ImageQuality.PsnrFromMse(m, 255))], mseFloat, msePretrained, mseOther,
            Correlations(gRecon, p.Width, p.Height), Correlations(gCompressed, cw, ch), Correlations(gEncrypted, cw, ch), x0, lag1);
        return (result, new LevelImages(recon, new Image(cw, ch, 1, gCompressed), new Image(cw, ch, 1, gEncrypted)));
    }

    /// <summary>Per-channel MSE (0–255) of decoded patches [3 planes × patches × 64] against the image.</summary>
    private static double[] PerChannelMse(Prepared p, float[] decoded) => ImageQuality.MsePerChannel(p.Rgb.Pixels, ToImage(p, decoded).Pixels, p.Width, p.Height, 3);

    private static Image ToImage(Prepared p, float[] decoded)
    {
        int n = p.Width * p.Height;
        var planes = new byte[3][];
        for (int c = 0; c < 3; c++)
            planes[c] = PatchGrid.Merge(PatchGrid.Denormalize(decoded.AsSpan(c * n, n)), p.Width, p.Height, 8);
        return new Image(p.Width, p.Height, 3, PatchGrid.Interleave(planes));
    }

    /// <summary>Per-channel MSE of the RGB reconstruction (decoded from the 8-bit latent, or the float one), and the reconstruction.</summary>
    private static (double[] Mse, Image Reconstruction) ScoreRgb(StackedAutoencoder model, Prepared p, SaeLevel level, bool quantize = true)
    {
        var codes = model.Encode(p.Patches, level);
        var decoded = model.Decode(quantize ? PatchGrid.Normalize(PatchGrid.Denormalize(codes)) : codes, level);
        var recon = ToImage(p, decoded);
        return (ImageQuality.MsePerChannel(p.Rgb.Pixels, recon.Pixels, p.Width, p.Height, 3), recon);
    }

    /// <summary>Adjacent-pixel correlation of a gray plane over all pairs, horizontal, vertical, diagonal.</summary>
    public static DirectionalCorrelation Correlations(byte[] gray, int width, int height) => new(
        AdjacentCorrelation.Compute(gray, width, height, 1, 0, AdjacencyDirection.Horizontal).R,
        AdjacentCorrelation.Compute(gray, width, height, 1, 0, AdjacencyDirection.Vertical).R,
        AdjacentCorrelation.Compute(gray, width, height, 1, 0, AdjacencyDirection.Diagonal).R);

    /// <summary>Mean of a sequence (NaN when empty).</summary>
    public static double Mean(IEnumerable<double> values)
    {
        var v = values.ToArray();
        return v.Length == 0 ? double.NaN : v.Average();
    }

    /// <summary>Sample standard deviation (0 with one value).</summary>
    public static double StdDev(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length < 2) return 0;
        double m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1));
    }
}
