using System.Text.Json.Nodes;
using SecureTransmit.Imaging;
using SecureTransmit.Lab.PaperB;

namespace SecureTransmit.Lab.Tests;

public class PaperBReportTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "paperb-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static (PaperBReport Report, List<PaperBImage> Images) SmallRun()
    {
        // Four 32×32 images named as the paper's, with a short training: the report path, not the quality, is under test.
        var images = PaperBPublished.Images.Select((n, i) => new PaperBImage(n, PaperBSynthetic.Smooth(32, seed: i))).ToList();
        var training = new SaeTrainingOptions { PretrainEpochs1 = 2, PretrainEpochs2 = 2, FineTuneEpochs = 2, BatchSize = 8 };
        int epochs = 0;
        var report = PaperBReproduction.Run(images, new PaperBOptions { Runs = 2, Threads = 2, Training = training }, onEpoch: _ => Interlocked.Increment(ref epochs));
        Assert.Equal(4 * 2 * (6 + 2), epochs);
        return (report, images);
    }

    [Fact]
    public void Markdown_json_and_figures_are_written()
    {
        var (report, images) = SmallRun();
        var md = PaperBMarkdown.ToMarkdown(report, "lab reproduce paper-b --test");
        foreach (var heading in new[] { "## Table 1", "## Table 2", "## Table 3", "## Figures", "## Setup" })
            Assert.Contains(heading, md);
        Assert.Contains("| 37.7696 |", md);   // house R MSE at 4:1, from the paper
        Assert.Contains("| -0.0391 |", md);   // house encrypted correlation at 4:1, from the paper
        Assert.Contains("lab reproduce paper-b --test", md);

        var json = JsonNode.Parse(PaperBReportWriter.JsonText(PaperBReportWriter.ToJson(report)))!;
        var imgs = json["images"]!.AsArray();
        Assert.Equal(PaperBPublished.Images, imgs.Select(i => (string)i!["name"]!));
        Assert.Equal(2, imgs[0]!["runs"]!.AsArray().Count);
        Assert.Equal(3, imgs[0]!["ratio_4"]!["mse_mean"]!.AsArray().Count);
        Assert.Equal(37.7696, (double)imgs[0]!["ratio_4"]!["paper"]!["mse"]![0]!);

        PaperBReportWriter.WriteFigures(report, images, _dir);
        foreach (var file in PaperBReportWriter.FigureFiles)
            Assert.True(File.Exists(Path.Combine(_dir, file)), file);
        var fig4 = ImageIO.Load(Path.Combine(_dir, "fig4-compression.png"));
        // 4 rows × 3 columns of 16×16 tiles (32×32 shown at half size) with 4-px gaps.
        Assert.Equal((3 * 16 + 4 * 4, 4 * 16 + 5 * 4, 3), (fig4.Width, fig4.Height, fig4.Channels));
        var fig5 = ImageIO.Load(Path.Combine(_dir, "fig5-encrypted-4to1.png"));
        Assert.Equal((4 * 16 + 5 * 4, 16 + 2 * 4, 1), (fig5.Width, fig5.Height, fig5.Channels));
    }

    [Fact]
    public void LoadImages_finds_the_paper_images_by_their_file_names_and_names_what_is_missing()
    {
        Directory.CreateDirectory(_dir);
        var e = Assert.Throws<PaperBException>(() => PaperBReproduction.LoadImages(_dir));
        Assert.Contains("house", e.Message);
        foreach (var stem in new[] { "house", "4.2.05", "4.2.06", "4.2.07" })
            ImageIO.Save(PaperBSynthetic.Smooth(16), Path.Combine(_dir, stem + ".png"));
        var loaded = PaperBReproduction.LoadImages(_dir);
        Assert.Equal(PaperBPublished.Images, loaded.Select(i => i.Name));
        Assert.All(loaded, i => Assert.Equal(3, i.Image.Channels));
        Assert.Throws<PaperBException>(() => PaperBReproduction.LoadImages(Path.Combine(_dir, "nope")));
    }

    [Fact]
    public void Images_that_are_not_whole_8x8_patches_are_rejected()
    {
        var e = Assert.Throws<PaperBException>(() => PaperBReproduction.Run([new PaperBImage("odd", new Image(20, 16, 3))], new PaperBOptions { Runs = 1 }));
        Assert.Contains("8×8", e.Message);
    }
}

/// <summary>Runs alone: it swaps Console.Error, which is process-wide.</summary>
[CollectionDefinition("PaperB console", DisableParallelization = true)]
public sealed class PaperBConsoleCollection;

[Collection("PaperB console")]
public class PaperBCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "paperb-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_command_writes_the_report_json_and_figures()
    {
        var images = Path.Combine(_dir, "images");
        Directory.CreateDirectory(images);
        foreach (var stem in new[] { "house", "4.2.05", "4.2.06", "4.2.07" })
            ImageIO.Save(PaperBSynthetic.Smooth(32), Path.Combine(images, stem + ".png"));
        var output = Path.Combine(_dir, "out");
        var json = Path.Combine(_dir, "extra.json");
        var root = new System.CommandLine.RootCommand { Commands.ReproduceCommand.Create() };
        int rc = await Commands.Cli.RunAsync(root,
            ["reproduce", "paper-b", "--images", images, "--out", output, "--epochs", "1", "--runs", "2", "--threads", "1", "--json", json])
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, rc);
        Assert.Contains("## Table 3", File.ReadAllText(Path.Combine(output, "README.md")));
        var parsed = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal(2, (int)parsed["runs"]!);
        Assert.Equal(1, (int)parsed["training"]!["finetune_epochs"]!);
        Assert.Equal(File.ReadAllText(json), File.ReadAllText(Path.Combine(output, "results.json")));
        foreach (var f in PaperBReportWriter.FigureFiles) Assert.True(File.Exists(Path.Combine(output, f)), f);
    }

    [Fact]
    public async Task A_missing_image_folder_is_a_user_error_with_one_line()
    {
        var root = new System.CommandLine.RootCommand { Commands.ReproduceCommand.Create() };
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        int rc;
        try
        {
            rc = await Commands.Cli.RunAsync(root, ["reproduce", "paper-b", "--images", Path.Combine(_dir, "none"), "--out", _dir])
                .WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            Console.SetError(old);
        }
        Assert.Equal(2, rc);
        Assert.Contains("no such folder", err.ToString());
        Assert.DoesNotContain("   at ", err.ToString());
    }
}
