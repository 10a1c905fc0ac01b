using SecureTransmit.Cli;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SecureTransmit.Codec;
using SecureTransmit.Imaging;
using SecureTransmit.Neural.Models;
using SecureTransmit.Security;
using SecureTransmit.Sender.Internal;
using Spectre.Console;

namespace SecureTransmit.Sender;

/// <summary>The sender's command line: keygen and send.</summary>
public static class SenderCommands
{
    private static readonly string[] ImageExtensions = [".png", ".tif", ".tiff", ".ppm", ".pgm", ".pnm"];

    public static Task<int> RunAsync(RootCommand root, string[] args) =>
        CommandLineRunner.RunAsync("sender", root, args, processTerminationTimeout: TimeSpan.FromSeconds(5),
            userErrorExitCode: e => e is SendException ? 3 : CommandLineRunner.UserError);

    public static Command Keygen() => IdentityCommands.Keygen("sender", "keys/sender.key");

    public static Command Send()
    {
        var inputs = new Argument<string[]>("images") { Description = "image files or folders (.png .tif .tiff .ppm .pgm .pnm)", Arity = ArgumentArity.OneOrMore };
        var to = new Option<string>("--to") { Description = "receiver address, e.g. https://127.0.0.1:50443", Required = true };
        var receiver = new Option<string>("--receiver") { Description = "the receiver's fingerprint (64 hex, printed by `receiver keygen`)", Required = true };
        var key = new Option<string>("--key") { Description = "sender identity file", DefaultValueFactory = _ => "keys/sender.key" };
        var model = new Option<string>("--model") { Description = "model name", DefaultValueFactory = _ => "cae-compact" };
        var models = new Option<string>("--models") { Description = "folder with NAME.encoder.safetensors", DefaultValueFactory = _ => DefaultModels() };
        var cipher = new Option<string>("--cipher") { Description = "logistic (default) or aes-256-gcm", DefaultValueFactory = _ => CipherModes.Default };
        var h2c = new Option<bool>("--insecure-h2c") { Description = "cleartext HTTP/2 without TLS (testing only)" };
        var demo = new Option<bool>("--demo") { Description = "attach each original so the receiver shows PSNR/SSIM" };
        var json = new Option<string?>("--json") { Description = "write a JSON summary to this file" };
        var attempts = new Option<int>("--attempts") { Description = "tries when the receiver is unreachable or the connection breaks (default 8: backoff 0.25 s doubling to 10 s, about 26 s in all, longer than a receiver restart)", DefaultValueFactory = _ => new SendOptions().Attempts };
        var quiet = new Option<bool>("--quiet") { Description = "no progress bar or table" };
        var cmd = new Command("send", "Encode, seal and send images to a receiver") { inputs, to, receiver, key, model, models, cipher, h2c, demo, json, attempts, quiet };
        cmd.SetAction(async (pr, ct) =>
        {
            var o = new SendOptions
            {
                To = Uri.TryCreate(pr.GetRequiredValue(to), UriKind.Absolute, out var uri) ? uri : throw new ArgumentException($"--to '{pr.GetRequiredValue(to)}' is not an address like https://127.0.0.1:50443"),
                ReceiverFingerprint = Fingerprint.TryParse(pr.GetRequiredValue(receiver), out var fp) ? fp : throw new ArgumentException($"--receiver '{pr.GetRequiredValue(receiver)}' is not a fingerprint (64 hex digits)"),
                KeyPath = pr.GetRequiredValue(key),
                Model = pr.GetRequiredValue(model),
                ModelsPath = pr.GetRequiredValue(models),
                Cipher = pr.GetRequiredValue(cipher),
                InsecureH2c = pr.GetValue(h2c),
                Demo = pr.GetValue(demo),
                Attempts = pr.GetValue(attempts),
            };
            o.Validate();
            return await RunSend(o, pr.GetRequiredValue(inputs), pr.GetValue(json), pr.GetValue(quiet), ct);
        });
        return cmd;
    }

