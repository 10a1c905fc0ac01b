using SecureTransmit.Security;

namespace SecureTransmit.Lab.PaperB;

/// <summary>
/// Settings of <c>lab reproduce paper-b</c>. Every property validates its value on init and documents its
/// default; a bad value throws <see cref="PaperBException"/> naming the setting.
/// </summary>
internal sealed class PaperBOptions
{
    private int _runs = 10, _threads = Math.Max(1, Environment.ProcessorCount);
    private double _r = PaperLogisticCipher.DefaultR;
    private SaeTrainingOptions _training = new();

    /// <summary>Independent repetitions (fresh weights and batch order per run); the paper averages Table 3 over 10. Default 10; 1..1000.</summary>
    public int Runs { get => _runs; init => _runs = value is >= 1 and <= 1000 ? value : throw new PaperBException($"--runs must be in 1..1000 (got {value})"); }

    /// <summary>Run k (0-based) initialises and shuffles from seed <c>Seed + k</c>. Default 1.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// The logistic map's r. The paper fixes r in [3.5699, 4] without giving its value; default
    /// <see cref="PaperLogisticCipher.DefaultR"/> (3.99).
    /// </summary>
    public double R { get => _r; init => _r = value is >= 3.5699 and <= 4 ? value : throw new PaperBException(FormattableString.Invariant($"r must be in [3.5699, 4], the paper's chaotic range (got {value})")); }

    /// <summary>Trainings run in parallel (each is single-threaded). Default: the processor count; 1..256.</summary>
    public int Threads { get => _threads; init => _threads = value is >= 1 and <= 256 ? value : throw new PaperBException($"--threads must be in 1..256 (got {value})"); }

    /// <summary>
    /// Also fine-tune a copy of each pre-trained model with the other <see cref="FineTuneObjective"/> and report its
    /// MSE beside the main numbers (one more fine-tuning stage per run). Default true.
    /// </summary>
    public bool CompareObjectives { get; init; } = true;

    /// <summary>Training epochs of one run, all stages (the progress bars count these).</summary>
    public int EpochsPerRun => Training.TotalEpochs + (CompareObjectives ? Training.FineTuneEpochs : 0);

    /// <summary>How each per-image model is trained. Default: <see cref="SaeTrainingOptions"/>'s defaults.</summary>
    public SaeTrainingOptions Training { get => _training; init => _training = value ?? throw new PaperBException("training options are required"); }
}
