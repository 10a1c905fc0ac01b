using SecureTransmit.Codec;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Lab.Experiments;

/// <summary>Which models an experiment runs.</summary>
internal static class ModelSelection
{
    /// <summary>Whether both weight files of <paramref name="name"/> are in <paramref name="modelsDir"/>.</summary>
    public static bool IsAvailable(string modelsDir, string name) =>
        File.Exists(ModelFiles.EncoderPath(modelsDir, name)) && File.Exists(ModelFiles.DecoderPath(modelsDir, name));

    /// <summary>
    /// The requested models (each must be a known name with both files), or, when <paramref name="requested"/> is
    /// null, every known model whose files are present (the papers' tiled models, then the lic codecs).
    /// </summary>
    public static IReadOnlyList<string> Resolve(string modelsDir, IReadOnlyList<string>? requested)
    {
        if (requested is null) return CodecFiles.Names.Where(n => IsAvailable(modelsDir, n)).ToList();
        foreach (var n in requested)
        {
            if (!CodecFiles.Names.Contains(n)) throw new ExperimentException($"--models: unknown model '{n}' (known: {string.Join(", ", CodecFiles.Names)})");
            if (!IsAvailable(modelsDir, n)) throw new ExperimentException($"--models: {n} has no {ModelFiles.EncoderSuffix}/{ModelFiles.DecoderSuffix} pair in {modelsDir}");
        }
        return requested.Distinct().ToList();
    }

    /// <summary>Splits "a,b" (null or empty = null).</summary>
    public static IReadOnlyList<string>? ParseList(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Progress of a long experiment: stages with a number of steps.</summary>
internal interface IExperimentProgress
{
    void Stage(string description, int steps);

    void Step();

    void Note(string line);
}

/// <summary>Progress written as plain lines (for redirected output and tests); null writer = silent.</summary>
internal sealed class LineProgress(TextWriter? writer) : IExperimentProgress
{
    public void Stage(string description, int steps) => writer?.WriteLine($"[{DateTime.Now:HH:mm:ss}] {description} ({steps})");

    public void Step() { }

    public void Note(string line) => writer?.WriteLine(line);
}
