using System.Text.Json;
using SecureTransmit.Imaging;
using SecureTransmit.Lab.Analysis;

namespace SecureTransmit.Lab.Tests;

/// <summary>End to end: a run on two generated 64×64 images writes a report with every section and parseable JSON.</summary>
public sealed class ReportTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lab-analyze-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static List<AnalysisImage> Images() =>
    [
        new("noise.png", SyntheticImages.Noise(64, 64, 5)),
        new("gradient.png", SyntheticImages.Gradient(64, 64)),
    ];

    private static AnalysisOptions Options(string mode) => new()
    {
        Mode = mode,
        Quick = true,
        OrbitIterations = 20_000,
        OrbitSamples = 1,
        KeySamples = 1,
        EquivalenceSamples = 0,
        FigureImages = 2,
        FigureCrop = 32,
        ScatterPairs = 200,
        Threads = 2,
    };

    [Theory]
    [InlineData(AnalysisModes.Logistic)]
    [InlineData(AnalysisModes.Aes256Gcm)]
    [InlineData(AnalysisModes.PaperLogistic)]
    public void Report_HasEverySection_FiguresExist_AndTheJsonParses(string mode)
    {
        var report = CipherAnalyzer.Run(Images(), Options(mode), _dir);
        var md = ReportWriter.ToMarkdown(report);
        foreach (var heading in ReportWriter.Sections) Assert.Contains("\n" + heading + "\n", md);
        Assert.Contains("PASS", md);
        Assert.All(report.Figures, f => Assert.True(File.Exists(Path.Combine(_dir, f.File)), f.File));
        Assert.Contains(report.Figures, f => f.Section == "attack");
        Assert.Contains(report.Figures, f => f.File.EndsWith("histogram.svg", StringComparison.Ordinal));

        string jsonPath = Path.Combine(_dir, "r.json");
        ReportWriter.WriteJson(report, jsonPath);
        using var doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var root = doc.RootElement;
        Assert.Equal(mode, root.GetProperty("mode").GetString());
        Assert.Equal(2, root.GetProperty("images").GetArrayLength());
        Assert.True(root.GetProperty("summary").GetArrayLength() > 10);
        var first = root.GetProperty("images")[0];
        Assert.Equal(3, first.GetProperty("cipher").GetProperty("chiSquare").GetArrayLength());
        Assert.True(first.GetProperty("differential").GetArrayLength() >= 2);
    }

    [Fact]
    public void PaperForm_FailsAndAesPassesTheDeterministicChecks()
    {
        var paper = CipherAnalyzer.Run(Images(), Options(AnalysisModes.PaperLogistic), null);
        Assert.False(paper.Summary.Single(t => t.Test.StartsWith("Known-plaintext", StringComparison.Ordinal)).Verdict);
        Assert.False(paper.Summary.Single(t => t.Test.StartsWith("Keystream reuse", StringComparison.Ordinal)).Verdict);
        Assert.False(paper.Summary.Single(t => t.Test.StartsWith("Ciphertext-only", StringComparison.Ordinal)).Verdict);
        Assert.False(paper.KeySpace.KeySpacePass);

        var aes = CipherAnalyzer.Run(Images(), Options(AnalysisModes.Aes256Gcm), null);
        foreach (var t in aes.Summary.Where(t => !t.Diagnostic && t.Alpha == 0))
            Assert.True(t.Verdict, t.Test);
        Assert.True(aes.Images.All(i => i.RoundTrip));
    }

    [Fact]
    public async Task Command_WritesTheReport_AndRejectsAnUnknownCipher()
    {
        Directory.CreateDirectory(_dir);
        ImageIO.Save(SyntheticImages.Noise(48, 48, 1), Path.Combine(_dir, "a.png"));
        ImageIO.Save(SyntheticImages.ShapesA(48, 48), Path.Combine(_dir, "b.png"));
        var root = new System.CommandLine.RootCommand { Commands.AnalyzeCommand.Create() };
        string outDir = Path.Combine(_dir, "out");
        int rc = await Commands.Cli.RunAsync(root,
        [
            "analyze", "--cipher", "paper-logistic", "--images", _dir, "--out", outDir, "--json", Path.Combine(_dir, "r.json"), "--quick",
            "--orbit-iterations", "1000", "--orbit-samples", "1", "--figures", "1", "--figure-crop", "32", "--threads", "1",
        ]).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, rc);
        Assert.True(File.Exists(Path.Combine(outDir, "report.md")));
        using (JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "r.json")))) { }

        int bad = await Commands.Cli.RunAsync(root, ["analyze", "--cipher", "rot13", "--images", _dir])
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, bad);
        int missing = await Commands.Cli.RunAsync(root, ["analyze", "--cipher", "logistic", "--images", Path.Combine(_dir, "nope")])
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, missing);
    }

    [Fact]
    public void Options_RejectBadValues()
    {
        Assert.Throws<AnalysisException>(() => new AnalysisOptions { Mode = "rot13" });
        Assert.Throws<AnalysisException>(() => new AnalysisOptions { FigureCrop = 8 });
        Assert.Throws<AnalysisException>(() => new AnalysisOptions { OrbitIterations = 1 });
        Assert.Throws<AnalysisException>(() => CipherAnalyzer.Run([], new AnalysisOptions(), null));
    }
}
