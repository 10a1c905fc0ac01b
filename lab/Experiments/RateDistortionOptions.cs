namespace SecureTransmit.Lab.Experiments;

/// <summary>Options of <c>lab rd</c>; <see cref="Validate"/> checks them.</summary>
internal sealed class RateDistortionOptions
{
    /// <summary>Image folders, one data set each (named after the folder). Required.</summary>
    public IReadOnlyList<string> ImageDirs { get; init; } = [];

    /// <summary>Output folder. Default docs/rate-distortion.</summary>
    public string OutDir { get; init; } = "docs/rate-distortion";

    /// <summary>First N images of each folder (null = all).</summary>
    public int? Limit { get; init; }

    /// <summary>Models; null = every model with weights in <see cref="ModelsDir"/>; empty = none.</summary>
    public IReadOnlyList<string>? Models { get; init; }

    public string ModelsDir { get; init; } = "models";

    /// <summary>Reference codecs to sweep (jpeg, webp, avif). Default all three.</summary>
    public IReadOnlyList<string> Codecs { get; init; } = ["jpeg", "webp", "avif"];

    /// <summary>Full quality sweep instead of the default coarse one.</summary>
    public bool FullSweep { get; init; }

    /// <summary>Explicit qualities per codec (overrides the sweep), on each codec's scale (see <see cref="ReferenceCodec"/>).</summary>
    public IReadOnlyDictionary<string, int[]>? Qualities { get; init; }

    /// <summary>Parallel encoder processes. Default: the processor count.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>The coarse sweep: 7–9 settings per codec spread over about 0.1–7 bpp on Kodak (JPEG and WebP up to their top quality).</summary>
    public static IReadOnlyDictionary<string, int[]> CoarseSweep { get; } = new Dictionary<string, int[]>
    {
        ["jpeg"] = [5, 10, 20, 30, 50, 70, 85, 95, 100],
        ["webp"] = [2, 10, 25, 45, 65, 80, 90, 100],
        ["avif"] = [5, 13, 21, 29, 37, 45, 53],
    };

    /// <summary>The full sweep: every 5th JPEG/WebP quality, every 4th AVIF quantizer.</summary>
    public static IReadOnlyDictionary<string, int[]> FullSweepQualities { get; } = new Dictionary<string, int[]>
    {
        ["jpeg"] = [.. Enumerable.Range(1, 19).Select(i => i * 5), 98, 100],
        ["webp"] = [0, .. Enumerable.Range(1, 19).Select(i => i * 5), 98, 100],
        ["avif"] = [.. Enumerable.Range(0, 16).Select(i => 3 + i * 4)],
    };

    public int[] QualitiesFor(string codec) =>
        Qualities is not null && Qualities.TryGetValue(codec, out var q) ? q : (FullSweep ? FullSweepQualities : CoarseSweep)[codec];

    public void Validate()
    {
        if (ImageDirs.Count == 0) throw new ExperimentException("--images: give at least one folder");
        foreach (var d in ImageDirs)
            if (!Directory.Exists(d)) throw new ExperimentException($"--images {d}: no such folder");
        var names = ImageDirs.Select(d => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)))).ToList();
        if (names.Distinct().Count() != names.Count) throw new ExperimentException("--images: two folders have the same name");
        if (Limit is < 1) throw new ExperimentException($"--limit must be at least 1 (got {Limit})");
        if (Parallelism is < 1 or > 64) throw new ExperimentException($"parallelism {Parallelism} must be 1..64");
        foreach (var c in Codecs)
        {
            var codec = ReferenceCodec.Get(c);
            foreach (var q in QualitiesFor(c))
                if (q < codec.MinQuality || q > codec.MaxQuality)
                    throw new ExperimentException($"{c}: quality {q} outside {codec.MinQuality}..{codec.MaxQuality}");
        }
        if (Models is { Count: > 0 } && !Directory.Exists(ModelsDir)) throw new ExperimentException($"--models-dir {ModelsDir}: no such folder");
    }
}
