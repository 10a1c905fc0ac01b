namespace SecureTransmit.Lab.PaperB;

/// <summary>What fine-tuning minimises.</summary>
internal enum FineTuneObjective
{
    /// <summary>
    /// The paper's literal reading: the reconstruction error of the full stack 64→16→4→16→64 only. The 4:1 path
    /// 64→16→64 then gets no training signal and its decoder drifts to serve the 4-unit path.
    /// </summary>
    Stack,

    /// <summary>
    /// The sum of the reconstruction errors of both outputs the paper reads from one model, 64→16→64 (4:1) and
    /// 64→16→4→16→64 (16:1), so one fine-tuned stack serves both compression ratios.
    /// </summary>
    BothRatios,
}

/// <summary>
/// How the per-image stacked autoencoder is trained: greedy layer-wise pre-training of the two autoencoders,
/// then fine-tuning of the whole 64→16→4→16→64 stack, each stage with Adam on the mean squared error over
/// shuffled mini-batches. Every property validates its value on init and documents its default; a bad value
/// throws <see cref="PaperBException"/> naming the setting.
/// </summary>
/// <remarks>The paper names neither optimizer, learning rate, batch size nor epoch counts; these defaults are ours.</remarks>
internal sealed class SaeTrainingOptions
{
    private int _pretrain1 = 30, _pretrain2 = 30, _fineTune = 30, _batch = 64;
    private double _lr = 2e-2, _fineLr = 3e-3;

    /// <summary>Epochs of the first autoencoder, 64→16→64 on the patches. Default 30; 0..100000.</summary>
    public int PretrainEpochs1 { get => _pretrain1; init => _pretrain1 = Range(value, 0, 100_000, "pre-training epochs (layer 1)"); }

    /// <summary>Epochs of the second autoencoder, 16→4→16 on the first layer's codes. Default 30; 0..100000.</summary>
    public int PretrainEpochs2 { get => _pretrain2; init => _pretrain2 = Range(value, 0, 100_000, "pre-training epochs (layer 2)"); }

    /// <summary>Epochs of fine-tuning the whole stack by backpropagation. Default 30; 0..100000.</summary>
    public int FineTuneEpochs { get => _fineTune; init => _fineTune = Range(value, 0, 100_000, "fine-tuning epochs"); }

    /// <summary>Patches per mini-batch. Default 64; 1..65536.</summary>
    public int BatchSize { get => _batch; init => _batch = Range(value, 1, 65_536, "batch size"); }

    /// <summary>Adam step size of both pre-training stages. Default 2e-2; in (0, 1].</summary>
    public double PretrainLearningRate { get => _lr; init => _lr = Rate(value, "pre-training learning rate"); }

    /// <summary>Adam step size of fine-tuning (fresh Adam state). Default 3e-3; in (0, 1].</summary>
    public double FineTuneLearningRate { get => _fineLr; init => _fineLr = Rate(value, "fine-tuning learning rate"); }

    /// <summary>What fine-tuning minimises. Default <see cref="FineTuneObjective.BothRatios"/>.</summary>
    public FineTuneObjective Objective { get; init; } = FineTuneObjective.BothRatios;

    /// <summary>Epochs of all three stages together.</summary>
    public int TotalEpochs => PretrainEpochs1 + PretrainEpochs2 + FineTuneEpochs;

    /// <summary>The same settings with every stage set to <paramref name="epochs"/> epochs.</summary>
    public SaeTrainingOptions WithEpochs(int epochs) => new()
    {
        PretrainEpochs1 = epochs, PretrainEpochs2 = epochs, FineTuneEpochs = epochs,
        BatchSize = BatchSize, PretrainLearningRate = PretrainLearningRate, FineTuneLearningRate = FineTuneLearningRate, Objective = Objective,
    };

    public override string ToString() =>
        FormattableString.Invariant($"Adam (PyTorch form, β=(0.9, 0.999), ε=1e-8), MSE, batch {BatchSize}; pre-training {PretrainEpochs1} + {PretrainEpochs2} epochs at lr {PretrainLearningRate:g3}, fine-tuning ({(Objective == FineTuneObjective.Stack ? "stack output only" : "4:1 + 16:1 outputs")}) {FineTuneEpochs} epochs at lr {FineTuneLearningRate:g3}");

    private static int Range(int value, int min, int max, string what) =>
        value >= min && value <= max ? value : throw new PaperBException($"{what} must be in {min}..{max} (got {value})");

    private static double Rate(double value, string what) =>
        value > 0 && value <= 1 ? value : throw new PaperBException(FormattableString.Invariant($"{what} must be in (0, 1] (got {value})"));
}
