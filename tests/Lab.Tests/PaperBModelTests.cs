using SecureTransmit.Imaging;
using SecureTransmit.Lab.PaperB;
using SecureTransmit.Neural;
using SecureTransmit.Security;
using Xunit.Abstractions;

namespace SecureTransmit.Lab.Tests;

/// <summary>Trains once for the tests below: a per-image SAE on a 128×128 textured synthetic image, and the full pipeline (2 runs).</summary>
public sealed class PaperBTrainedFixture
{
    public const int Size = 128;

    internal static SaeTrainingOptions Training { get; } = new()
    {
        PretrainEpochs1 = 60, PretrainEpochs2 = 60, FineTuneEpochs = 60, BatchSize = 16,
        PretrainLearningRate = 0.02, FineTuneLearningRate = 0.003,
    };

    public PaperBTrainedFixture()
    {
        Image = PaperBSynthetic.Textured(Size);
        Planes = [.. Enumerable.Range(0, 3).Select(c => PatchGrid.Plane(Image.Pixels, Size, Size, 3, c))];
        Patches = [.. Planes.SelectMany(p => PatchGrid.Normalize(PatchGrid.Split(p, Size, Size, 8)))];
        Untrained = new StackedAutoencoder(new Init(11));
        Trained = Untrained.Clone();
        Log = SaeTrainer.Train(Trained, Patches, Training, seed: 11);
        Report = PaperBReproduction.Run([new PaperBImage("synthetic", Image)], new PaperBOptions { Runs = 2, Seed = 5, Threads = 2, Training = Training });
    }

    public Image Image { get; }
    public byte[][] Planes { get; }
    public float[] Patches { get; }
    internal StackedAutoencoder Untrained { get; }
    internal StackedAutoencoder Trained { get; }
    internal SaeTrainingLog Log { get; }
    internal PaperBReport Report { get; }

    /// <summary>MSE on 0–255 over all three planes of the model's reconstruction, computed here from the planes.</summary>
    internal double Mse(StackedAutoencoder model, SaeLevel level)
    {
        var decoded = model.Decode(model.Encode(Patches, level), level);
        double sum = 0;
        int n = Size * Size;
        for (int c = 0; c < 3; c++)
        {
            var plane = PatchGrid.Merge(PatchGrid.Denormalize(decoded.AsSpan(c * n, n)), Size, Size, 8);
            for (int i = 0; i < n; i++) { double d = plane[i] - Planes[c][i]; sum += d * d; }
        }
        return sum / (3.0 * n);
    }
}

public class PaperBModelTests(PaperBTrainedFixture f, ITestOutputHelper output) : IClassFixture<PaperBTrainedFixture>
{
    private const int Size = PaperBTrainedFixture.Size;

    [Fact]
    public void Training_brings_the_reconstruction_error_far_below_the_untrained_model()
    {
        double before4 = f.Mse(f.Untrained, SaeLevel.Ratio4), after4 = f.Mse(f.Trained, SaeLevel.Ratio4);
        double before16 = f.Mse(f.Untrained, SaeLevel.Ratio16), after16 = f.Mse(f.Trained, SaeLevel.Ratio16);
        output.WriteLine($"4:1 MSE {before4:0.0} -> {after4:0.00}; 16:1 MSE {before16:0.0} -> {after16:0.00}; losses {f.Log}");
        // An untrained sigmoid stack outputs nearly the same grey everywhere: MSE in the thousands.
        Assert.True(before4 > 1000, $"untrained 4:1 MSE {before4}");
        // Stated bounds: at 4:1 the image (noise variance 2, 16-component PCA error 1.5) comes back within MSE 40
        // (PSNR > 32 dB), under 3 % of the untrained error; at 16:1 under 10 % of the untrained error.
        Assert.True(after4 < 40, $"trained 4:1 MSE {after4} is not below 40");
        Assert.True(after4 < 0.03 * before4, $"trained 4:1 MSE {after4} vs untrained {before4}");
        Assert.True(after16 < 0.10 * before16, $"trained 16:1 MSE {after16} vs untrained {before16}");
        Assert.True(f.Log.Pretrain1Loss > 0 && f.Log.Pretrain2Loss > 0 && f.Log.FineTuneLoss > 0);
    }

