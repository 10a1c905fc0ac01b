using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SecureTransmit.Lab.Data;
using SecureTransmit.Neural;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Lab.Training;

/// <summary>Settings of one <c>lic</c> training run. <see cref="Validate"/> names the first bad value.</summary>
internal sealed record LicTrainOptions
{
    /// <summary>Rate–distortion weight; default: the spec's.</summary>
    public double Lambda { get; init; }
    /// <summary>Optimizer steps the run ends at (counted from the first run of a resumed chain).</summary>
    public int Steps { get; init; } = 20_000;
    public int BatchSize { get; init; } = 8;
    public int Crop { get; init; } = 128;
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>
    /// Adam step size of the entropy model's parameters (few, and they must follow the latent's distribution as the
    /// transforms change it: at the transforms' rate a scale moves e-fold only every few thousand steps).
    /// </summary>
    public double PriorLearningRate { get; init; } = 5e-3;
    /// <summary>Global gradient-norm clip (CompressAI's clip_max_norm); 0 = off.</summary>
    public double ClipNorm { get; init; } = 1.0;
    public int Seed { get; init; } = 1;
    /// <summary>Validate (and write metrics/curves) every this many steps.</summary>
    public int EvalEvery { get; init; } = 250;
    /// <summary>Save the checkpoint every this many steps.</summary>
    public int CheckpointEvery { get; init; } = 100;

    public void Validate()
    {
        if (!(Lambda > 0) || !double.IsFinite(Lambda)) throw new ArgumentException("--lambda must be a positive number");
        if (Steps < 1) throw new ArgumentException("--steps must be at least 1");
        if (BatchSize < 1) throw new ArgumentException("--batch must be at least 1");
        if (Crop < 16 || Crop % 16 != 0) throw new ArgumentException("--crop must be a multiple of 16, at least 16");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentException("--lr must be a positive number");
        if (!(PriorLearningRate > 0) || !double.IsFinite(PriorLearningRate)) throw new ArgumentException("--prior-lr must be a positive number");
        if (ClipNorm < 0 || !double.IsFinite(ClipNorm)) throw new ArgumentException("--clip must be 0 (off) or positive");
        if (EvalEvery < 1 || CheckpointEvery < 1) throw new ArgumentException("--eval-every and checkpoint interval must be at least 1");
    }
}

/// <summary>Figures at one validation point, as written to metrics.csv.</summary>
internal sealed record LicMetrics(int Step, double TrainLoss, double TrainBpp, double TrainPsnr, double ValLoss, double ValBpp, double ValPsnr, double Seconds, double LearningRate);

/// <summary>Where a run stands; what a checkpoint stores besides the weights and the optimizer state.</summary>
internal sealed record LicTrainState
{
    public required string Model { get; init; }
    public required LicTrainOptions Options { get; init; }
    public int Step { get; init; }
    public double ElapsedSeconds { get; init; }
    /// <summary>Where the weights came from when the run started by fine-tuning another model.</summary>
    public string? InitializedFrom { get; init; }
    public List<LicMetrics> History { get; init; } = [];
}

/// <summary>
/// Trains one <c>lic</c> operating point: loss = λ·255²·MSE(x, x̂) + bits per pixel, Adam, gradient-norm clipping.
/// The rate is measured on the latent with additive uniform noise U(−½, ½) (the differentiable proxy of rounding);
/// the synthesis transform sees the rounded latent with a straight-through gradient ("mixed" quantization, Minnen &amp;
/// Singh 2020), so it trains on what it will decode. Batch <c>s</c> is drawn from seed·1,000,003 + s, so a run resumed
/// from a checkpoint continues the same sequence of crops as one never stopped.
/// </summary>
internal sealed class LicTrainer
{
    private const string StateKey = "lic_train_state";
    private readonly PhotoCrops _data;
    private readonly Adam _adam;
    private readonly Adam _priorAdam;

