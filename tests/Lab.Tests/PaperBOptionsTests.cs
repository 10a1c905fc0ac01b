using SecureTransmit.Lab.PaperB;

namespace SecureTransmit.Lab.Tests;

public class PaperBOptionsTests
{
    [Fact]
    public void Bad_settings_are_rejected_with_a_message_naming_them()
    {
        Assert.Contains("epochs", Assert.Throws<PaperBException>(() => new SaeTrainingOptions { FineTuneEpochs = -1 }).Message);
        Assert.Contains("batch", Assert.Throws<PaperBException>(() => new SaeTrainingOptions { BatchSize = 0 }).Message);
        Assert.Contains("learning rate", Assert.Throws<PaperBException>(() => new SaeTrainingOptions { PretrainLearningRate = 0 }).Message);
        Assert.Contains("learning rate", Assert.Throws<PaperBException>(() => new SaeTrainingOptions { FineTuneLearningRate = double.NaN }).Message);
        Assert.Contains("--runs", Assert.Throws<PaperBException>(() => new PaperBOptions { Runs = 0 }).Message);
        Assert.Contains("r must", Assert.Throws<PaperBException>(() => new PaperBOptions { R = 3.2 }).Message);
        Assert.Contains("--threads", Assert.Throws<PaperBException>(() => new PaperBOptions { Threads = 0 }).Message);
    }

    [Fact]
    public void WithEpochs_sets_every_stage_and_keeps_the_rest()
    {
        var o = new SaeTrainingOptions { BatchSize = 32, Objective = FineTuneObjective.Stack }.WithEpochs(7);
        Assert.Equal((7, 7, 7, 21), (o.PretrainEpochs1, o.PretrainEpochs2, o.FineTuneEpochs, o.TotalEpochs));
        Assert.Equal(32, o.BatchSize);
        Assert.Equal(FineTuneObjective.Stack, o.Objective);
        Assert.Equal(21 + 7, new PaperBOptions { Training = o }.EpochsPerRun);
        Assert.Equal(21, new PaperBOptions { Training = o, CompareObjectives = false }.EpochsPerRun);
    }

    [Fact]
    public void The_paper_numbers_are_those_of_its_tables()
    {
        // Spot checks against the paper's text (Tables 1-3).
        Assert.Equal(37.7696, PaperBPublished.Mse4["house"][0]);
        Assert.Equal(36.1427, PaperBPublished.Psnr4["airplane"][2]);
        Assert.Equal(174.2972, PaperBPublished.Mse16["lake"][1]);
        Assert.Equal(29.3838, PaperBPublished.Psnr16["pepper"][2]);
        Assert.Equal(-0.0391, PaperBPublished.Correlation["house"].Encrypted4);
        Assert.Equal(0.9902, PaperBPublished.Correlation["pepper"].Compressed16);
        // PSNR = 10·log10(255²/MSE) holds for every published pair (to the paper's rounding).
        foreach (var name in PaperBPublished.Images)
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(10 * Math.Log10(65025 / PaperBPublished.Mse4[name][c]), PaperBPublished.Psnr4[name][c], 3);
                Assert.Equal(10 * Math.Log10(65025 / PaperBPublished.Mse16[name][c]), PaperBPublished.Psnr16[name][c], 3);
            }
    }
}

public class PaperBPcaTests
{
    [Fact]
    public void All_components_give_back_the_patches_and_fewer_components_lose_more()
    {
        var img = PaperBSynthetic.Textured(64);
        var patches = PatchGrid.Normalize(PatchGrid.Split(PatchGrid.Plane(img.Pixels, 64, 64, 3, 1), 64, 64, 8));
        var pca = PcaBaseline.Fit(patches);
        static double Mse(float[] a, float[] b) => a.Zip(b).Average(p => (double)(p.First - p.Second) * (p.First - p.Second));
        Assert.True(Mse(patches, pca.Reconstruct(patches, 64)) < 1e-10);
        double e16 = Mse(patches, pca.Reconstruct(patches, 16)), e4 = Mse(patches, pca.Reconstruct(patches, 4)), e1 = Mse(patches, pca.Reconstruct(patches, 1));
        Assert.True(e16 < e4 && e4 < e1, $"{e16} {e4} {e1}");
        // The squared error left after k components is the sum of the remaining variances (per patch; MSE divides by 64).
        Assert.Equal(pca.Variances.Skip(4).Sum() / 64, e4, 6);
        Assert.True(pca.Variances.Zip(pca.Variances.Skip(1)).All(p => p.First >= p.Second));
        Assert.Throws<PaperBException>(() => pca.Reconstruct(patches, 0));
    }

    [Fact]
    public void The_first_component_of_a_one_direction_cloud_is_that_direction()
    {
        // Patches a·u + small noise: the first component carries almost all the variance.
        var rng = new Random(3);
        var u = Enumerable.Range(0, 64).Select(i => (float)Math.Sin(i * 0.3)).ToArray();
        var data = new float[200 * 64];
        for (int n = 0; n < 200; n++)
        {
            float a = (float)(rng.NextDouble() * 2 - 1);
            for (int j = 0; j < 64; j++) data[n * 64 + j] = a * u[j] + (float)(rng.NextDouble() - 0.5) * 1e-3f;
        }
        var pca = PcaBaseline.Fit(data);
        Assert.True(pca.Variances[0] > 1000 * pca.Variances[1]);
    }
}
