using System.Runtime.CompilerServices;
using System.Text.Json;

namespace SecureTransmit.Neural.Tests;

/// <summary>
/// One PyTorch reference case written by fixtures/make_fixtures.py: tensors plus the generator ranges
/// needed to rebuild the same parameters and input here (<see cref="Gen"/> repeats the script's gen()).
/// </summary>
internal sealed class TorchFixture
{
    private readonly IReadOnlyDictionary<string, Tensor> _tensors;

    private TorchFixture(string name, SafeTensorFile file)
    {
        Name = name;
        _tensors = file.Tensors;
        var meta = file.Metadata;
        ParamRanges = JsonSerializer.Deserialize<Dictionary<string, double[]>>(meta["params"])!;
        InputRange = JsonSerializer.Deserialize<double[]>(meta["input_range"])!;
        RoundInput = JsonSerializer.Deserialize<int>(meta["round_input"]);
        Frozen = JsonSerializer.Deserialize<string[]>(meta["frozen"])!;
        InputSalt = meta["input_salt"];
        using var adam = JsonDocument.Parse(meta["adam"]);
        var a = adam.RootElement;
        var betas = a.GetProperty("betas");
        Adam = new AdamOptions
        {
            LearningRate = a.GetProperty("lr").GetDouble(),
            Beta1 = betas[0].GetDouble(),
            Beta2 = betas[1].GetDouble(),
            Epsilon = a.GetProperty("eps").GetDouble(),
            WeightDecay = a.GetProperty("weight_decay").GetDouble(),
            KerasEpsilon = a.GetProperty("keras").GetBoolean(),
        };
    }

    public string Name { get; }
    public Dictionary<string, double[]> ParamRanges { get; }
    public double[] InputRange { get; }
    public int RoundInput { get; }

    /// <summary>"" or "#k": appended to the input/target generator names (see make_fixtures.py).</summary>
    public string InputSalt { get; }

    /// <summary>Parameters the script kept out of Adam (gradient zero in exact arithmetic).</summary>
    public string[] Frozen { get; }
    public AdamOptions Adam { get; }

    public bool Has(string key) => _tensors.ContainsKey(key);

    public Tensor this[string key] =>
        _tensors.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"fixture {Name} has no tensor '{key}'");

    public IEnumerable<string> Keys => _tensors.Keys;

    public static TorchFixture Load(string name, [CallerFilePath] string sourceFile = "") =>
        new(name, SafeTensors.Load(Locate(name + ".safetensors", sourceFile)));

    public static string Locate(string fileName, [CallerFilePath] string sourceFile = "")
    {
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(sourceFile))
            candidates.Add(Path.Combine(Path.GetDirectoryName(sourceFile)!, "fixtures", fileName));
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            candidates.Add(Path.Combine(dir.FullName, "tests", "Neural.Tests", "fixtures", fileName));
        foreach (var c in candidates)
            if (File.Exists(c)) return c;
        throw new FileNotFoundException(
            $"fixture '{fileName}' not found (looked in {string.Join(", ", candidates.Take(2))}). It is committed under " +
            "tests/Neural.Tests/fixtures; regenerate with `/usr/bin/python3 tests/Neural.Tests/fixtures/make_fixtures.py` " +
            "(needs torch: apt-get install python3-torch).");
    }

    /// <summary>The parameters and input of this case, drawn as the script drew them.</summary>
    public void InitializeParameters(Module module)
    {
        foreach (var (name, p) in module.NamedParameters())
        {
            if (!ParamRanges.TryGetValue(name, out var r))
                throw new InvalidOperationException($"fixture {Name} has no generator range for parameter '{name}' (names differ from PyTorch's?)");
            Gen($"{Name}/{name}", p.Value.Shape, r[0], r[1]).Span.CopyTo(p.Value.Span);
        }
        Assert.Equal(ParamRanges.Keys.Order(), module.NamedParameters().Select(p => p.Name).Order());
    }

    public Tensor MakeInput()
    {
        var x = Gen($"{Name}/input{InputSalt}", this["input"].Shape, InputRange[0], InputRange[1]);
        if (RoundInput > 0)
        {
            var s = x.Span;
            for (int i = 0; i < s.Length; i++) s[i] = MathF.Round(s[i] * RoundInput, MidpointRounding.ToEven) / RoundInput;
        }
        return x;
    }

    /// <summary>
    /// make_fixtures.py gen(): value i = f32(lo + (hi − lo)·u_i), u_i = top 24 bits of
    /// splitmix64(FNV-1a64(name) + (i+1)·0x9E3779B97F4A7C15) / 2^24.
    /// </summary>
    public static Tensor Gen(string name, int[] shape, double lo, double hi)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(name)) { h ^= b; h = unchecked(h * 0x100000001B3UL); }
        var t = new Tensor(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            ulong z = unchecked(h + (ulong)(i + 1) * 0x9E3779B97F4A7C15UL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            z ^= z >> 31;
            double u = (z >> 40) / (double)(1 << 24);
            s[i] = (float)(lo + (hi - lo) * u);
        }
        return t;
    }
}

/// <summary>Comparison helpers. Relative error of a tensor: max|a−b| / max(max|b|, 1e-6).</summary>
internal static class Compare
{
    public const double Tolerance = 1e-4;

    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(d)) return double.PositiveInfinity;
            maxDiff = Math.Max(maxDiff, d);
            maxRef = Math.Max(maxRef, Math.Abs((double)expected[i]));
        }
        return maxDiff / Math.Max(maxRef, 1e-6);
    }

    public static void Close(Tensor actual, Tensor expected, string what, double tolerance = Tolerance)
    {
        if (!actual.Shape.SequenceEqual(expected.Shape))
            Assert.Fail($"{what}: shape {actual.ShapeString}, PyTorch {expected.ShapeString}");
        double err = RelativeError(actual.Span, expected.Span);
        if (!(err <= tolerance)) Assert.Fail($"{what}: relative error {err:E2} > {tolerance:E0}");
    }

    public static double MaxAbs(ReadOnlySpan<float> x)
    {
        double m = 0;
        foreach (var v in x) m = Math.Max(m, Math.Abs(v));
        return m;
    }
}
