using System.CommandLine;
using System.Globalization;
using SecureTransmit.Lab.Experiments;
using Spectre.Console;

namespace SecureTransmit.Lab.Commands;

/// <summary><c>lab rd</c>: rate–distortion curves of our models and JPEG/WebP/AVIF (see <see cref="RateDistortionExperiment"/>).</summary>
[LabCommand(75)]
internal static class RateDistortionCommand
{
    public static Command Create()
    {
        var images = new Option<string[]>("--images") { Description = "image folder (repeat for several data sets)", Required = true, AllowMultipleArgumentsPerToken = false };
        var output = new Option<string>("--out") { Description = "output folder", DefaultValueFactory = _ => "docs/rate-distortion" };
        var limit = new Option<int?>("--limit") { Description = "first N images of each folder" };
        var models = new Option<string?>("--models") { Description = "models, comma-separated; 'none' for codecs only (default: every model with weights)" };
        var modelsDir = new Option<string>("--models-dir") { Description = "folder with NAME.encoder/decoder.safetensors", DefaultValueFactory = _ => Paths.Models() };
        var codecs = new Option<string>("--codecs") { Description = "reference codecs, comma-separated", DefaultValueFactory = _ => "jpeg,webp,avif" };
        var full = new Option<bool>("--full-sweep") { Description = "every 5th JPEG/WebP quality and every 4th AVIF quantizer (default: 7–8 settings each)" };
        var jobs = new Option<int>("--jobs") { Description = "parallel encoder processes", DefaultValueFactory = _ => Environment.ProcessorCount };
        var cmd = new Command("rd", "Rate–distortion: PSNR/SSIM vs bits per pixel sent, our models vs JPEG 4:2:0, WebP and AVIF") { images, output, limit, models, modelsDir, codecs, full, jobs };
        cmd.SetAction(async (pr, ct) =>
        {
            var m = pr.GetValue(models);
            var o = new RateDistortionOptions
            {
                ImageDirs = pr.GetRequiredValue(images),
                OutDir = pr.GetRequiredValue(output),
                Limit = pr.GetValue(limit),
                Models = m == "none" ? [] : ModelSelection.ParseList(m),
                ModelsDir = pr.GetRequiredValue(modelsDir),
                Codecs = pr.GetRequiredValue(codecs).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                FullSweep = pr.GetValue(full),
                Parallelism = pr.GetValue(jobs),
            };
            o.Validate();
            var report = await ExperimentConsole.RunAsync(p => Task.Run(() => RateDistortionExperiment.Run(o, p, ct), ct));
            var files = RateDistortionReportWriter.Write(report, o.OutDir);
            var t = new Table().AddColumns("data set", "method", "setting", "bpp", "PSNR", "SSIM");
            foreach (var r in report.Rows)
                t.AddRow(Markup.Escape(r.Dataset), Markup.Escape(r.Method), Markup.Escape(r.Setting), r.Bpp.ToString("0.000", CultureInfo.InvariantCulture),
                    r.Psnr.ToString("0.00", CultureInfo.InvariantCulture), r.Ssim.ToString("0.0000", CultureInfo.InvariantCulture));
            AnsiConsole.Write(t);
            foreach (var n in report.Notes) Console.WriteLine(n);
            foreach (var f in files) Console.WriteLine($"wrote {f}");
            return 0;
        });
        return cmd;
    }
}
