using System.Diagnostics;
using SecureTransmit.Imaging;
using SecureTransmit.Lab.Analysis.Internal;
using SecureTransmit.Metrics;
using SecureTransmit.Metrics.Charts;
using SecureTransmit.Security;

namespace SecureTransmit.Lab.Analysis;

/// <summary>One input image (converted to 8-bit RGB) and the name the report uses for it.</summary>
internal sealed record AnalysisImage(string Name, Image Image);

/// <summary>Receives progress of a long run (called from worker threads; implementations must be thread-safe).</summary>
internal interface IAnalysisProgress
{
    /// <summary><paramref name="done"/> of <paramref name="total"/> steps of <paramref name="phase"/> are finished.</summary>
    void Report(string phase, int done, int total);
}

/// <summary>
/// Runs the cipher security analysis of one cipher form over a set of images. The plaintext of each image
/// is its raw 8-bit RGB payload (HWC bytes); the ciphertext, which has the same length, is read back as a
/// W×H×3 image so that image statistics apply (the standard practice for image ciphers).
/// </summary>
internal static class CipherAnalyzer
{
    private static readonly string[] Extensions = [".png", ".tif", ".tiff", ".ppm", ".pgm", ".pnm"];

    /// <summary>Loads image files and every image of the given folders (sorted by name, not recursive) as RGB.</summary>
    /// <exception cref="AnalysisException">A path does not exist, or no image was found.</exception>
    public static List<AnalysisImage> LoadImages(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path)
                    .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0) throw new AnalysisException($"{path}: no images (.png .tif .tiff .ppm .pgm .pnm) in this folder");
                files.AddRange(found);
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new AnalysisException($"{path}: no such file or folder");
            }
        }
        if (files.Count == 0) throw new AnalysisException("no input images given");
        return files.Select(f => new AnalysisImage(Path.GetFileName(f), ImageIO.Load(f).ToRgb())).ToList();
    }

    /// <summary>
    /// Analyses <paramref name="images"/> under <see cref="AnalysisOptions.Mode"/>. Figures are written to
    /// <paramref name="figureDirectory"/> (created if needed) unless it is null.
    /// </summary>
    public static AnalysisReport Run(IReadOnlyList<AnalysisImage> images, AnalysisOptions options, string? figureDirectory,
        IAnalysisProgress? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(options);
        if (images.Count == 0) throw new AnalysisException("no input images given");
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var input = Subsample(images.Select(i => new AnalysisImage(i.Name, i.Image.Channels == 3 ? i.Image : i.Image.ToRgb())).ToList(),
            options.Quick ? 6 : int.MaxValue);
        foreach (var img in input)
            if ((long)img.Image.Width * img.Image.Height < 2 || img.Image.Width < 2 || img.Image.Height < 2)
                throw new AnalysisException($"{img.Name}: a {img.Image.Width}x{img.Image.Height} image is too small to analyse (need at least 2x2)");

        string mode = options.Mode;
        ulong seed = options.Seed;
        var cipher = CipherUnderTest.Create(mode, Seeded.Derive(seed, 1));
        var model = mode == AnalysisModes.Logistic ? new LogisticDerivationModel(Seeded.Derive(seed, 2)) : null;
        var figures = new List<Figure>();
        var figureSet = FigureIndices(input.Count, options.FigureImages);
        if (figureDirectory is not null) Directory.CreateDirectory(figureDirectory);

        // 1. Per-image statistics, round trip, NPCR/UACI (and the paper form's brute force).
        var results = new ImageResult[input.Count];
        var bruteForce = new BruteForceRow?[input.Count];
        int done = 0;
        progress?.Report("images", 0, input.Count);
        Parallel.For(0, input.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Threads, CancellationToken = cancellationToken }, i =>
        {
            var (name, image) = (input[i].Name, input[i].Image);
            int w = image.Width, h = image.Height, c = image.Channels;
            ulong imageSeed = Seeded.Derive(seed, 1000 + (ulong)i);
            var plain = image.Pixels;
            var encrypted = cipher.Encrypt(plain);
            bool roundTrip = cipher.Decrypt(encrypted).AsSpan().SequenceEqual(plain);
            var plainStats = StatisticsAnalysis.Compute(plain, w, h, c, imageSeed);
            var cipherStats = StatisticsAnalysis.Compute(encrypted.Ciphertext, w, h, c, imageSeed);
            var differential = DifferentialExperiments.Run(cipher, model, plain, w, h, c, imageSeed);
            results[i] = new ImageResult(name, w, h, c, roundTrip, plainStats, cipherStats, differential);
            if (mode == AnalysisModes.PaperLogistic)
                bruteForce[i] = Attacks.BruteForcePaper(name, encrypted.Ciphertext, plain, w, h, c);
            if (figureDirectory is not null && figureSet.Contains(i))
            {
                var made = ImageFigures(figureDirectory, name, plain, encrypted.Ciphertext, w, h, c, options, imageSeed, mode);
                lock (figures) figures.AddRange(made);
            }
            progress?.Report("images", Interlocked.Increment(ref done), input.Count);
        });
        // Figures in input order regardless of which thread finished first.
        var figureOrder = input.Select((img, idx) => (Slug(img.Name), idx)).ToDictionary(t => t.Item1, t => t.idx);
        figures.Sort((a, b) => Compare(a, b, figureOrder));

        // 2. Attacks on consecutive pairs (cropped to a common size).
        cancellationToken.ThrowIfCancellationRequested();
        var kpa = new List<KnownPlaintextRow>();
        var reuse = new List<KeystreamReuseRow>();
        var pairs = Pairs(input);
        progress?.Report("attacks", 0, pairs.Count + 1);
        for (int p = 0; p < pairs.Count; p++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (a, b) = pairs[p];
            var (k, r, _) = Attacks.RunPair(cipher, a.Name, a.Image.Pixels, b.Name, b.Image.Pixels, seed);
            kpa.AddRange(k);
            reuse.AddRange(r);
            progress?.Report("attacks", p + 1, pairs.Count + 1);
        }
        if (figureDirectory is not null) figures.AddRange(AttackFigures(figureDirectory, cipher, options.FigureCrop, seed));
        progress?.Report("attacks", pairs.Count + 1, pairs.Count + 1);

        // 3. Key sensitivity (keystreams as long as the first image's payload; wrong-key decryptions of the figure images).
        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report("key sensitivity", 0, 1);
        List<int> wrongKeyIndices = figureSet.Count > 0 ? [.. figureSet.Order()] : [0];
        var wrongKeyImages = wrongKeyIndices.Select(i => (input[i].Name, input[i].Image.Pixels)).ToList();
        var sensitivity = KeySensitivity.Run(mode, input[0].Image.Pixels.Length, wrongKeyImages, options.EffectiveKeySamples, Seeded.Derive(seed, 3));
        if (cipher.Authenticated)
        {
            var rejected = wrongKeyImages.DistinctBy(w => w.Name)
                .ToDictionary(w => w.Name, w => cipher.WrongSessionRejected(cipher.Encrypt(w.Pixels)));
            var rows = sensitivity.WrongKey.Select(row => row with { AuthenticationRejected = rejected[row.Image] }).ToList();
            sensitivity = sensitivity with { WrongKey = rows };
        }
        progress?.Report("key sensitivity", 1, 1);

        // 4. Key space and orbits.
        var (log2, basis, terms, equivalence) = KeySpace.Estimate(mode, Seeded.Derive(seed, 5), options.EffectiveEquivalenceSamples, options.Threads,
            (d, n) => progress?.Report("equivalent keys", d, n), cancellationToken);
        var orbits = new List<OrbitRow>();
        long limit = options.EffectiveOrbitIterations;
        if (mode != AnalysisModes.Aes256Gcm)
        {
            int count = mode == AnalysisModes.PaperLogistic ? Math.Min(256, 16 * options.EffectiveOrbitSamples) : options.EffectiveOrbitSamples;
            var samples = OrbitAnalysis.Samples(mode, count, Seeded.Derive(seed, 4));
            var rows = new OrbitRow[samples.Count];
            int orbitDone = 0;
            int keystreamBytes = input[0].Image.Pixels.Length;
            progress?.Report("orbits", 0, samples.Count);
            Parallel.For(0, samples.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Threads, CancellationToken = cancellationToken }, s =>
            {
                var (x0, r) = samples[s];
                var search = OrbitAnalysis.Logistic(x0, r, limit);
                string? verdict = mode == AnalysisModes.Logistic
                    ? LogisticKeystream.TryGenerate(x0, r, new byte[keystreamBytes]).ToString()
                    : null;
                rows[s] = new OrbitRow(x0, r, search.Found, search.Found ? search.Transient : null, search.Found ? search.Period : null,
                    search.Iterations, verdict);
                progress?.Report("orbits", Interlocked.Increment(ref orbitDone), samples.Count);
            });
            orbits.AddRange(rows);
        }
        var keySpace = new KeySpaceResult(log2, basis, log2 >= KeySpace.MinimumLog2, terms, mode == AnalysisModes.Aes256Gcm ? 0 : limit, orbits, equivalence);

        var attacks = new AttackResults(kpa, reuse, bruteForce.Where(b => b is not null).Select(b => b!).ToList(), Attacks.Scenario);
        var criteria = Criteria();
        var report = new AnalysisReport(mode, cipher.Description, started, 0, seed, options.Quick, criteria, results, sensitivity, keySpace,
            attacks, [], figures);
        report = report with
        {
            Summary = Tallies.Build(report, input[0].Image.Pixels.Length),
            ElapsedSeconds = clock.Elapsed.TotalSeconds,
        };
        return report;
    }

    private static StatisticalCriteria Criteria()
    {
        var exact = CipherStatistics.ExactLocalEntropyInterval(30, 1936, 0.05);
        var published = CipherStatistics.PublishedLocalEntropyInterval30x1936Alpha005;
        return new StatisticalCriteria(0.05, CipherStatistics.ChiSquareCritical255Alpha005, CipherStatistics.ExpectedEntropy(1936),
            new Interval(exact.Low, exact.High), new Interval(published.Low, published.High),
            DifferentialAnalysis.NpcrExpected(), DifferentialAnalysis.UaciExpected());
    }

    private static List<AnalysisImage> Subsample(List<AnalysisImage> images, int max)
    {
        if (images.Count <= max) return images;
        return Enumerable.Range(0, max).Select(k => images[(int)((long)k * images.Count / max)]).ToList();
    }

    private static HashSet<int> FigureIndices(int count, int figures) =>
        Enumerable.Range(0, Math.Min(count, figures)).Select(k => (int)((long)k * count / Math.Min(count, figures))).ToHashSet();

    /// <summary>Consecutive pairs (i, i+1), both cropped to their common size; a single image is paired with a synthetic one.</summary>
    private static List<(AnalysisImage A, AnalysisImage B)> Pairs(List<AnalysisImage> input)
    {
        var pairs = new List<(AnalysisImage, AnalysisImage)>();
        if (input.Count == 1)
        {
            var only = input[0];
            pairs.Add((only, new AnalysisImage("synthetic-shapes", SyntheticImages.ShapesB(only.Image.Width, only.Image.Height))));
            return pairs;
        }
        for (int i = 0; i + 1 < input.Count; i++)
        {
            var (a, b) = (input[i], input[i + 1]);
            int w = Math.Min(a.Image.Width, b.Image.Width), h = Math.Min(a.Image.Height, b.Image.Height);
            pairs.Add((new AnalysisImage(a.Name, a.Image.Crop(0, 0, w, h)), new AnalysisImage(b.Name, b.Image.Crop(0, 0, w, h))));
        }
        return pairs;
    }

    private static int Compare(Figure a, Figure b, Dictionary<string, int> order)
    {
        static string Key(Figure f) => f.File.Split("--")[0];
        int ia = order.GetValueOrDefault(Key(a), int.MaxValue), ib = order.GetValueOrDefault(Key(b), int.MaxValue);
        return ia != ib ? ia.CompareTo(ib) : string.CompareOrdinal(a.File, b.File);
    }

    internal static string Slug(string name)
    {
        var chars = Path.GetFileNameWithoutExtension(name).Select(ch => char.IsAsciiLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '-').ToArray();
        var slug = new string(chars).Trim('-');
        return slug.Length == 0 ? "image" : slug;
    }

    private static List<Figure> ImageFigures(string dir, string name, byte[] plain, byte[] cipher, int w, int h, int c,
        AnalysisOptions options, ulong seed, string mode)
    {
        var list = new List<Figure>();
        string slug = Slug(name);

        var hist = new HistogramChart { Title = $"{name}: histogram of all samples (R, G, B pooled), {mode}", Width = 900, Height = 360 }
            .AddSeries("plain", CipherStatistics.Histogram(plain))
            .AddSeries("cipher", CipherStatistics.Histogram(cipher));
        string histFile = $"{slug}--histogram.svg";
        hist.Save(Path.Combine(dir, histFile));
        list.Add(new Figure(histFile, $"{name}: byte histograms of the plain image and the cipher image", "histogram"));

        foreach (var direction in StatisticsAnalysis.Directions)
        {
            var opts = new CorrelationOptions { SampleCount = options.ScatterPairs, Seed = seed };
            var (px, py) = AdjacentCorrelation.Pairs(plain, w, h, c, 0, direction, opts);
            var (cx, cy) = AdjacentCorrelation.Pairs(cipher, w, h, c, 0, direction, opts);
            string dirName = direction.ToString().ToLowerInvariant();
            var chart = new ScatterChart
            {
                Title = $"{name}: {dirName} neighbours, red channel, {options.ScatterPairs} random pairs",
                XLabel = "pixel value",
                YLabel = "neighbour value",
                Width = 520,
                Height = 520,
                XMin = 0, XMax = 255, YMin = 0, YMax = 255,
                MaxPointsPerSeries = Math.Max(100, options.ScatterPairs),
            }.AddSeries("plain", px, py).AddSeries("cipher", cx, cy);
            string file = $"{slug}--scatter-{dirName}.svg";
            chart.Save(Path.Combine(dir, file));
            list.Add(new Figure(file, $"{name}: {dirName} adjacent pairs (red), plain vs cipher", "correlation"));
        }

        int side = options.FigureCrop;
        var crop = new Image(w, h, c, cipher).Crop(0, 0, Math.Min(side, w), Math.Min(side, h));
        string png = $"{slug}--cipher-crop.png";
        ImageIO.Save(crop, Path.Combine(dir, png));
        list.Add(new Figure(png, $"{name}: top-left {crop.Width}×{crop.Height} of the cipher image", "cipher-image"));
        return list;
    }

    /// <summary>Attack figures on two synthetic images (no dataset image is republished).</summary>
    private static List<Figure> AttackFigures(string dir, CipherUnderTest cipher, int side, ulong seed)
    {
        var a = SyntheticImages.ShapesA(side, side);
        var b = SyntheticImages.ShapesB(side, side);
        var (_, _, images) = Attacks.RunPair(cipher, "A", a.Pixels, "B", b.Pixels, seed);
        var list = new List<Figure>();
        void Save(string file, byte[] pixels, string caption)
        {
            ImageIO.Save(new Image(side, side, 3, pixels), Path.Combine(dir, file));
            list.Add(new Figure(file, caption, "attack"));
        }
        Save("attack--plain-a.png", a.Pixels, "synthetic plaintext A (known to the attacker)");
        Save("attack--plain-b.png", b.Pixels, "synthetic plaintext B (the target)");
        Save("attack--cipher-b.png", images.CipherB, "C_B as intercepted");
        Save("attack--xor-ciphertexts.png", images.XorCiphertexts, "C_A ⊕ C_B (what an eavesdropper computes)");
        Save("attack--xor-plaintexts.png", images.XorPlaintexts, "P_A ⊕ P_B (reference: what C_A ⊕ C_B equals under keystream reuse)");
        Save("attack--kpa-decrypted-b.png", images.DecryptedB, "C_B ⊕ (C_A ⊕ P_A): B decrypted with the keystream recovered from the known pair");
        return list;
    }
}