    public LicTrainer(LicSpec spec, PhotoCrops data, LicTrainOptions options)
    {
        options.Validate();
        Spec = spec;
        _data = data;
        Init.ManualSeed((ulong)options.Seed);
        Network = new LicNetwork(spec);
        Network.ReuseBuffers();
        Network.Analysis.SkipInputGradient();
        var named = Network.NamedParameters().ToList();
        _adam = new Adam(named.Where(p => !p.Name.StartsWith("entropy_bottleneck.", StringComparison.Ordinal)), new AdamOptions { LearningRate = options.LearningRate });
        _priorAdam = new Adam(named.Where(p => p.Name.StartsWith("entropy_bottleneck.", StringComparison.Ordinal)), new AdamOptions { LearningRate = options.PriorLearningRate });
        State = new LicTrainState { Model = spec.Name, Options = options };
    }

    public LicSpec Spec { get; }
    public LicNetwork Network { get; }
    public LicTrainState State { get; private set; }
    public Action<int, double, double, double>? OnStep { get; set; }
    public Action<LicMetrics>? OnEval { get; set; }
    public Action? OnCheckpoint { get; set; }

    /// <summary>Runs until <see cref="LicTrainOptions.Steps"/> or cancellation; true when finished.</summary>
    public bool Run(CancellationToken ct)
    {
        var o = State.Options;
        _adam.LearningRate = o.LearningRate;
        _priorAdam.LearningRate = o.PriorLearningRate;
        int b = o.BatchSize, s = o.Crop;
        var x = new Tensor(b, 3, s, s);
        var clock = Stopwatch.StartNew();
        double before = State.ElapsedSeconds;
        double lossSum = 0, bppSum = 0, mseSum = 0;
        int since = 0;
        float[]? noise = null;
        while (State.Step < o.Steps)
        {
            if (ct.IsCancellationRequested)
            {
                State = State with { ElapsedSeconds = before + clock.Elapsed.TotalSeconds };
                return false;
            }
            int step = State.Step;
            _data.Fill(x.Data, b, o.Seed * 1_000_003 + step);
            _adam.ZeroGrad();
            _priorAdam.ZeroGrad();
            noise ??= new float[Network.Spec.M * b * (s / 16) * (s / 16)];
            var rng = new Random(o.Seed * 7919 + step);
            for (int i = 0; i < noise.Length; i++) noise[i] = (float)(rng.NextDouble() - 0.5);
            var (loss, bpp, mse) = Network.ForwardBackward(x, noise, o.Lambda);
            if (!double.IsFinite(loss)) throw new InvalidOperationException($"training diverged at step {step + 1} (loss {loss}); try a lower --lr");
            if (o.ClipNorm > 0) ClipGradients(o.ClipNorm);
            _adam.Step();
            _priorAdam.Step();
            Network.Project();
            State = State with { Step = step + 1 };
            lossSum += loss; bppSum += bpp; mseSum += mse; since++;
            OnStep?.Invoke(step + 1, loss, bpp, Psnr(mse));
            if ((step + 1) % o.EvalEvery == 0 || step + 1 == o.Steps)
            {
                var (vl, vb, vp) = Evaluate();
                var m = new LicMetrics(step + 1, lossSum / since, bppSum / since, Psnr(mseSum / since), vl, vb, vp, before + clock.Elapsed.TotalSeconds, _adam.LearningRate);
                State.History.Add(m);
                lossSum = bppSum = mseSum = 0; since = 0;
                OnEval?.Invoke(m);
            }
            if ((step + 1) % o.CheckpointEvery == 0)
            {
                State = State with { ElapsedSeconds = before + clock.Elapsed.TotalSeconds };
                OnCheckpoint?.Invoke();
            }
        }
        State = State with { ElapsedSeconds = before + clock.Elapsed.TotalSeconds };
        return true;
    }

    private void ClipGradients(double maxNorm)
    {
        double sq = 0;
        foreach (var p in Network.Parameters()) foreach (var g in p.Grad.Span) sq += (double)g * g;
        double norm = Math.Sqrt(sq);
        if (!(norm > maxNorm)) return;
        float f = (float)(maxNorm / (norm + 1e-6));
        foreach (var p in Network.Parameters()) foreach (ref float g in p.Grad.Span) g *= f;
    }

    private static double Psnr(double mse) => mse > 0 ? 10 * Math.Log10(1 / mse) : 99;

