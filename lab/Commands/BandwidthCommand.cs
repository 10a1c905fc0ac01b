using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using SecureTransmit.Lab.Experiments;
using Spectre.Console;

namespace SecureTransmit.Lab.Commands;

/// <summary>
/// <c>lab bandwidth</c>: bytes, quality and transfer time of the same images sent as PNG, as JPEG/WebP matched to
/// our packet sizes, and as our sealed packets, per link profile (see <see cref="BandwidthExperiment"/>).
/// The hidden sub-commands <c>sink</c> and <c>push</c> are the file-transfer ends run inside network namespaces.
/// </summary>
[LabCommand(70)]
internal static class BandwidthCommand
{
    public static Command Create()
    {
        var images = new Option<string>("--images") { Description = "folder of images (JPEG, PNG, WebP, GIF, BMP, TIFF, PGM/PPM; by content)", Required = true };
        var profiles = new Option<string>("--profiles") { Description = "RATE:DELAY:LOSS link profiles, comma-separated (delay one way, loss per direction)", DefaultValueFactory = _ => BandwidthOptions.DefaultProfiles };
        var models = new Option<string?>("--models") { Description = "models, comma-separated (default: every model with weights in --models-dir)" };
        var modelsDir = new Option<string>("--models-dir") { Description = "folder with NAME.encoder/decoder.safetensors", DefaultValueFactory = _ => Paths.Models() };
        var limit = new Option<int?>("--limit") { Description = "use only the first N images" };
        var output = new Option<string>("--out") { Description = "folder for bandwidth.md, bandwidth.json and the SVG charts", DefaultValueFactory = _ => "docs/bandwidth" };
        var json = new Option<string?>("--json") { Description = "also write the JSON results to this file" };
        var link = new Option<string>("--link") { Description = "auto (netem when possible), netns (require netem) or computed", DefaultValueFactory = _ => "auto" };
        var cipher = new Option<string>("--cipher") { Description = "logistic or aes-256-gcm", DefaultValueFactory = _ => "logistic" };
        var cmd = new Command("bandwidth", "Bytes, quality and transfer time: PNG vs size-matched JPEG/WebP vs our sealed packets, per link profile")
        {
            images, profiles, models, modelsDir, limit, output, json, link, cipher,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            var o = new BandwidthOptions
            {
                ImagesDir = pr.GetRequiredValue(images),
                Profiles = LinkProfile.ParseList(pr.GetRequiredValue(profiles)),
                Models = ModelSelection.ParseList(pr.GetValue(models)),
                ModelsDir = pr.GetRequiredValue(modelsDir),
                Limit = pr.GetValue(limit),
                OutDir = pr.GetRequiredValue(output),
                JsonPath = pr.GetValue(json),
                Mode = pr.GetRequiredValue(link) switch
                {
                    "auto" => LinkMode.Auto,
                    "netns" => LinkMode.Netns,
                    "computed" => LinkMode.Computed,
                    var s => throw new ExperimentException($"--link '{s}': use auto, netns or computed"),
                },
                Cipher = pr.GetRequiredValue(cipher),
            };
            o.Validate();
            var report = await ExperimentConsole.RunAsync(p => BandwidthExperiment.RunAsync(o, p, ct));
            var files = BandwidthReportWriter.Write(report, o.OutDir, o.JsonPath);
            var t = new Table().AddColumns("format", "KiB/image", "bpp", "PSNR", "SSIM");
            foreach (var p in report.Profiles) t.AddColumn($"{p.Name} ms");
            foreach (var f in report.Formats)
            {
                var row = new List<string>
                {
                    Markup.Escape(f.Label), (f.Bytes / 1024.0 / f.Images).ToString("0.0", CultureInfo.InvariantCulture), f.Bpp.ToString("0.000", CultureInfo.InvariantCulture),
                    f.Kind == "png" ? "lossless" : f.Psnr.ToString("0.00", CultureInfo.InvariantCulture), f.Ssim.ToString("0.0000", CultureInfo.InvariantCulture),
                };
                row.AddRange(report.Profiles.Select(p => report.Timings.First(x => x.Format == f.Id && x.Profile == p.Name).TimeMs.ToString("N0", CultureInfo.InvariantCulture)));
                t.AddRow(row.ToArray());
            }
            AnsiConsole.Write(t);
            Console.WriteLine($"transfer times: {report.Method} ({report.MethodReason})");
            foreach (var f in files) Console.WriteLine($"wrote {f}");
            return 0;
        });
        cmd.Add(Sink());
        cmd.Add(Push());
        return cmd;
    }

    private static Command Sink()
    {
        var listen = new Option<string>("--listen") { Description = "address:port (port 0 = any)", Required = true };
        var portFile = new Option<string?>("--port-file") { Description = "write the bound port here" };
        var cmd = new Command("sink", "File-push sink over TLS (used by `lab bandwidth` inside a network namespace)") { listen, portFile };
        cmd.Hidden = true;
        cmd.SetAction(async (pr, ct) =>
        {
            var ep = FileTransfer.ParseEndpoint(pr.GetRequiredValue(listen));
            var listener = new TcpListener(ep);
            listener.Start();
            if (pr.GetValue(portFile) is { } pf)
            {
                File.WriteAllText(pf + ".tmp", ((System.Net.IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture));
                File.Move(pf + ".tmp", pf, overwrite: true);
            }
            try
            {
                await FileTransfer.ServeAsync(listener, ct);
            }
            finally
            {
                listener.Stop();
            }
            return 0;
        });
        return cmd;
    }

    private static Command Push()
    {
        var files = new Argument<string[]>("files") { Arity = ArgumentArity.OneOrMore, Description = "files to push" };
        var to = new Option<string>("--to") { Description = "sink address:port", Required = true };
        var json = new Option<string?>("--json") { Description = "write {files, bytes, elapsed_ms} here" };
        var cmd = new Command("push", "Push files to a sink over TLS and time it (used by `lab bandwidth`)") { files, to, json };
        cmd.Hidden = true;
        cmd.SetAction(async (pr, ct) =>
        {
            var ep = FileTransfer.ParseEndpoint(pr.GetRequiredValue(to));
            var data = pr.GetRequiredValue(files).Select(f => File.Exists(f) ? File.ReadAllBytes(f) : throw new ExperimentException($"{f}: no such file")).ToList();
            var r = await FileTransfer.PushAsync(ep.Address.ToString(), ep.Port, data, ct);
            var doc = new JsonObject { ["files"] = r.Files, ["bytes"] = r.PayloadBytes, ["elapsed_ms"] = Math.Round(r.ElapsedMs, 3) };
            if (pr.GetValue(json) is { } jp) EvalCommand.WriteAtomic(jp, doc.ToJsonString());
            else Console.WriteLine(doc.ToJsonString());
            return 0;
        });
        return cmd;
    }
}

/// <summary>Runs an experiment under a Spectre progress display (or plain lines when the output is redirected).</summary>
internal static class ExperimentConsole
{
    public static async Task<T> RunAsync<T>(Func<IExperimentProgress, Task<T>> run)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return await run(new LineProgress(Console.Out));
        T result = default!;
        await AnsiConsole.Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx => result = await run(new SpectreProgress(ctx)));
        return result;
    }

    private sealed class SpectreProgress(ProgressContext ctx) : IExperimentProgress
    {
        private ProgressTask? _task;

        public void Stage(string description, int steps)
        {
            _task?.StopTask();
            _task = ctx.AddTask(Markup.Escape(description), maxValue: Math.Max(1, steps));
        }

        public void Step() => _task?.Increment(1);

        public void Note(string line) => AnsiConsole.MarkupLine(Markup.Escape(line));
    }
}
