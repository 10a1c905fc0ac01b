using SecureTransmit.Codec;
using SecureTransmit.Lab.Commands;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Lab.Experiments;

/// <summary>One image coded one way: the bytes sent and the quality received.</summary>
internal sealed record RdSample(string Dataset, string Image, string Method, string Setting, long Bytes, long Pixels, double Psnr, double Ssim)
{
    public double Bpp => Bytes * 8.0 / Pixels;
}

/// <summary>
/// One operating point over a data set: <see cref="Bytes"/> and <see cref="Pixels"/> summed over its images,
/// <see cref="Bpp"/> = bytes · 8 / pixels, PSNR and SSIM averaged per image.
/// </summary>
internal sealed record RdRow(string Dataset, string Method, string Setting, int Images, long Bytes, long Pixels, double Psnr, double Ssim)
{
    public double Bpp => Bytes * 8.0 / Pixels;
}

/// <param name="LosslessPng">Per data set: bytes and pixels of the images as lossless PNG (the source files when they are PNGs).</param>
internal sealed record RdReport(IReadOnlyList<string> Datasets, IReadOnlyList<string> Models, IReadOnlyList<string> Codecs, IReadOnlyList<RdSample> Samples, IReadOnlyList<RdRow> Rows,
    IReadOnlyList<string> Notes, IReadOnlyDictionary<string, (long Bytes, long Pixels, bool SourcePng)>? LosslessPng = null);

/// <summary>
/// <c>lab rd</c>: PSNR (RGB) and SSIM against bits per pixel counted from the bytes actually sent — our sealed
/// packets (latent + header with key block + tag) and JPEG/WebP/AVIF file sizes — over one or more image folders.
/// </summary>
internal static class RateDistortionExperiment
{
    /// <summary>Published Kodak results drawn as reference stars (PSNR dB at 0.25, 0.5, 1.0, 1.5 bpp).</summary>
    public static IReadOnlyList<(string Codec, double Bpp, double Psnr)> KodakAnchors { get; } =
    [
        ("JPEG 4:2:0", 0.25, 24.6), ("JPEG 4:2:0", 0.5, 28.9), ("JPEG 4:2:0", 1.0, 32.6), ("JPEG 4:2:0", 1.5, 34.9),
        ("WebP", 0.25, 28.5), ("WebP", 0.5, 31.3), ("WebP", 1.0, 35.1), ("WebP", 1.5, 37.7),
    ];

    /// <summary>
    /// Published Kodak curves of learned and modern codecs (CompressAI's results files: PSNR over RGB as the mean of
    /// per-image PSNR, bpp from the bitstream) at 0.25, 0.5, 0.75 and 1.0 bpp, for the lic models' charts.
    /// </summary>
    public static IReadOnlyList<(string Codec, double Bpp, double Psnr)> KodakPublishedCurves { get; } =
    [
        ("Ballé 2018 factorized", 0.25, 29.1), ("Ballé 2018 factorized", 0.5, 31.8), ("Ballé 2018 factorized", 0.75, 33.7), ("Ballé 2018 factorized", 1.0, 35.6),
        ("Ballé 2018 hyperprior", 0.25, 29.9), ("Ballé 2018 hyperprior", 0.5, 33.0), ("Ballé 2018 hyperprior", 0.75, 35.2), ("Ballé 2018 hyperprior", 1.0, 37.1),
        ("BPG 4:4:4", 0.25, 30.0), ("BPG 4:4:4", 0.5, 33.1), ("BPG 4:4:4", 0.75, 35.3), ("BPG 4:4:4", 1.0, 36.9),
        ("WebP", 0.25, 28.5), ("WebP", 0.5, 31.3), ("WebP", 0.75, 33.5), ("WebP", 1.0, 35.1),
    ];

