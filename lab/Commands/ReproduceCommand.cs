using System.CommandLine;
using System.Globalization;
using SecureTransmit.Lab.PaperB;
using Spectre.Console;

namespace SecureTransmit.Lab.Commands;

/// <summary>
/// <c>lab reproduce paper-b</c>: paper B's experiment (per-image stacked autoencoder on 8×8 patches, CR 4:1 and
/// 16:1, logistic-map XOR of the compressed image), written as a Markdown table beside the paper's numbers, JSON
/// and PNG figures.
/// </summary>
[LabCommand(40)]
internal static class ReproduceCommand
{
    public static Command Create()
    {
        var cmd = new Command("reproduce", "Reproduce a paper's experiment and compare with its published numbers");
        cmd.Add(PaperB());
        return cmd;
    }

    private static Command PaperB()
    {
        var defaults = new SaeTrainingOptions();
        var images = new Option<string>("--images") { Description = "folder with house.tiff, 4.2.05.tiff (airplane), 4.2.06.tiff (lake), 4.2.07.tiff (peppers)", DefaultValueFactory = _ => DefaultImages() };
        var output = new Option<string>("--out") { Description = "folder for README.md, results.json and the PNG figures", DefaultValueFactory = _ => "docs/paper-b" };
        var epochs = new Option<int?>("--epochs") { Description = $"epochs of each of the three stages (pre-training 1, pre-training 2, fine-tuning); default {defaults.PretrainEpochs1}/{defaults.PretrainEpochs2}/{defaults.FineTuneEpochs}" };
        var runs = new Option<int>("--runs") { Description = "repetitions with seeds S, S+1, …; means over them are reported", DefaultValueFactory = _ => 10 };
        var seed = new Option<ulong>("--seed") { Description = "seed S of the first run", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "mini-batch size", DefaultValueFactory = _ => defaults.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate of pre-training", DefaultValueFactory = _ => defaults.PretrainLearningRate };
        var fineLr = new Option<double>("--finetune-lr") { Description = "Adam learning rate of fine-tuning", DefaultValueFactory = _ => defaults.FineTuneLearningRate };
        var r = new Option<double>("--r") { Description = "logistic map r (the paper does not give it)", DefaultValueFactory = _ => Security.PaperLogisticCipher.DefaultR };
        var threads = new Option<int>("--threads") { Description = "trainings run in parallel", DefaultValueFactory = _ => Environment.ProcessorCount };
        var objective = new Option<string>("--finetune-objective") { Description = "both: fine-tune on the 4:1 and 16:1 reconstruction errors together; stack: on the 16:1 stack output only (the paper's literal reading)", DefaultValueFactory = _ => "both" };
        objective.AcceptOnlyFromAmong("both", "stack");
        var noCompare = new Option<bool>("--no-compare") { Description = "skip the extra fine-tuning of a copy with the other objective" };
        var noFigures = new Option<bool>("--no-figures") { Description = "write README.md and results.json only" };
        var json = new Option<string?>("--json") { Description = "also write every number as JSON to this file (results.json is always written to --out)" };
        var cmd = new Command("paper-b", "Paper B: per-image stacked autoencoder (64-16-4) compression at 4:1 and 16:1, logistic XOR encryption; Tables 1-3 and Figs. 4-6")
            { images, output, epochs, runs, seed, batch, lr, fineLr, objective, noCompare, r, threads, noFigures, json };
        cmd.SetAction(async (pr, ct) =>
        {
            var training = new SaeTrainingOptions { BatchSize = pr.GetValue(batch), PretrainLearningRate = pr.GetValue(lr), FineTuneLearningRate = pr.GetValue(fineLr),
                Objective = pr.GetValue(objective) == "stack" ? FineTuneObjective.Stack : FineTuneObjective.BothRatios };
            if (pr.GetValue(epochs) is { } e) training = training.WithEpochs(e);
            var options = new PaperBOptions
            {
                Runs = pr.GetValue(runs), Seed = pr.GetValue(seed), R = pr.GetValue(r), Threads = pr.GetValue(threads), Training = training,
                CompareObjectives = !pr.GetValue(noCompare),
            };
            var dir = pr.GetRequiredValue(output);
            var input = PaperBReproduction.LoadImages(pr.GetRequiredValue(images));
            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "paper B: {0} images, {1} run(s) each; {2}; {3} in parallel",
                input.Count, options.Runs, Markup.Escape(training.ToString()), options.Threads);

            PaperBReport report = null!;
            await AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    long perImage = (long)options.Runs * options.EpochsPerRun;
                    var all = ctx.AddTask("all trainings", maxValue: Math.Max(1, perImage * input.Count));
                    var bars = input.Select(i => ctx.AddTask($"{i.Name}: run 0/{options.Runs}", maxValue: Math.Max(1, perImage))).ToArray();
                    var done = new int[input.Count];
                    report = await Task.Run(() => PaperBReproduction.Run(input, options,
                        onEpoch: i => { bars[i].Increment(1); all.Increment(1); },
                        onRunDone: (i, run) =>
                        {
                            int d = Interlocked.Increment(ref done[i]);
                            bars[i].Description = string.Create(CultureInfo.InvariantCulture,
                                $"{input[i].Name}: run {d}/{options.Runs}, PSNR 4:1 {run.Ratio4.Psnr.Average():0.00} dB, 16:1 {run.Ratio16.Psnr.Average():0.00} dB");
                        },
                        cancellationToken: ct), ct);
                    foreach (var b in bars.Append(all)) b.Value = b.MaxValue;
                });

            string commandLine = "lab reproduce paper-b " + string.Join(" ", pr.Tokens.Select(t => t.Value).SkipWhile(v => v is "reproduce" or "paper-b"));
            var jsonObject = PaperBReportWriter.ToJson(report, commandLine.TrimEnd());
            var text = PaperBReportWriter.JsonText(jsonObject);
            PaperBReportWriter.WriteAtomic(Path.Combine(dir, "results.json"), text);
            if (pr.GetValue(json) is { } jp) PaperBReportWriter.WriteAtomic(jp, text);
            bool figures = !pr.GetValue(noFigures);
            if (figures) PaperBReportWriter.WriteFigures(report, input, dir);
            PaperBReportWriter.WriteAtomic(Path.Combine(dir, "README.md"), PaperBMarkdown.ToMarkdown(report, commandLine.TrimEnd(), figures,
                [.. Directory.EnumerateDirectories(dir).Where(d => File.Exists(Path.Combine(d, "README.md"))).Select(Path.GetFileName).Order(StringComparer.Ordinal)!]));
            AnsiConsole.Write(Summary(report));
            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "done in {0:0} s: {1}", report.Seconds, Markup.Escape(Path.Combine(dir, "README.md")));
            return 0;
        });
        return cmd;
    }

    private static Table Summary(PaperBReport report)
    {
        var t = new Table().AddColumns("image", "PSNR 4:1 R/G/B (paper)", "PSNR 16:1 R/G/B (paper)", "corr 4:1 rec / enc (paper)", "corr 16:1 rec / enc (paper)");
        static string Ch(double[] ours, double[]? paper) => string.Join(" ", ours.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)))
            + (paper is null ? "" : " (" + string.Join(" ", paper.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture))) + ")");
        foreach (var im in report.Images)
        {
            double[] p4 = [.. Enumerable.Range(0, 3).Select(c => PaperBReproduction.Mean(im.Runs.Select(r => r.Ratio4.Psnr[c])))];
            double[] p16 = [.. Enumerable.Range(0, 3).Select(c => PaperBReproduction.Mean(im.Runs.Select(r => r.Ratio16.Psnr[c])))];
            var c4 = PaperBReportWriter.MeanCorr(im.Runs.Select(r => r.Ratio4.Reconstructed)).Horizontal;
            var e4 = PaperBReportWriter.MeanCorr(im.Runs.Select(r => r.Ratio4.Encrypted)).Horizontal;
            var c16 = PaperBReportWriter.MeanCorr(im.Runs.Select(r => r.Ratio16.Reconstructed)).Horizontal;
            var e16 = PaperBReportWriter.MeanCorr(im.Runs.Select(r => r.Ratio16.Encrypted)).Horizontal;
            bool known = PaperBPublished.Psnr4.ContainsKey(im.Name);
            var pc = known ? PaperBPublished.Correlation[im.Name] : default;
            t.AddRow(im.Name, Ch(p4, known ? PaperBPublished.Psnr4[im.Name] : null), Ch(p16, known ? PaperBPublished.Psnr16[im.Name] : null),
                string.Create(CultureInfo.InvariantCulture, $"{c4:0.0000} / {e4:0.0000}") + (known ? string.Create(CultureInfo.InvariantCulture, $" ({pc.Compressed4:0.0000} / {pc.Encrypted4:0.0000})") : ""),
                string.Create(CultureInfo.InvariantCulture, $"{c16:0.0000} / {e16:0.0000}") + (known ? string.Create(CultureInfo.InvariantCulture, $" ({pc.Compressed16:0.0000} / {pc.Encrypted16:0.0000})") : ""));
        }
        return t;
    }

    /// <summary>The USC-SIPI folder beside the checkout (../shared/datasets/usc-sipi), else ./usc-sipi.</summary>
    internal static string DefaultImages()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SecureTransmit.sln")))
                return Path.GetFullPath(Path.Combine(d.FullName, "..", "shared", "datasets", "usc-sipi"));
        return "usc-sipi";
    }
}
