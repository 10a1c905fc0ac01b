using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SecureTransmit.Lab.Data;
using SecureTransmit.Metrics;
using SecureTransmit.Neural;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Lab.Training;

/// <summary>Settings of one training run. <see cref="Validate"/> names the first bad value.</summary>
internal sealed record TrainOptions
{
    public int Epochs { get; init; } = 50;
    public int BatchSize { get; init; } = 256;
    public double LearningRate { get; init; } = 1e-3;
    public int Seed { get; init; } = 1;
    /// <summary>Keras's epsilon convention for Adam (paper A trained in Keras).</summary>
    public bool KerasEpsilon { get; init; }

    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException("--epochs must be at least 1");
        if (BatchSize < 1) throw new ArgumentException("--batch must be at least 1");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentException("--lr must be a positive number");
    }
}

/// <summary>Figures of one epoch, as written to metrics.csv.</summary>
internal sealed record EpochMetrics(int Epoch, double TrainLoss, double ValLoss, double ValKerasAccuracy, double ValPsnr, double TrainKerasAccuracy, double Seconds);

/// <summary>Where a run stands; what a checkpoint stores besides the weights and the optimizer state.</summary>
internal sealed record TrainState
{
    public required string Model { get; init; }
    public required TrainOptions Options { get; init; }
    /// <summary>Epochs finished.</summary>
    public int Epoch { get; init; }
    /// <summary>Batches finished inside the current epoch (a mid-epoch checkpoint).</summary>
    public int Batch { get; init; }
    public double LossSum { get; init; }
    public double AccuracySum { get; init; }
    public long Samples { get; init; }
    public double ElapsedSeconds { get; init; }
    public List<EpochMetrics> History { get; init; } = [];
}

/// <summary>
/// Trains an autoencoder (encoder then decoder) with Adam on the MSE between input and reconstruction,
/// in deterministic order: epoch e visits the training set in the permutation of seed·1000 + e, so a
/// run resumed from a checkpoint (even one taken mid-epoch) follows the same loss curve as one never stopped.
/// </summary>
internal sealed class Trainer
{
    private readonly ModelSpec _spec;
    private readonly Module _encoder;
    private readonly Module _decoder;
    private readonly Adam _adam;
    private readonly MSELoss _loss = new(reuseBuffers: true);
    private readonly IImageDataset _train;
    private readonly IImageDataset _val;

    public Trainer(ModelSpec spec, IImageDataset train, IImageDataset val, TrainOptions options)
    {
        options.Validate();
        if (train.Channels != spec.InputChannels || train.Size != spec.TileSize)
            throw new DatasetException($"{train.Name}: samples are {train.Channels}×{train.Size}×{train.Size}, model {spec.Name} needs {spec.InputChannels}×{spec.TileSize}×{spec.TileSize}");
        if (train.Count == 0) throw new DatasetException($"{train.Name}: no training samples");
        if (val.Count == 0) throw new DatasetException($"{val.Name}: no validation samples");
        _spec = spec;
        _train = train;
        _val = val;
        Init.ManualSeed((ulong)options.Seed);
        _encoder = spec.CreateEncoder();
        _decoder = spec.CreateDecoder();
        _encoder.ReuseBuffers();
        _decoder.ReuseBuffers();
        _adam = new Adam(_encoder.NamedParameters("encoder.").Concat(_decoder.NamedParameters("decoder.")),
            new AdamOptions { LearningRate = options.LearningRate, Epsilon = options.KerasEpsilon ? 1e-7 : 1e-8, KerasEpsilon = options.KerasEpsilon });
        State = new TrainState { Model = spec.Name, Options = options };
    }

    public TrainState State { get; private set; }
    public Module Encoder => _encoder;
    public Module Decoder => _decoder;
    public ModelSpec Spec => _spec;
    public int BatchesPerEpoch => (_train.Count + State.Options.BatchSize - 1) / State.Options.BatchSize;

    /// <summary>Called after every batch with (epoch, batch, running mean loss).</summary>
    public Action<int, int, double>? OnBatch { get; set; }

    /// <summary>Called after every epoch.</summary>
    public Action<EpochMetrics>? OnEpoch { get; set; }

