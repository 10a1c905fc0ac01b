using SecureTransmit.Lab.Data;
using SecureTransmit.Lab.Training;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Lab.Tests;

/// <summary>
/// A run stopped mid-epoch and resumed from its checkpoint follows exactly the loss curve of an uninterrupted run
/// with the same seed (same data order, same Adam state), for a CNN and for a recurrent model.
/// </summary>
public sealed class TrainingResumeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "st-resume-" + Guid.NewGuid().ToString("N")[..8]);

    public TrainingResumeTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Deterministic smooth 32×32 RGB samples (no dataset needed).</summary>
    private sealed class Synthetic(int count, int seed) : IImageDataset
    {
        public string Name => "synthetic";
        public int Count => count;
        public int Channels => 3;
        public int Size => 32;

        public void CopyPlanar(int index, Span<float> chw)
        {
            var rng = new Random(seed * 100_003 + index);
            double a = rng.NextDouble(), b = rng.NextDouble(), c = rng.NextDouble();
            for (int ch = 0; ch < 3; ch++)
                for (int y = 0; y < 32; y++)
                    for (int x = 0; x < 32; x++)
                        chw[(ch * 32 + y) * 32 + x] = (float)(0.5 + 0.4 * Math.Sin(a * 6 * x / 32.0 + b * 4 * y / 32.0 + c * ch));
        }
    }

    [Theory]
    [InlineData("cae-compact")]
    [InlineData("cnn-bigru")]
    public void Resumed_run_matches_uninterrupted_run(string model)
    {
        var spec = ModelZoo.Get(model);
        var options = new TrainOptions { Epochs = 2, BatchSize = 16, LearningRate = 1e-3, Seed = 5 };
        var train = new Synthetic(48, 1);
        var val = new Synthetic(16, 2);

        var straight = new Trainer(spec, train, val, options);
        Assert.True(straight.Run(CancellationToken.None));

        var first = new Trainer(spec, train, val, options);
        using var cts = new CancellationTokenSource();
        int batches = 0;
        first.OnBatch = (_, _, _) => { if (++batches == 4) cts.Cancel(); }; // stop inside epoch 2 (3 batches per epoch)
        Assert.False(first.Run(cts.Token));
        var checkpoint = Path.Combine(_dir, model + ".safetensors");
        first.SaveCheckpoint(checkpoint);
        Assert.Equal((1, 1), (first.State.Epoch, first.State.Batch));

        var resumed = new Trainer(spec, train, val, options);
        resumed.LoadCheckpoint(checkpoint);
        Assert.True(resumed.Run(CancellationToken.None));

        Assert.Equal(straight.State.History.Count, resumed.State.History.Count);
        for (int e = 0; e < straight.State.History.Count; e++)
        {
            Assert.Equal(straight.State.History[e].TrainLoss, resumed.State.History[e].TrainLoss);
            Assert.Equal(straight.State.History[e].ValLoss, resumed.State.History[e].ValLoss);
        }
        var a = straight.Encoder.StateDict().ToList();
        var b = resumed.Encoder.StateDict().ToList();
        for (int i = 0; i < a.Count; i++) Assert.Equal(a[i].Value.Span.ToArray(), b[i].Value.Span.ToArray());
    }

    [Fact]
    public void Training_lowers_the_loss()
    {
        var spec = ModelZoo.Get("cae-compact");
        var t = new Trainer(spec, new Synthetic(64, 3), new Synthetic(16, 4), new TrainOptions { Epochs = 4, BatchSize = 16, LearningRate = 3e-3, Seed = 1 });
        Assert.True(t.Run(CancellationToken.None));
        Assert.True(t.State.History[^1].ValLoss < 0.8 * t.State.History[0].ValLoss,
            $"validation loss {t.State.History[0].ValLoss} → {t.State.History[^1].ValLoss}");
    }
}