    [Fact]
    public void Ratio_4_to_1_reconstructs_better_than_16_to_1()
    {
        foreach (var r in f.Report.Images[0].Runs)
            output.WriteLine($"run {r.Run}: 4:1 {string.Join(" ", r.Ratio4.Mse)}; 16:1 {string.Join(" ", r.Ratio16.Mse)}; pre 4:1 {string.Join(" ", r.Ratio4.MsePretrained)}; pre 16:1 {string.Join(" ", r.Ratio16.MsePretrained)}");
        output.WriteLine($"direct: 4:1 {f.Mse(f.Trained, SaeLevel.Ratio4)} 16:1 {f.Mse(f.Trained, SaeLevel.Ratio16)}");
        Assert.True(f.Mse(f.Trained, SaeLevel.Ratio4) < f.Mse(f.Trained, SaeLevel.Ratio16));
        var runs = f.Report.Images[0].Runs;
        for (int c = 0; c < 3; c++)
            foreach (var r in runs)
            {
                Assert.True(r.Ratio4.Mse[c] < r.Ratio16.Mse[c], $"run {r.Run} channel {c}: 4:1 MSE {r.Ratio4.Mse[c]} vs 16:1 {r.Ratio16.Mse[c]}");
                Assert.True(r.Ratio4.Psnr[c] > r.Ratio16.Psnr[c]);
            }
    }

    [Fact]
    public void Psnr_in_the_report_follows_from_its_mse()
    {
        foreach (var r in f.Report.Images[0].Runs)
            for (int c = 0; c < 3; c++)
                Assert.Equal(10 * Math.Log10(255.0 * 255.0 / r.Ratio4.Mse[c]), r.Ratio4.Psnr[c], 9);
    }

    [Fact]
    public void Encrypted_latent_is_uncorrelated_and_the_reconstruction_is_strongly_correlated()
    {
        foreach (var r in f.Report.Images[0].Runs)
            foreach (var (level, pairs) in new[] { (r.Ratio4, (Size / 2 - 1) * (Size / 2)), (r.Ratio16, (Size / 4 - 1) * (Size / 4)) })
            {
                // Independent bytes give |r| < 1.96/√N 95 % of the time; 4/√N is a four-sigma bound.
                double band = 4 / Math.Sqrt(pairs);
                output.WriteLine($"run {r.Run}: enc {level.Encrypted}, rec {level.Reconstructed}, band {band:0.000}");
                Assert.True(Math.Abs(level.Encrypted.Horizontal) < band, $"encrypted horizontal r {level.Encrypted.Horizontal}");
                Assert.True(Math.Abs(level.Encrypted.Vertical) < band, $"encrypted vertical r {level.Encrypted.Vertical}");
                Assert.True(Math.Abs(level.Encrypted.Diagonal) < band, $"encrypted diagonal r {level.Encrypted.Diagonal}");
                Assert.True(level.Reconstructed.Horizontal > 0.9, $"reconstruction horizontal r {level.Reconstructed.Horizontal}");
                Assert.True(level.Reconstructed.Vertical > 0.9, $"reconstruction vertical r {level.Reconstructed.Vertical}");
            }
        Assert.True(f.Report.Images[0].Original.Horizontal > 0.9);
    }

