using SecureTransmit.Neural;
using SecureTransmit.Neural.Layers;

namespace SecureTransmit.Lab.PaperB;

/// <summary>Mean training loss (MSE on [0, 1] values) after each stage.</summary>
internal sealed record SaeTrainingLog(double Pretrain1Loss, double Pretrain2Loss, double FineTuneLoss);

/// <summary>
/// Trains a <see cref="StackedAutoencoder"/> as paper B describes: greedy layer-wise pre-training (the
/// autoencoder 64→16→64 on the patches, then 16→4→16 on the first layer's codes), then fine-tuning of the
/// whole stack by backpropagation on the patch reconstruction error. Each stage runs Adam with a fresh state
/// on shuffled mini-batches; epoch e of a stage visits the samples in an order drawn from <c>seed</c>, so a
/// seed gives the same model every time.
/// </summary>
internal static class SaeTrainer
{
    /// <summary>Pre-training then fine-tuning (see the class summary).</summary>
    /// <param name="onEpoch">Called after every epoch with the stage, its epoch (1-based) and the epoch's mean loss.</param>
    public static SaeTrainingLog Train(StackedAutoencoder model, float[] patches, SaeTrainingOptions options, ulong seed,
        Action<SaeStage, int, double>? onEpoch = null, CancellationToken cancellationToken = default)
    {
        var (l1, l2) = Pretrain(model, patches, options, seed, onEpoch, cancellationToken);
        double l3 = FineTune(model, patches, options, seed, onEpoch, cancellationToken);
        return new SaeTrainingLog(l1, l2, l3);
    }

    /// <summary>Greedy layer-wise pre-training: 64→16→64 on the patches, then 16→4→16 on the codes of the trained first layer.</summary>
    /// <returns>The last epoch's mean loss of each autoencoder (NaN for a stage with 0 epochs).</returns>
    public static (double Layer1Loss, double Layer2Loss) Pretrain(StackedAutoencoder model, float[] patches, SaeTrainingOptions options, ulong seed,
        Action<SaeStage, int, double>? onEpoch = null, CancellationToken cancellationToken = default)
    {
        Check(model, patches, options);
        var order = new Init(seed ^ 0x5DEECE66DUL);
        var ae1 = new Sequential(model.Encoder1, model.Decoder1);
        double l1 = Fit(ae1, patches, StackedAutoencoder.InputUnits, options.PretrainEpochs1, options.BatchSize, options.PretrainLearningRate,
            order, SaeStage.Pretrain1, onEpoch, cancellationToken);
        var codes = StackedAutoencoder.Infer(model.Encoder1, patches, StackedAutoencoder.InputUnits);
        var ae2 = new Sequential(model.Encoder2, model.Decoder2);
        double l2 = Fit(ae2, codes, 16, options.PretrainEpochs2, options.BatchSize, options.PretrainLearningRate,
            order, SaeStage.Pretrain2, onEpoch, cancellationToken);
        return (l1, l2);
    }

    /// <summary>
    /// Fine-tuning of the whole stack 64→16→4→16→64 by backpropagation of the patch reconstruction error; with
    /// <see cref="FineTuneObjective.BothRatios"/> the error of the 64→16→64 output is added, each batch's gradient
    /// being the sum of both.
    /// </summary>
    /// <param name="objective">Overrides <see cref="SaeTrainingOptions.Objective"/> when given.</param>
    /// <returns>The last epoch's mean loss (the sum of both errors with BothRatios; NaN with 0 epochs).</returns>
    public static double FineTune(StackedAutoencoder model, float[] patches, SaeTrainingOptions options, ulong seed,
        Action<SaeStage, int, double>? onEpoch = null, CancellationToken cancellationToken = default, FineTuneObjective? objective = null)
    {
        Check(model, patches, options);
        var order = new Init(seed ^ 0x2545F4914F6CDD1DUL);
        var stack = new Sequential(model.Encoder1, model.Encoder2, model.Decoder2, model.Decoder1);
        var shallow = (objective ?? options.Objective) == FineTuneObjective.BothRatios ? new Sequential(model.Encoder1, model.Decoder1) : null;
        return Fit(stack, patches, StackedAutoencoder.InputUnits, options.FineTuneEpochs, options.BatchSize, options.FineTuneLearningRate,
            order, SaeStage.FineTune, onEpoch, cancellationToken, shallow);
    }

    private static void Check(StackedAutoencoder model, float[] patches, SaeTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(patches);
        ArgumentNullException.ThrowIfNull(options);
        if (patches.Length == 0 || patches.Length % StackedAutoencoder.InputUnits != 0)
            throw new PaperBException($"training data must be whole 64-value patches, got {patches.Length} values");
    }

    /// <summary>
    /// Trains <paramref name="net"/> to reproduce its input (and <paramref name="also"/>, whose parameters must be
    /// among <paramref name="net"/>'s, with the summed loss); returns the last epoch's mean loss (NaN with 0 epochs).
    /// </summary>
    private static double Fit(Sequential net, float[] data, int units, int epochs, int batchSize, double lr, Init order,
        SaeStage stage, Action<SaeStage, int, double>? onEpoch, CancellationToken ct, Sequential? also = null)
    {
        if (epochs == 0) return double.NaN;
        int n = data.Length / units;
        int b = Math.Min(batchSize, n);
        var adam = new Adam(net.NamedParameters(), new AdamOptions { LearningRate = lr });
        var loss = new MSELoss(reuseBuffers: true);
        net.Train();
        net.ReuseBuffers();
        also?.Train();
        var perm = new int[n];
        var full = new Tensor(b, units);
        double last = double.NaN;
        try
        {
            for (int e = 1; e <= epochs; e++)
            {
                ct.ThrowIfCancellationRequested();
                Shuffle(perm, order);
                double sum = 0;
                for (int start = 0; start < n; start += b)
                {
                    int rows = Math.Min(b, n - start);
                    var x = rows == b ? full : new Tensor(rows, units);
                    for (int r = 0; r < rows; r++)
                        Array.Copy(data, perm[start + r] * units, x.Data, r * units, units);
                    adam.ZeroGrad();
                    var y = net.Forward(x);
                    sum += (double)loss.Forward(y, x) * rows;
                    net.Backward(loss.Backward());
                    if (also is not null)
                    {
                        // Gradients accumulate: the step follows the sum of both reconstruction errors.
                        sum += (double)loss.Forward(also.Forward(x), x) * rows;
                        also.Backward(loss.Backward());
                    }
                    adam.Step();
                }
                last = sum / n;
                if (double.IsNaN(last)) throw new PaperBException($"training diverged ({stage}, epoch {e}): loss is NaN; lower the learning rate");
                onEpoch?.Invoke(stage, e, last);
            }
        }
        finally
        {
            net.ReuseBuffers(false);
        }
        return last;
    }

    /// <summary>Fisher–Yates over 0..n−1 with draws from <paramref name="rng"/>.</summary>
    private static void Shuffle(int[] perm, Init rng)
    {
        for (int i = 0; i < perm.Length; i++) perm[i] = i;
        for (int i = perm.Length - 1; i > 0; i--)
        {
            int j = (int)(rng.NextUInt64() % (ulong)(i + 1));
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
    }
}
