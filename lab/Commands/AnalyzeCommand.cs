using System.CommandLine;
using SecureTransmit.Lab.Analysis;
using Spectre.Console;

namespace SecureTransmit.Lab.Commands;

/// <summary>
/// <c>lab analyze --cipher MODE --images PATH... [--out DIR] [--json FILE] [--seed N] [--quick]</c>: the cipher security
/// analysis (histograms/χ², global and local entropy, adjacent correlation, NPCR/UACI, key sensitivity, key space and
/// orbits, known-plaintext / keystream-reuse / brute-force attacks) written as DIR/report.md with figures.
/// </summary>
[LabCommand(60)]
internal static class AnalyzeCommand
{
    public static Command Create()
    {
        var cipher = new Option<string>("--cipher")
        {
            Description = $"cipher form to analyse: {string.Join(", ", AnalysisModes.All)}",
            Required = true,
        };
        cipher.AcceptOnlyFromAmong([.. AnalysisModes.All]);
        var images = new Option<string[]>("--images")
        {
            Description = "image files or folders (PNG, TIFF, PPM/PGM; folders are read non-recursively)",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var outDir = new Option<string?>("--out") { Description = "output folder for report.md and figures (default: analysis/<cipher>)" };
        var json = new Option<string?>("--json") { Description = "also write every number as JSON to this file" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the analysis-side random choices (the ciphers' nonces stay random)", DefaultValueFactory = _ => 1 };
        var quick = new Option<bool>("--quick") { Description = "subsample: at most 6 images, 10^6 orbit iterations, fewer samples" };
        var figures = new Option<int>("--figures") { Description = "images (evenly spaced) that get figures", DefaultValueFactory = _ => 2 };
        var crop = new Option<int>("--figure-crop") { Description = "side of the cipher-image and attack PNG crops", DefaultValueFactory = _ => 128 };
        var orbitIterations = new Option<long>("--orbit-iterations") { Description = "cycle search limit per orbit", DefaultValueFactory = _ => 10_000_000 };
        var orbitSamples = new Option<int>("--orbit-samples") { Description = "(x0, r) samples for the cycle search (paper form: 16× this, at most all 256 keys)", DefaultValueFactory = _ => 16 };
        var equivalence = new Option<int>("--equivalence-samples") { Description = "logistic mode: (x0, r) samples for the equivalent-key search (seconds each)", DefaultValueFactory = _ => 8 };
        var threads = new Option<int>("--threads") { Description = "images analysed in parallel", DefaultValueFactory = _ => Environment.ProcessorCount };

        var cmd = new Command("analyze", "Cipher security analysis: statistics, differential and key tests, attacks; writes report.md, figures and JSON")
        {
            cipher, images, outDir, json, seed, quick, figures, crop, orbitIterations, orbitSamples, equivalence, threads,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            var options = new AnalysisOptions
            {
                Mode = pr.GetRequiredValue(cipher),
                Seed = pr.GetValue(seed),
                Quick = pr.GetValue(quick),
                FigureImages = pr.GetValue(figures),
                FigureCrop = pr.GetValue(crop),
                OrbitIterations = pr.GetValue(orbitIterations),
                OrbitSamples = pr.GetValue(orbitSamples),
                EquivalenceSamples = pr.GetValue(equivalence),
                Threads = pr.GetValue(threads),
            };
            string dir = pr.GetValue(outDir) ?? Path.Combine("analysis", options.Mode);
            var input = CipherAnalyzer.LoadImages(pr.GetRequiredValue(images));
            AnalysisReport report = null!;
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async ctx =>
                {
                    var progress = new SpectreProgress(ctx);
                    report = await Task.Run(() => CipherAnalyzer.Run(input, options, dir, progress, ct), ct);
                });
            ReportWriter.WriteMarkdown(report, Path.Combine(dir, "report.md"));
            if (pr.GetValue(json) is { } jsonPath) ReportWriter.WriteJson(report, jsonPath);

            var judged = report.Summary.Where(t => !t.Diagnostic && t.Total > 0).ToList();
            var table = new Table().AddColumns("Test", "Passed", "Verdict");
            foreach (var t in judged)
                table.AddRow(Markup.Escape(t.Test), $"{t.Passed}/{t.Total}", t.Verdict ? "[green]PASS[/]" : "[red]FAIL[/]");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"{Markup.Escape(options.Mode)}: {judged.Count(t => t.Verdict)} of {judged.Count} tests pass; " +
                                   $"report: {Markup.Escape(Path.Combine(dir, "report.md"))}");
            return 0;
        });
        return cmd;
    }

    /// <summary>Maps analysis phases onto Spectre progress tasks (created on first report).</summary>
    private sealed class SpectreProgress(ProgressContext ctx) : IAnalysisProgress
    {
        private readonly Dictionary<string, ProgressTask> _tasks = [];

        public void Report(string phase, int done, int total)
        {
            lock (_tasks)
            {
                if (!_tasks.TryGetValue(phase, out var task))
                    _tasks[phase] = task = ctx.AddTask(phase, maxValue: Math.Max(1, total));
                task.MaxValue = Math.Max(1, total);
                task.Value = done;
            }
        }
    }
}