    [Fact]
    public void Encrypted_image_is_the_latent_image_xor_a_logistic_keystream_keyed_by_the_first_latent_value()
    {
        var fig = f.Report.Images[0].Figures;
        var level = f.Report.Images[0].Runs[0].Ratio4;
        Assert.Equal((Size / 2, Size / 2, 1), (fig.Compressed4.Width, fig.Compressed4.Height, fig.Compressed4.Channels));
        Assert.Equal((Size / 4, Size / 4), (fig.Compressed16.Width, fig.Compressed16.Height));
        Assert.InRange(level.X0, 1e-9, 1 - 1e-9);
        // The first byte of the compressed image is the first latent value, quantized.
        Assert.Equal(Math.Round(level.X0 * 255), fig.Compressed4.Pixels[0], 0);
        // XOR with the same keystream decrypts.
        var decrypted = PaperLogisticCipher.Apply(level.X0, PaperLogisticCipher.DefaultR, fig.Encrypted4.Pixels);
        Assert.Equal(fig.Compressed4.Pixels, decrypted);
        int same = fig.Compressed4.Pixels.Zip(fig.Encrypted4.Pixels).Count(p => p.First == p.Second);
        Assert.True(same < fig.Compressed4.Pixels.Length / 32, $"{same} bytes unchanged by encryption");
    }

    [Fact]
    public void Fine_tuning_on_both_outputs_keeps_the_4_to_1_path_that_stack_only_fine_tuning_loses()
    {
        foreach (var r in f.Report.Images[0].Runs)
        {
            output.WriteLine($"run {r.Run}: 4:1 MSE both {r.Ratio4.Mse.Average():0.00}, stack-only {r.Ratio4.MseOtherObjective!.Average():0.00}, pre-trained {r.Ratio4.MsePretrained.Average():0.00}");
            Assert.True(r.Ratio4.Mse.Average() < r.Ratio4.MseOtherObjective!.Average());
            // Fine-tuning on both outputs improves on pre-training alone at 4:1.
            Assert.True(r.Ratio4.Mse.Average() <= r.Ratio4.MsePretrained.Average());
        }
    }

    [Fact]
    public void Runs_are_reproducible_from_their_seed_and_differ_between_seeds()
    {
        var again = PaperBReproduction.Run([new PaperBImage("synthetic", f.Image)],
            new PaperBOptions { Runs = 1, Seed = 5, Threads = 1, Training = PaperBTrainedFixture.Training, CompareObjectives = false });
        var first = f.Report.Images[0].Runs[0];
        Assert.Equal(first.Ratio4.Mse, again.Images[0].Runs[0].Ratio4.Mse);
        Assert.Equal(first.Ratio16.Mse, again.Images[0].Runs[0].Ratio16.Mse);
        Assert.NotEqual(first.Ratio4.Mse, f.Report.Images[0].Runs[1].Ratio4.Mse);
        Assert.Equal(6UL, f.Report.Images[0].Runs[1].Seed);
    }

    [Fact]
    public void Clone_copies_the_parameters_and_is_independent()
    {
        var copy = f.Trained.Clone();
        var x = f.Patches.AsSpan(0, 64 * 10).ToArray();
        Assert.Equal(f.Trained.Encode(x, SaeLevel.Ratio16), copy.Encode(x, SaeLevel.Ratio16));
        copy.NamedParameters().First().Parameter.Value.Span.Fill(0);
        Assert.NotEqual(f.Trained.Encode(x, SaeLevel.Ratio4), copy.Encode(x, SaeLevel.Ratio4));
    }

    [Fact]
    public void Codes_have_16_or_4_units_per_patch_in_the_unit_interval()
    {
        var c4 = f.Trained.Encode(f.Patches, SaeLevel.Ratio4);
        var c16 = f.Trained.Encode(f.Patches, SaeLevel.Ratio16);
        int patches = f.Patches.Length / 64;
        Assert.Equal(patches * 16, c4.Length);
        Assert.Equal(patches * 4, c16.Length);
        Assert.All(c4.Concat(c16), v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(f.Patches.Length, f.Trained.Decode(c16, SaeLevel.Ratio16).Length);
        Assert.Throws<PaperBException>(() => f.Trained.Encode(new float[63], SaeLevel.Ratio4));
    }
}