    /// <summary>
    /// Loss, bits per pixel (the entropy model's ideal code length of the rounded latent) and PSNR of the 8-bit
    /// reconstruction, over the validation images' central crops (the largest multiple of 16 up to 256 a side).
    /// </summary>
    public (double Loss, double Bpp, double Psnr) Evaluate()
    {
        var val = _data.Validation;
        if (val.Count == 0) return (double.NaN, double.NaN, double.NaN);
        Network.Eval();
        double loss = 0, bppSum = 0, psnrSum = 0;
        try
        {
            foreach (var img in val)
            {
                int w = Math.Min(256, img.Width / 16 * 16), h = Math.Min(256, img.Height / 16 * 16);
                var crop = img.Crop((img.Width - w) / 2, (img.Height - h) / 2, w, h);
                var x = new Tensor(crop.ToPlanarFloats(), 1, 3, h, w);
                var y = Network.Analysis.Forward(x);
                var q = new Tensor(y.Span.ToArray(), y.Shape);
                foreach (ref float v in q.Span) v = MathF.Round(v);
                double bpp = Network.Prior.Bits(q) / (w * h);
                var xh = Network.Synthesis.Forward(q);
                double se = 0;
                var a = x.Span; var p = xh.Span;
                for (int i = 0; i < a.Length; i++)
                {
                    double r = Math.Round(Math.Clamp(p[i], 0f, 1f) * 255.0) / 255.0 - a[i];
                    se += r * r;
                }
                double mse = se / a.Length;
                loss += State.Options.Lambda * 255 * 255 * mse + bpp;
                bppSum += bpp;
                psnrSum += Psnr(mse);
            }
        }
        finally { Network.Train(); }
        return (loss / val.Count, bppSum / val.Count, psnrSum / val.Count);
    }

    public void SaveCheckpoint(string path)
    {
        var tensors = Network.StateDict().Concat(_adam.StateDict().Concat(_priorAdam.StateDict()).Select(t => ("optim." + t.Name, t.Value)));
        var meta = new Dictionary<string, string> { [StateKey] = JsonSerializer.Serialize(State, JsonOptions), ["architecture"] = Spec.Name };
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>Continues a run: weights, optimizer state and progress.</summary>
    public void LoadCheckpoint(string path)
    {
        var file = SafeTensors.Load(path);
        if (!file.Metadata.TryGetValue(StateKey, out var json)) throw new WeightFileException($"{path}: not a lic training checkpoint (no {StateKey})");
        var state = JsonSerializer.Deserialize<LicTrainState>(json, JsonOptions) ?? throw new WeightFileException($"{path}: unreadable {StateKey}");
        if (state.Model != Spec.Name) throw new WeightFileException($"{path}: a checkpoint of {state.Model}, not {Spec.Name}");
        Network.LoadStateDict(file.Tensors.Where(t => !t.Key.StartsWith("optim.", StringComparison.Ordinal)).ToDictionary(), source: path);
        var optim = file.Tensors.Where(t => t.Key.StartsWith("optim.", StringComparison.Ordinal)).ToDictionary(t => t.Key["optim.".Length..], t => t.Value);
        _adam.LoadStateDict(optim);
        _priorAdam.LoadStateDict(optim);
        // Options given now (steps, learning rate, ...) win over the stored ones; the history and step count carry on.
        State = state with { Options = State.Options };
    }

    /// <summary>Starts from another model's weights (fine-tuning to a new λ); the optimizer starts fresh.</summary>
    public void InitializeFrom(string path)
    {
        var file = SafeTensors.Load(path);
        Network.LoadStateDict(file.Tensors.Where(t => !t.Key.StartsWith("optim.", StringComparison.Ordinal)).ToDictionary(), source: path);
        State = State with { InitializedFrom = Path.GetFileName(path) };
    }

    public static string Csv(IEnumerable<LicMetrics> history)
    {
        var sb = new StringBuilder("step,train_loss,train_bpp,train_psnr,val_loss,val_bpp,val_psnr,seconds,lr\n");
        foreach (var m in history)
            sb.AppendLine(string.Join(",", new[] { m.Step, m.TrainLoss, m.TrainBpp, m.TrainPsnr, m.ValLoss, m.ValBpp, m.ValPsnr, m.Seconds, m.LearningRate }
                .Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture).ToString("G6", CultureInfo.InvariantCulture))));
        return sb.ToString();
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
}
