using System.Runtime.CompilerServices;

namespace SecureTransmit.Neural.Tests;

/// <summary>
/// Reads the PyTorch fixtures written by fixtures/make_gru_fixtures.py (with the library's safetensors
/// reader) and repeats the script's gen() values.
/// </summary>
internal sealed class GruFixture
{
    private readonly Dictionary<string, Tensor> _tensors;

    private GruFixture(Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata)
    {
        _tensors = tensors;
        Metadata = metadata;
    }

    public Dictionary<string, string> Metadata { get; }

    public bool Has(string name) => _tensors.ContainsKey(name);

    public Tensor this[string name] =>
        _tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"fixture has no tensor '{name}'");

    public static GruFixture Load(string fileName, [CallerFilePath] string sourceFile = "")
    {
        var file = SafeTensors.Load(Locate(fileName, sourceFile));
        return new GruFixture(new Dictionary<string, Tensor>(file.Tensors), new Dictionary<string, string>(file.Metadata));
    }

    private static string Locate(string fileName, string sourceFile)
    {
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(sourceFile))
            candidates.Add(Path.Combine(Path.GetDirectoryName(sourceFile)!, "fixtures", fileName));
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            candidates.Add(Path.Combine(dir.FullName, "tests", "Neural.Tests", "fixtures", fileName));
        foreach (var c in candidates)
            if (File.Exists(c)) return c;
        throw new FileNotFoundException(
            $"GRU fixture '{fileName}' not found (looked in {string.Join(", ", candidates.Take(2))}). " +
            "It is committed under tests/Neural.Tests/fixtures; regenerate it with " +
            "`/usr/bin/python3 tests/Neural.Tests/fixtures/make_gru_fixtures.py` (needs torch).");
    }

    /// <summary>Same values as gen(seed, shape, scale) in make_gru_fixtures.py, bit for bit.</summary>
    public static Tensor Generated(int seed, float scale, int[] shape)
    {
        var t = new Tensor(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            uint x = unchecked((uint)((ulong)i * 2654435761UL + (ulong)seed * 97531UL));
            x ^= x >> 16;
            x = unchecked(x * 0x45D9F3Bu);
            x ^= x >> 16;
            double u = x / 4294967296.0;
            s[i] = (float)((2.0 * u - 1.0) * (double)scale);
        }
        return t;
    }

    /// <summary>Copies fixture values into every parameter of <paramref name="module"/>: stored in full
    /// under prefix+name, or generated from gen.prefix+name = [seed, scale].</summary>
    public void LoadParameters(Module module, string prefix)
    {
        foreach (var (name, p) in module.NamedParameters())
        {
            Tensor src;
            if (Has(prefix + name)) src = this[prefix + name];
            else
            {
                var g = this["gen." + prefix + name];
                src = Generated((int)g.Span[0], g.Span[1], p.Value.Shape);
            }
            Assert.True(src.Shape.SequenceEqual(p.Value.Shape),
                $"{name}: fixture shape {src.ShapeString} vs parameter {p.Value.ShapeString}");
            src.Span.CopyTo(p.Value.Span);
        }
    }

    /// <summary>Compares each parameter's gradient with grad.* (full) or grad_rows.*/grad_cols.* (sums).</summary>
    public void AssertGradients(Module module, string prefix, double tolerance = 1e-4)
    {
        foreach (var (name, p) in module.NamedParameters())
        {
            if (Has(prefix + "grad." + name))
            {
                AssertClose(this[prefix + "grad." + name], p.Grad, $"grad {prefix}{name}", tolerance);
                continue;
            }
            int rows = p.Grad[0], cols = p.Grad.Length / rows;
            var rowSums = new float[rows];
            var colSums = new float[cols];
            var g = p.Grad.Span;
            var r64 = new double[rows];
            var c64 = new double[cols];
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++) { r64[i] += g[i * cols + j]; c64[j] += g[i * cols + j]; }
            for (int i = 0; i < rows; i++) rowSums[i] = (float)r64[i];
            for (int j = 0; j < cols; j++) colSums[j] = (float)c64[j];
            AssertClose(this[prefix + "grad_rows." + name], new Tensor(rowSums, rows), $"grad row sums {prefix}{name}", tolerance);
            AssertClose(this[prefix + "grad_cols." + name], new Tensor(colSums, cols), $"grad column sums {prefix}{name}", tolerance);
        }
    }

    /// <summary>max|a − b| / max(max|b|, 1e-6) ≤ tolerance, with matching shapes (b is the reference).</summary>
    public static void AssertClose(Tensor expected, Tensor actual, string what, double tolerance = 1e-4)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{what}: shape {actual.ShapeString}, expected {expected.ShapeString}");
        double err = RelativeError(expected.Span, actual.Span);
        Assert.True(err <= tolerance, $"{what}: relative error {err:E3} > {tolerance:E1}");
    }

    public static double RelativeError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs((double)actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs((double)expected[i]));
        }
        return maxDiff / Math.Max(maxRef, 1e-6);
    }

    /// <summary>dLoss/dOutput of PyTorch's MSELoss(reduction="mean").</summary>
    public static Tensor MseGradient(Tensor output, Tensor target)
    {
        var g = Tensor.Like(output);
        var o = output.Span;
        var t = target.Span;
        var s = g.Span;
        float k = 2f / o.Length;
        for (int i = 0; i < s.Length; i++) s[i] = k * (o[i] - t[i]);
        return g;
    }
}
