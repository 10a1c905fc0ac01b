using System.CommandLine;
using System.Globalization;
using SecureTransmit.Lab.Data;
using SecureTransmit.Lab.Training;
using SecureTransmit.Metrics.Charts;
using SecureTransmit.Neural.Models;
using Spectre.Console;

namespace SecureTransmit.Lab.Commands;

/// <summary>
/// <c>lab train</c>: trains a model of the zoo on CIFAR-10 batch files or an image folder, with a live
/// progress bar, per-epoch metrics (CSV and SVG curves), checkpoints, <c>--resume</c>, and Ctrl-C that saves
/// a checkpoint and exits cleanly. The final weights are written as the split encoder/decoder files.
/// </summary>
[LabCommand(20)]
internal static class TrainCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model name (" + string.Join(", ", ModelZoo.Names.Concat(LicZoo.Names)) + ")", Required = true };
        var data = new Option<string[]>("--data") { Description = "CIFAR-10 batch files, or one image folder", Required = true, AllowMultipleArgumentsPerToken = true };
        var val = new Option<string[]>("--val") { Description = "validation data (CIFAR-10 batch files or a folder); default: a held-out split of --data", AllowMultipleArgumentsPerToken = true };
        var valFraction = new Option<double>("--val-fraction") { Description = "held-out fraction when --val is not given", DefaultValueFactory = _ => 0.1 };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 50 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 256 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 1e-3 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var kerasEps = new Option<bool>("--keras-eps") { Description = "Adam epsilon as Keras applies it (1e-7, on the bias-corrected step)" };
        var limit = new Option<int?>("--limit") { Description = "use only the first N training samples (after shuffling)" };
        var output = new Option<string>("--out") { Description = "run folder: checkpoints, metrics.csv, curves, final weights", DefaultValueFactory = _ => "runs/train" };
        var resume = new Option<string?>("--resume") { Description = "checkpoint to continue from" };
        var stopAfter = new Option<int?>("--stop-after-batches") { Description = "save a checkpoint and stop after this many batches (to test resuming)" };
        var valLimit = new Option<int?>("--val-limit") { Description = "validate on only the first N validation samples" };
        var export = new Option<bool>("--export") { Description = "with --resume: write the checkpoint's weights as the split encoder/decoder files without training" };
        var lic = new TrainLic.Options();
        var cmd = new Command("train", "Train an autoencoder (Adam, MSE) or a lic codec (rate–distortion) with progress, checkpoints and metrics")
            { model, data, val, valFraction, epochs, batch, lr, seed, kerasEps, limit, output, resume, stopAfter, valLimit, export,
              lic.Lambda, lic.Steps, lic.Crop, lic.InitFrom, lic.Clip, lic.EvalEvery, lic.PriorLr };
        cmd.SetAction((pr, ct) => Task.FromResult(
            LicZoo.TryGet(pr.GetRequiredValue(model), out var spec)
                ? TrainLic.Run(pr, ct, spec, lic, data, batch, lr, seed, output, resume, stopAfter, export)
                : Run(pr, ct, model, data, val, valFraction, epochs, batch, lr, seed, kerasEps, limit, output, resume, stopAfter, valLimit, export)));
        return cmd;
    }

    private static int Run(ParseResult pr, CancellationToken ct, Option<string> model, Option<string[]> data, Option<string[]> val,
        Option<double> valFraction, Option<int> epochs, Option<int> batch, Option<double> lr, Option<int> seed, Option<bool> kerasEps,
        Option<int?> limit, Option<string> output, Option<string?> resume, Option<int?> stopAfter, Option<int?> valLimit, Option<bool> export)
    {
        var spec = ModelZoo.Get(pr.GetRequiredValue(model));
        var options = new TrainOptions
        {
            Epochs = pr.GetValue(epochs), BatchSize = pr.GetValue(batch), LearningRate = pr.GetValue(lr),
            Seed = pr.GetValue(seed), KerasEpsilon = pr.GetValue(kerasEps),
        };
        options.Validate();
        var (train, validation) = OpenData(spec, pr.GetRequiredValue(data), pr.GetValue(val), pr.GetValue(valFraction), options.Seed);
        if (pr.GetValue(limit) is { } n)
        {
            if (n < 1) throw new ArgumentException("--limit must be at least 1");
            var perm = Shuffle.Permutation(train.Count, options.Seed);
            train = new SubsetDataset(train, perm[..Math.Min(n, train.Count)], train.Name + $" (first {n})");
        }
        if (pr.GetValue(valLimit) is { } vn)
        {
            if (vn < 1) throw new ArgumentException("--val-limit must be at least 1");
            validation = new SubsetDataset(validation, [.. Enumerable.Range(0, Math.Min(vn, validation.Count))], validation.Name + $" (first {vn})");
        }
        var outDir = pr.GetRequiredValue(output);
        Directory.CreateDirectory(outDir);
        var trainer = new Trainer(spec, train, validation, options);
        var checkpoint = Path.Combine(outDir, "checkpoint.safetensors");
        if (pr.GetValue(resume) is { } from)
        {
            trainer.LoadCheckpoint(from);
            AnsiConsole.MarkupLine($"resumed [bold]{spec.Name}[/] from {Markup.Escape(from)} at epoch {trainer.State.Epoch}, batch {trainer.State.Batch}");
        }
        if (pr.GetValue(export))
        {
            if (pr.GetValue(resume) is null) throw new ArgumentException("--export needs --resume CHECKPOINT");
            var (e, d, id) = ModelFiles.SaveSplit(spec, trainer.Encoder, trainer.Decoder, outDir);
            WriteReports(outDir, spec, trainer.State.History);
            AnsiConsole.MarkupLine($"exported epoch {trainer.State.Epoch} (+{trainer.State.Batch} batches): {Markup.Escape(e)}, {Markup.Escape(d)} (model id {id[..16]}…)");
            return 0;
        }
        AnsiConsole.MarkupLine($"training [bold]{spec.Name}[/] on {Markup.Escape(train.Name)}: {train.Count} samples, validation {validation.Count}, {options.Epochs} epochs × {trainer.BatchesPerEpoch} batches of {options.BatchSize}");

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Ctrl-C (SIGINT) and SIGTERM stop at the next batch boundary; the checkpoint is saved before exiting.
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
        int batchesRun = 0;
        int? stopAt = pr.GetValue(stopAfter);
        bool finished = false;
        var progress = AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn());
        progress.Start(ctx =>
        {
            long total = (long)options.Epochs * trainer.BatchesPerEpoch;
            var task = ctx.AddTask($"{spec.Name}", maxValue: total);
            task.Value = (long)trainer.State.Epoch * trainer.BatchesPerEpoch + trainer.State.Batch;
            trainer.OnBatch = (e, b, loss) =>
            {
                task.Value = (long)e * trainer.BatchesPerEpoch + b + 1;
                task.Description = $"{spec.Name} epoch {e + 1}/{options.Epochs} loss {loss:0.000000}";
                if (stopAt is { } s && ++batchesRun >= s) cts.Cancel();
            };
            trainer.OnEpoch = m =>
            {
                AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "epoch {0,3}: train loss {1:0.000000}  val loss {2:0.000000}  val Keras accuracy {3:P2}  val PSNR {4:0.00} dB  ({5:0.0} s)",
                    m.Epoch, m.TrainLoss, m.ValLoss, m.ValKerasAccuracy, m.ValPsnr, m.Seconds);
                trainer.SaveCheckpoint(checkpoint);
                WriteReports(outDir, spec, trainer.State.History);
            };
            finished = trainer.Run(cts.Token);
        });

        Console.CancelKeyPress -= onCancel;
        if (!finished)
        {
            trainer.SaveCheckpoint(checkpoint);
            AnsiConsole.MarkupLine($"[yellow]stopped[/] at epoch {trainer.State.Epoch + 1}, batch {trainer.State.Batch}: checkpoint saved to {Markup.Escape(checkpoint)}; continue with --resume {Markup.Escape(checkpoint)}");
            return stopAt is null ? 130 : 0;
        }
        var (encPath, decPath, modelId) = ModelFiles.SaveSplit(spec, trainer.Encoder, trainer.Decoder, outDir);
        WriteReports(outDir, spec, trainer.State.History);
        AnsiConsole.MarkupLine($"done in {trainer.State.ElapsedSeconds:0} s: {Markup.Escape(encPath)}, {Markup.Escape(decPath)} (model id {modelId[..16]}…)");
        return 0;
    }

    internal static (IImageDataset Train, IImageDataset Val) OpenData(ModelSpec spec, string[] data, string[]? val, double valFraction, int seed)
    {
        // Datasets yield RGB tiles of the model's tile size; one-plane models see each colour plane of each patch.
        int tile = spec.InputChannels == 1 ? 32 : spec.TileSize;
        var all = DataSources.Open(data, tile, CropMode.Random, seed);
        IImageDataset train, validation;
        if (val is { Length: > 0 }) (train, validation) = (all, DataSources.Open(val, tile, CropMode.Tiled, seed));
        else (train, validation) = DataSources.Split(all, valFraction, seed);
        if (spec.InputChannels == 1)
        {
            train = new PatchDataset(train, spec.TileSize);
            validation = new PatchDataset(validation, spec.TileSize);
        }
        return (train, validation);
    }

    /// <summary>Replaces the run folder's metrics.csv atomically (temporary file, then rename), for both trainers.</summary>
    internal static void WriteMetricsCsv(string dir, string csv)
    {
        var tmp = Path.Combine(dir, "metrics.csv.tmp");
        File.WriteAllText(tmp, csv);
        File.Move(tmp, Path.Combine(dir, "metrics.csv"), overwrite: true);
    }

    private static void WriteReports(string dir, ModelSpec spec, IReadOnlyList<EpochMetrics> history)
    {
        WriteMetricsCsv(dir, Trainer.Csv(history));
        if (history.Count == 0) return;
        double[] ep = [.. history.Select(h => (double)h.Epoch)];
        new LineChart { Title = $"{spec.Name}: loss (MSE) per epoch", XLabel = "epoch", YLabel = "MSE", LogY = true, ShowMarkers = true }
            .AddSeries("train", ep, [.. history.Select(h => h.TrainLoss)])
            .AddSeries("validation", ep, [.. history.Select(h => h.ValLoss)])
            .Save(Path.Combine(dir, "loss.svg"));
        if (spec.InputChannels == 3)
            new LineChart { Title = $"{spec.Name}: Keras categorical accuracy per epoch", XLabel = "epoch", YLabel = "accuracy", ShowMarkers = true }
                .AddSeries("train", ep, [.. history.Select(h => h.TrainKerasAccuracy)])
                .AddSeries("validation", ep, [.. history.Select(h => h.ValKerasAccuracy)])
                .Save(Path.Combine(dir, "accuracy.svg"));
    }
}