    /// <summary>Trains until <see cref="TrainOptions.Epochs"/> are done or <paramref name="ct"/> is cancelled (returns false then, at a batch boundary).</summary>
    public bool Run(CancellationToken ct)
    {
        var o = State.Options;
        int C = _spec.InputChannels, S = _spec.TileSize, sample = C * S * S;
        var x = new Tensor(o.BatchSize, C, S, S);
        var clock = Stopwatch.StartNew();
        double elapsedBefore = State.ElapsedSeconds;
        while (State.Epoch < o.Epochs)
        {
            int epoch = State.Epoch;
            var order = Shuffle.Permutation(_train.Count, o.Seed * 1000 + epoch);
            double lossSum = State.LossSum, accSum = State.AccuracySum;
            long samples = State.Samples;
            var epochClock = Stopwatch.StartNew();
            _encoder.Train();
            _decoder.Train();
            for (int b = State.Batch; b < BatchesPerEpoch; b++)
            {
                if (ct.IsCancellationRequested)
                {
                    State = State with { Batch = b, LossSum = lossSum, AccuracySum = accSum, Samples = samples, ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds };
                    return false;
                }
                int n = Math.Min(o.BatchSize, _train.Count - b * o.BatchSize);
                var batch = n == o.BatchSize ? x : new Tensor(n, C, S, S);
                int start = b * o.BatchSize;
                Parallel.For(0, n, i => _train.CopyPlanar(order[start + i], batch.Data.AsSpan(i * sample, sample)));
                _adam.ZeroGrad();
                var z = _encoder.Forward(batch);
                var y = _decoder.Forward(z);
                float loss = _loss.Forward(y, batch);
                if (!float.IsFinite(loss)) throw new InvalidOperationException($"training diverged at epoch {epoch + 1}, batch {b + 1} (loss {loss}); try a lower --lr");
                var g = _decoder.Backward(_loss.Backward());
                _encoder.Backward(g);
                _adam.Step();
                lossSum += (double)loss * n;
                if (C == 3) accSum += BatchAccuracy(batch, y, n, S) * n;
                samples += n;
                OnBatch?.Invoke(epoch, b, lossSum / samples);
            }
            var (valLoss, valAcc, valPsnr) = Evaluate(_val);
            var m = new EpochMetrics(epoch + 1, lossSum / samples, valLoss, valAcc, valPsnr, C == 3 ? accSum / samples : double.NaN, epochClock.Elapsed.TotalSeconds);
            State = State with
            {
                Epoch = epoch + 1, Batch = 0, LossSum = 0, AccuracySum = 0, Samples = 0,
                ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds,
                History = [.. State.History, m],
            };
            OnEpoch?.Invoke(m);
        }
        return true;
    }

    /// <summary>Mean MSE, Keras categorical accuracy (NaN for one-channel models) and PSNR (from the mean MSE, peak 1.0) on a dataset.</summary>
    public (double Loss, double KerasAccuracy, double Psnr) Evaluate(IImageDataset data, int batchSize = 500)
    {
        _encoder.Eval();
        _decoder.Eval();
        int C = _spec.InputChannels, S = _spec.TileSize, sample = C * S * S;
        double sse = 0, acc = 0;
        for (int first = 0; first < data.Count; first += batchSize)
        {
            int n = Math.Min(batchSize, data.Count - first);
            var x = new Tensor(n, C, S, S);
            Parallel.For(0, n, i => data.CopyPlanar(first + i, x.Data.AsSpan(i * sample, sample)));
            var y = _decoder.Forward(_encoder.Forward(x));
            sse += ImageQuality.Mse(x.Span, y.Span[..x.Length]) * x.Length;
            if (C == 3) acc += BatchAccuracy(x, y, n, S) * n;
        }
        _encoder.Train();
        _decoder.Train();
        double mse = sse / ((double)data.Count * sample);
        return (mse, C == 3 ? acc / data.Count : double.NaN, ImageQuality.PsnrFromMse(mse, 1.0));
    }

    private static double BatchAccuracy(Tensor x, Tensor y, int n, int s)
    {
        int sample = 3 * s * s;
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += ImageQuality.KerasCategoricalAccuracyPlanar(x.Data.AsSpan(i * sample, sample), y.Data.AsSpan(i * sample, sample), s, s, 3);
        return sum / n;
    }

    // ---- checkpoints ----

    private const string StateKey = "train_state";

    public void SaveCheckpoint(string path)
    {
        var tensors = _encoder.StateDict("encoder.").Concat(_decoder.StateDict("decoder."))
            .Concat(_adam.StateDict().Select(t => ("optim." + t.Name, t.Value)));
        var meta = new Dictionary<string, string>
        {
            ["architecture"] = _spec.Name,
            ["format"] = "securetransmit-checkpoint-v1",
            [StateKey] = JsonSerializer.Serialize(State, JsonOptions),
        };
        SafeTensors.Save(path, tensors, meta);
    }

    public void LoadCheckpoint(string path)
    {
        var file = SafeTensors.Load(path);
        if (!file.Metadata.TryGetValue("architecture", out var arch) || arch != _spec.Name)
            throw new WeightFileException($"{path}: checkpoint is for '{arch ?? "unknown"}', not '{_spec.Name}'");
        if (!file.Metadata.TryGetValue(StateKey, out var json))
            throw new WeightFileException($"{path}: not a training checkpoint (no {StateKey})");
        var state = JsonSerializer.Deserialize<TrainState>(json, JsonOptions) ?? throw new WeightFileException($"{path}: unreadable {StateKey}");
        _encoder.LoadStateDict(Sub(file.Tensors, "encoder."));
        _decoder.LoadStateDict(Sub(file.Tensors, "decoder."));
        _adam.LoadStateDict(Sub(file.Tensors, "optim."));
        // Keep the run's data-order settings; epochs may be extended on resume.
        State = state with { Options = state.Options with { Epochs = State.Options.Epochs } };
    }

    private static Dictionary<string, Tensor> Sub(IReadOnlyDictionary<string, Tensor> all, string prefix) =>
        all.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    private static readonly JsonSerializerOptions JsonOptions = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static string Csv(IEnumerable<EpochMetrics> history)
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string> { "epoch,train_loss,val_loss,train_keras_accuracy,val_keras_accuracy,val_psnr_db,seconds" };
        foreach (var m in history)
            lines.Add(string.Join(',', m.Epoch.ToString(inv), m.TrainLoss.ToString("R", inv), m.ValLoss.ToString("R", inv),
                m.TrainKerasAccuracy.ToString("R", inv), m.ValKerasAccuracy.ToString("R", inv), m.ValPsnr.ToString("F4", inv), m.Seconds.ToString("F2", inv)));
        return string.Join('\n', lines) + "\n";
    }
}