    public static RdReport Run(RateDistortionOptions o, IExperimentProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        var models = o.Models is { Count: 0 } ? [] : ModelSelection.Resolve(o.ModelsDir, o.Models);
        var codecs = o.Codecs.Select(ReferenceCodec.Get).ToList();
        foreach (var c in codecs) c.RequireTools();
        var notes = new List<string>();
        if (models.Count == 0) notes.Add($"no model weights found in {o.ModelsDir}: reference codecs only");
        var samples = new List<RdSample>();
        var datasets = new List<string>();
        var png = new Dictionary<string, (long Bytes, long Pixels, bool SourcePng)>();
        var loaded = models.ToDictionary(m => m, m =>
        {
            return CodecFiles.LoadPair(o.ModelsDir, m).Codec;
        });
        foreach (var dir in o.ImageDirs)
        {
            string ds = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)));
            datasets.Add(ds);
            var images = ImageSet.Load(dir, o.Limit);
            png[ds] = (images.Sum(i => (long)i.Png.Length), images.Sum(i => i.Pixels), images.All(i => i.Path.EndsWith(".png", StringComparison.OrdinalIgnoreCase)));
            foreach (var m in models)
            {
                progress.Stage($"{ds}: {m}", images.Count);
                foreach (var img in images)
                {
                    ct.ThrowIfCancellationRequested();
                    var (e, r, _, _) = loaded[m].RoundTrip(img.Rgb);
                    var (p, s) = Quality.Measure(img.Rgb, r);
                    // The lic operating points form one curve ("lic", one setting per model); each tiled model is its own point.
                    bool lic = loaded[m].Kind == PayloadKind.EntropyCoded;
                    samples.Add(new RdSample(ds, img.Name, lic ? "lic" : m, lic ? m : "8-bit latent", e.Latent.Length + (long)EvalCommand.PacketOverhead, img.Pixels, p, s));
                    progress.Step();
                }
            }
            foreach (var c in codecs)
            {
                var qs = o.QualitiesFor(c.Name);
                progress.Stage($"{ds}: {c.Label} × {qs.Length} settings", images.Count * qs.Length);
                var jobs = images.SelectMany(img => qs.Select(q => (img, q))).ToList();
                var results = new RdSample[jobs.Count];
                Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = o.Parallelism, CancellationToken = ct }, i =>
                {
                    var (img, q) = jobs[i];
                    var bytes = c.Encode(img.Rgb, q);
                    var (p, s) = Quality.Measure(img.Rgb, c.Decode(bytes));
                    results[i] = new RdSample(ds, img.Name, c.Label, SettingName(c, q), bytes.Length, img.Pixels, p, s);
                    lock (progress) progress.Step();
                });
                samples.AddRange(results);
            }
        }
        return new RdReport(datasets, models, codecs.Select(c => c.Label).ToList(), samples, Aggregate(samples), notes, png);
    }

    public static string SettingName(ReferenceCodec c, int q) => c.Name == "avif" ? $"quantizer {63 - q}" : $"q {q}";

    /// <summary>Groups samples by (dataset, method, setting): bytes and pixels summed, PSNR and SSIM averaged per image.</summary>
    public static List<RdRow> Aggregate(IEnumerable<RdSample> samples) =>
        samples.GroupBy(s => (s.Dataset, s.Method, s.Setting))
            .Select(g => new RdRow(g.Key.Dataset, g.Key.Method, g.Key.Setting, g.Count(), g.Sum(s => s.Bytes), g.Sum(s => s.Pixels), g.Average(s => s.Psnr), g.Average(s => s.Ssim)))
            .OrderBy(r => r.Dataset, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal).ThenBy(r => r.Bpp)
            .ToList();

    /// <summary>
    /// A codec curve's PSNR (or SSIM) at <paramref name="bpp"/>, linearly interpolated between its two nearest
    /// settings by rate; null outside the curve's range.
    /// </summary>
    public static double? Interpolate(IEnumerable<RdRow> curve, double bpp, Func<RdRow, double> quality)
    {
        var pts = curve.OrderBy(r => r.Bpp).ToList();
        for (int i = 0; i + 1 < pts.Count; i++)
        {
            double x0 = pts[i].Bpp, x1 = pts[i + 1].Bpp;
            if (bpp < x0 || bpp > x1) continue;
            double t = x1 == x0 ? 0 : (bpp - x0) / (x1 - x0);
            return quality(pts[i]) + t * (quality(pts[i + 1]) - quality(pts[i]));
        }
        return pts.Count == 1 && pts[0].Bpp == bpp ? quality(pts[0]) : null;
    }
}
