using System.CommandLine;
using System.Globalization;
using SecureTransmit.Lab.Data;
using SecureTransmit.Lab.Training;
using SecureTransmit.Metrics.Charts;
using SecureTransmit.Neural.Models;
using Spectre.Console;

namespace SecureTransmit.Lab.Commands;

/// <summary>
/// <c>lab train --model lic-N</c>: rate–distortion training of a learned codec on a folder of photographs, with a
/// live progress bar (loss, bpp, PSNR, ETA), validation every <c>--eval-every</c> steps (metrics.csv, SVG curves),
/// a checkpoint every 100 steps and on Ctrl-C/SIGTERM, <c>--resume</c>, and <c>--init-from</c> to fine-tune another
/// operating point's weights to this one's λ.
/// </summary>
internal static class TrainLic
{
    internal sealed class Options
    {
        public Option<double?> Lambda { get; } = new("--lambda") { Description = "lic: rate–distortion weight (default: the model's)" };
        public Option<int> Steps { get; } = new("--steps") { Description = "lic: optimizer steps to end at (total over resumed runs)", DefaultValueFactory = _ => 20_000 };
        public Option<int> Crop { get; } = new("--crop") { Description = "lic: training crop side (multiple of 16)", DefaultValueFactory = _ => 128 };
        public Option<string?> InitFrom { get; } = new("--init-from") { Description = "lic: start from this checkpoint's weights (fine-tune to a new λ)" };
        public Option<double> Clip { get; } = new("--clip") { Description = "lic: gradient-norm clip, 0 = off", DefaultValueFactory = _ => 1.0 };
        public Option<int> EvalEvery { get; } = new("--eval-every") { Description = "lic: validate every N steps", DefaultValueFactory = _ => 250 };
        public Option<double> PriorLr { get; } = new("--prior-lr") { Description = "lic: Adam step size of the entropy model", DefaultValueFactory = _ => 5e-3 };
    }

