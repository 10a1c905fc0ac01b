using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using SecureTransmit.Imaging;
using SecureTransmit.Metrics;
using Spectre.Console;

namespace SecureTransmit.Lab.Commands;

/// <summary>
/// <c>lab demo-table</c>: the table run-demo.sh prints. For each image of a sender's <c>--json</c> summary it
/// reads the original file and the receiver's stored reconstruction and computes PSNR/SSIM itself, so the figures
/// come from the files on disk, not from what either program claims.
/// </summary>
[LabCommand(90)]
internal static class DemoTableCommand
{
    public static Command Create()
    {
        var summary = new Option<string>("--summary") { Description = "the sender's --json summary", Required = true };
        var received = new Option<string>("--received") { Description = "the receiver's output folder", Required = true };
        var cmd = new Command("demo-table", "Print the demo's table: bytes sent, ratio vs PNG, PSNR/SSIM of each stored reconstruction against its original") { summary, received };
        cmd.SetAction(pr =>
        {
            if (Console.IsOutputRedirected || AnsiConsole.Profile.Width < 120) AnsiConsole.Profile.Width = 140;
            var doc = JsonNode.Parse(File.ReadAllText(pr.GetRequiredValue(summary)))?.AsObject() ?? throw new FormatException("summary is not a JSON object");
            var dir = pr.GetRequiredValue(received);
            var table = new Table().Title($"{doc["model"]} / {doc["cipher"]} → {doc["receiver"]}")
                .AddColumns("image", "size", "bytes sent", "PNG bytes", "ratio vs PNG", "bpp", "PSNR dB", "SSIM", "encode+send ms").RightAligned();
            table.Columns[0].LeftAligned();
            double psnrSum = 0;
            int n = 0;
            foreach (var item in doc["images"]!.AsArray())
            {
                var original = ImageIO.Load(item!["file"]!.GetValue<string>()).ToRgb();
                var stored = Path.Combine(dir, item["stored_name"]!.GetValue<string>());
                var recon = ImageIO.Load(stored).ToRgb();
                if (recon.Width != original.Width || recon.Height != original.Height)
                    throw new FormatException($"{stored}: {recon.Width}×{recon.Height}, the original is {original.Width}×{original.Height}");
                double psnr = ImageQuality.Psnr(original.Pixels, recon.Pixels);
                double ssim = ImageQuality.Ssim(original.Pixels, recon.Pixels, original.Width, original.Height, 3);
                psnrSum += psnr;
                n++;
                var inv = CultureInfo.InvariantCulture;
                table.AddRow(Markup.Escape(Path.GetFileName(item["file"]!.GetValue<string>())),
                    $"{original.Width}×{original.Height}",
                    item["wire_bytes"]!.GetValue<long>().ToString("N0", inv),
                    item["original_png_bytes"]!.GetValue<long>().ToString("N0", inv),
                    (item["ratio_vs_png"]!.GetValue<double>()).ToString("0.0", inv) + ":1",
                    item["bpp"]!.GetValue<double>().ToString("0.000", inv),
                    psnr.ToString("0.00", inv),
                    ssim.ToString("0.000", inv),
                    (item["encode_ms"]!.GetValue<double>() + item["send_ms"]!.GetValue<double>()).ToString("0.0", inv));
            }
            AnsiConsole.Write(table);
            long wire = doc["total_wire_bytes"]!.GetValue<long>(), png = doc["total_png_bytes"]!.GetValue<long>();
            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "{0} image(s): {1:N0} bytes on the wire vs {2:N0} as PNG ({3:0.0}:1), mean PSNR {4:0.00} dB, {5:0} ms in all",
                n, wire, png, (double)png / Math.Max(1, wire), psnrSum / Math.Max(1, n), doc["total_ms"]!.GetValue<double>());
            return 0;
        });
        return cmd;
    }
}