    private static async Task<int> RunSend(SendOptions o, string[] inputs, string? jsonPath, bool quiet, CancellationToken ct)
    {
        if (!CodecFiles.Names.Contains(o.Model)) throw new ArgumentException($"--model '{o.Model}': unknown model (known: {string.Join(", ", CodecFiles.Names)})");
        var encoderPath = ModelFiles.EncoderPath(o.ModelsPath, o.Model);
        if (!File.Exists(encoderPath)) throw new FileNotFoundException($"no encoder for model '{o.Model}': {encoderPath} does not exist");
        using var identity = IdentityFile.Load(o.KeyPath);
        var (codec, modelIdHex) = CodecFiles.LoadEncoder(encoderPath, o.Model);

        var items = Expand(inputs).Select(p => new Item(p)).ToList();
        if (items.Count == 0) throw new ArgumentException("no images to send");
        foreach (var item in items)
        {
            item.Image = ImageIO.Load(item.Path);
            item.OriginalPngBytes = ImageIO.DetectFormat(File.ReadAllBytes(item.Path)) == ImageFormat.Png
                ? new FileInfo(item.Path).Length : ImageIO.Encode(item.Image, ImageFormat.Png).Length;
        }

        var job = new SendJob(o, codec, Convert.FromHexString(modelIdHex), identity);
        var total = Stopwatch.StartNew();
        var table = new Table().AddColumns("image", "size", "bytes sent", "ratio vs PNG", "bpp", "encode ms", "send ms", "stored as").RightAligned();
        table.Columns[0].LeftAligned();
        job.OnRetry = (attempt, delay, why) => Console.Error.WriteLine($"sender: attempt {attempt} failed ({why}); retrying in {delay.TotalSeconds:0.##} s");
        if (quiet || Console.IsOutputRedirected)
        {
            job.OnStored = i => { if (!quiet) Console.WriteLine(Line(i)); };
            await job.RunAsync(items, ct);
        }
        else
        {
            await AnsiConsole.Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask($"sending {items.Count} image(s) to {o.To!.Authority}", maxValue: items.Count);
                    job.OnStored = _ => task.Increment(1);
                    await job.RunAsync(items, ct);
                });
            foreach (var i in items)
                table.AddRow(Markup.Escape(i.Name), $"{i.Image!.Width}×{i.Image.Height}", $"{i.WireBytes:N0}", $"{Ratio(i):0.0}:1", $"{Bpp(i):0.###}", $"{i.EncodeMs:0.0}", $"{i.SendMs:0.0}", Markup.Escape(i.Receipt!.StoredName));
            AnsiConsole.Write(table);
        }
        long wire = items.Sum(i => i.WireBytes), png = items.Sum(i => i.OriginalPngBytes);
        var summary = $"sent {items.Count} image(s) with {codec.ModelName}/{o.Cipher}: {wire:N0} bytes on the wire vs {png:N0} as PNG ({(double)png / Math.Max(1, wire):0.0}:1) in {total.Elapsed.TotalSeconds:0.00} s";
        Console.WriteLine(summary);
        if (jsonPath is not null) WriteJson(jsonPath, o, codec.ModelName, modelIdHex, items, total.Elapsed.TotalMilliseconds);
        return 0;
    }

    private static string Line(Item i) => string.Create(CultureInfo.InvariantCulture,
        $"{i.Name}: {i.Image!.Width}x{i.Image.Height}, {i.WireBytes} bytes sent, {Ratio(i):0.0}:1 vs PNG, {Bpp(i):0.###} bpp, encode {i.EncodeMs:0.0} ms, send {i.SendMs:0.0} ms → {i.Receipt!.StoredName}");

    private static double Ratio(Item i) => (double)i.OriginalPngBytes / Math.Max(1, i.WireBytes);

    private static double Bpp(Item i) => i.WireBytes * 8.0 / ((double)i.Image!.Width * i.Image.Height);

    private static void WriteJson(string path, SendOptions o, string model, string modelId, List<Item> items, double totalMs)
    {
        var arr = new JsonArray();
        foreach (var i in items)
            arr.Add(new JsonObject
            {
                ["file"] = i.Path,
                ["width"] = i.Image!.Width,
                ["height"] = i.Image.Height,
                ["wire_bytes"] = i.WireBytes,
                ["latent_bytes"] = i.Encoded!.Latent.Length,
                ["original_png_bytes"] = i.OriginalPngBytes,
                ["ratio_vs_png"] = Math.Round(Ratio(i), 4),
                ["bpp"] = Math.Round(Bpp(i), 5),
                ["encode_ms"] = Math.Round(i.EncodeMs, 3),
                ["send_ms"] = Math.Round(i.SendMs, 3),
                ["attempts"] = i.Attempts,
                ["stored_name"] = i.Receipt!.StoredName,
                ["decode_ms"] = Math.Round(i.Receipt.DecodeMs, 3),
                ["psnr"] = o.Demo ? Math.Round(i.Receipt.Psnr, 4) : null,
                ["ssim"] = o.Demo ? Math.Round(i.Receipt.Ssim, 5) : null,
            });
        var doc = new JsonObject
        {
            ["receiver"] = o.To!.ToString(),
            ["receiver_fingerprint"] = o.ReceiverFingerprint!.Hex,
            ["model"] = model,
            ["model_id"] = modelId,
            ["cipher"] = o.Cipher,
            ["images"] = arr,
            ["total_wire_bytes"] = items.Sum(i => i.WireBytes),
            ["total_png_bytes"] = items.Sum(i => i.OriginalPngBytes),
            ["total_ms"] = Math.Round(totalMs, 2),
        };
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(tmp, path, overwrite: true);
    }

    private static IEnumerable<string> Expand(IEnumerable<string> inputs)
    {
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var files = Directory.EnumerateFiles(input).Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0) throw new ArgumentException($"{input}: folder holds no images");
                foreach (var f in files) yield return f;
            }
            else if (File.Exists(input)) yield return input;
            else throw new FileNotFoundException($"{input}: no such file or folder");
        }
    }

    internal static string DefaultModels() => ProjectPaths.DefaultModels();
}
