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