    public static int Run(ParseResult pr, CancellationToken ct, LicSpec spec, Options lic, Option<string[]> data, Option<int> batch,
        Option<double> lr, Option<int> seed, Option<string> output, Option<string?> resume, Option<int?> stopAfter, Option<bool> export)
    {
        var options = new LicTrainOptions
        {
            Lambda = pr.GetValue(lic.Lambda) ?? spec.Lambda,
            Steps = pr.GetValue(lic.Steps),
            BatchSize = pr.GetResult(batch) is { Implicit: false } ? pr.GetValue(batch) : 8,
            Crop = pr.GetValue(lic.Crop),
            LearningRate = pr.GetResult(lr) is { Implicit: false } ? pr.GetValue(lr) : 1e-4,
            ClipNorm = pr.GetValue(lic.Clip),
            Seed = pr.GetValue(seed),
            EvalEvery = pr.GetValue(lic.EvalEvery),
            PriorLearningRate = pr.GetValue(lic.PriorLr),
        };
        options.Validate();
        var folders = pr.GetRequiredValue(data);
        if (folders.Length != 1) throw new ArgumentException("lic training takes one image folder as --data");
        var outDir = pr.GetRequiredValue(output);
        Directory.CreateDirectory(outDir);
        var checkpoint = Path.Combine(outDir, "checkpoint.safetensors");

        PhotoCrops photos = null!;
        AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var t = ctx.AddTask("loading photographs", maxValue: 1);
                photos = new PhotoCrops(folders[0], options.Crop, progress: (d, n) => { t.MaxValue = n; t.Value = d; });
            });
        var trainer = new LicTrainer(spec, photos, options);
        if (pr.GetValue(resume) is { } from)
        {
            trainer.LoadCheckpoint(from);
            AnsiConsole.MarkupLine($"resumed [bold]{spec.Name}[/] from {Markup.Escape(from)} at step {trainer.State.Step}");
        }
        else if (pr.GetValue(lic.InitFrom) is { } init)
        {
            trainer.InitializeFrom(init);
            AnsiConsole.MarkupLine($"[bold]{spec.Name}[/] starts from the weights of {Markup.Escape(init)}");
        }
        if (pr.GetValue(export))
        {
            if (pr.GetValue(resume) is null) throw new ArgumentException("--export needs --resume CHECKPOINT");
            var (e, d, id) = SecureTransmit.Codec.LicModelFiles.Export(trainer.Network, outDir);
            WriteReports(outDir, spec, trainer.State.History);
            AnsiConsole.MarkupLine($"exported step {trainer.State.Step}: {Markup.Escape(e)}, {Markup.Escape(d)} (model id {id[..16]}…)");
            return 0;
        }
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "training [bold]{0}[/] (λ = {1}) on {2}: {3} files, {4} training images (with half-size copies), {5} validation; {6} steps of {7}×{8}² crops",
            spec.Name, options.Lambda, Markup.Escape(photos.Name), photos.Files, photos.TrainCount, photos.Validation.Count, options.Steps, options.BatchSize, options.Crop);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
        int stepsRun = 0;
        int? stopAt = pr.GetValue(stopAfter);
        bool finished = false;
        trainer.OnCheckpoint = () => trainer.SaveCheckpoint(checkpoint);
        AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(spec.Name, maxValue: options.Steps);
                task.Value = trainer.State.Step;
                double ema = double.NaN, emaBpp = double.NaN, emaPsnr = double.NaN;
                trainer.OnStep = (step, loss, bpp, psnr) =>
                {
                    ema = double.IsNaN(ema) ? loss : 0.98 * ema + 0.02 * loss;
                    emaBpp = double.IsNaN(emaBpp) ? bpp : 0.98 * emaBpp + 0.02 * bpp;
                    emaPsnr = double.IsNaN(emaPsnr) ? psnr : 0.98 * emaPsnr + 0.02 * psnr;
                    task.Value = step;
                    task.Description = string.Format(CultureInfo.InvariantCulture, "{0} step {1}/{2} loss {3:0.000} bpp {4:0.000} PSNR {5:0.00}", spec.Name, step, options.Steps, ema, emaBpp, emaPsnr);
                    if (stopAt is { } s && ++stepsRun >= s) cts.Cancel();
                };
                trainer.OnEval = m =>
                {
                    AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "step {0,6}: train loss {1:0.0000} bpp {2:0.0000} PSNR {3:0.00} | val loss {4:0.0000} bpp {5:0.0000} PSNR {6:0.00} dB ({7:0} s)",
                        m.Step, m.TrainLoss, m.TrainBpp, m.TrainPsnr, m.ValLoss, m.ValBpp, m.ValPsnr, m.Seconds);
                    trainer.SaveCheckpoint(checkpoint);
                    WriteReports(outDir, spec, trainer.State.History);
                };
                finished = trainer.Run(cts.Token);
            });
        Console.CancelKeyPress -= onCancel;
        trainer.SaveCheckpoint(checkpoint);
        WriteReports(outDir, spec, trainer.State.History);
        if (!finished)
        {
            AnsiConsole.MarkupLine($"[yellow]stopped[/] at step {trainer.State.Step}: checkpoint saved to {Markup.Escape(checkpoint)}; continue with --resume {Markup.Escape(checkpoint)}");
            return stopAt is null ? 130 : 0;
        }
        var (encPath, decPath, modelId) = SecureTransmit.Codec.LicModelFiles.Export(trainer.Network, outDir);
        AnsiConsole.MarkupLine($"done: step {trainer.State.Step} in {trainer.State.ElapsedSeconds:0} s; {Markup.Escape(encPath)}, {Markup.Escape(decPath)} (model id {modelId[..16]}…)");
        return 0;
    }

    private static void WriteReports(string dir, LicSpec spec, IReadOnlyList<LicMetrics> history)
    {
        TrainCommand.WriteMetricsCsv(dir, LicTrainer.Csv(history));
        if (history.Count == 0) return;
        double[] st = [.. history.Select(h => (double)h.Step)];
        new LineChart { Title = $"{spec.Name}: rate–distortion loss", XLabel = "step", YLabel = "λ·255²·MSE + bpp", LogY = true, ShowMarkers = true }
            .AddSeries("train", st, [.. history.Select(h => h.TrainLoss)])
            .AddSeries("validation", st, [.. history.Select(h => h.ValLoss)])
            .Save(Path.Combine(dir, "loss.svg"));
        new LineChart { Title = $"{spec.Name}: validation PSNR (dB) and bpp", XLabel = "step", YLabel = "PSNR dB", ShowMarkers = true }
            .AddSeries("val PSNR", st, [.. history.Select(h => h.ValPsnr)])
            .AddSeries("train PSNR", st, [.. history.Select(h => h.TrainPsnr)])
            .Save(Path.Combine(dir, "psnr.svg"));
        new LineChart { Title = $"{spec.Name}: bits per pixel", XLabel = "step", YLabel = "bpp", ShowMarkers = true }
            .AddSeries("val", st, [.. history.Select(h => h.ValBpp)])
            .AddSeries("train", st, [.. history.Select(h => h.TrainBpp)])
            .Save(Path.Combine(dir, "bpp.svg"));
    }
}
