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
    /// <summary>Exit code when the batch was sent but some inputs could not be read (each is named on stderr).</summary>
    public const int SomeFilesFailed = 4;

    /// <summary>The background a transparent image is composited onto before encoding (the codec carries no alpha).</summary>
    public static readonly (byte R, byte G, byte B) AlphaBackground = (255, 255, 255);

    public static Task<int> RunAsync(RootCommand root, string[] args) =>
        CommandLineRunner.RunAsync("sender", root, args, processTerminationTimeout: TimeSpan.FromSeconds(5),
            userErrorExitCode: e => e is SendException ? 3 : CommandLineRunner.UserError);

    public static Command Keygen() => IdentityCommands.Keygen("sender", "keys/sender.key");

    public static Command Send()
    {
        var inputs = new Argument<string[]>("images") { Description = "image files or folders: JPEG, PNG, WebP, GIF (first frame), BMP, TIFF, PGM/PPM, recognised by content", Arity = ArgumentArity.OneOrMore };
        var to = new Option<string>("--to") { Description = "receiver address, e.g. https://127.0.0.1:50443", Required = true };
        var receiver = new Option<string>("--receiver") { Description = "the receiver's fingerprint (64 hex, printed by `receiver keygen`)", Required = true };
        var key = new Option<string>("--key") { Description = "sender identity file", DefaultValueFactory = _ => "keys/sender.key" };
        var model = new Option<string>("--model") { Description = "model name", DefaultValueFactory = _ => "cae-compact" };
        var models = new Option<string>("--models") { Description = "folder with NAME.encoder.safetensors", DefaultValueFactory = _ => DefaultModels() };
        var cipher = new Option<string>("--cipher") { Description = "aes-256-gcm (default) or logistic (the receiver must accept it: receiver serve --ciphers)", DefaultValueFactory = _ => CipherModes.Default };
        var h2c = new Option<bool>("--insecure-h2c") { Description = "cleartext HTTP/2 without TLS (testing only)" };
        var demo = new Option<bool>("--demo") { Description = "attach each original so the receiver shows PSNR/SSIM" };
        var json = new Option<string?>("--json") { Description = "write a JSON summary to this file" };
        var attempts = new Option<int>("--attempts") { Description = "tries when the receiver is unreachable or the connection breaks (default 8: backoff 0.25 s doubling to 10 s, about 26 s in all, longer than a receiver restart)", DefaultValueFactory = _ => new SendOptions().Attempts };
        var quiet = new Option<bool>("--quiet") { Description = "no progress bar or table" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "also send the images in subfolders of a folder" };
        var failFast = new Option<bool>("--fail-fast") { Description = "stop before sending anything at the first file that cannot be read (default: send the others, exit 4 at the end naming it)" };
        var cmd = new Command("send", "Encode, seal and send images to a receiver") { inputs, to, receiver, key, model, models, cipher, h2c, demo, json, attempts, quiet, recursive, failFast };
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
            return await RunSend(o, pr.GetRequiredValue(inputs), pr.GetValue(json), pr.GetValue(quiet), pr.GetValue(recursive), pr.GetValue(failFast), ct);
        });
        return cmd;
    }

    private static async Task<int> RunSend(SendOptions o, string[] inputs, string? jsonPath, bool quiet, bool recursive, bool failFast, CancellationToken ct)
    {
        if (!CodecFiles.Names.Contains(o.Model)) throw new ArgumentException($"--model '{o.Model}': unknown model (known: {string.Join(", ", CodecFiles.Names)})");
        var encoderPath = ModelFiles.EncoderPath(o.ModelsPath, o.Model);
        if (!File.Exists(encoderPath)) throw new FileNotFoundException($"no encoder for model '{o.Model}': {encoderPath} does not exist");
        using var identity = IdentityFile.Load(o.KeyPath);
        var (codec, modelIdHex) = CodecFiles.LoadEncoder(encoderPath, o.Model);

        var (files, skipped) = ImageFolder.List(inputs, recursive);
        foreach (var skip in skipped) Console.Error.WriteLine($"sender: skipped {skip.Path}: {skip.Reason}");
        var (items, failed, tooLarge) = ReadAll(files, codec, o.Demo, failFast, quiet);
        if (items.Count == 0)
            throw new ArgumentException(failed.Count == 1 ? failed[0] : failed.Count > 1 ? $"no image could be read ({string.Join("; ", failed)})"
                : $"no images to send ({skipped.Count + tooLarge} file(s) skipped)");

        var job = new SendJob(o, codec, Convert.FromHexString(modelIdHex), identity);
        var total = Stopwatch.StartNew();
        var table = new Table().AddColumns("image", "size", "bytes sent", "ratio vs PNG", "bpp", "encode ms", "send ms", "stored as").RightAligned();
        table.Columns[0].LeftAligned();
        job.OnRetry = (attempt, delay, why) => Console.Error.WriteLine($"sender: attempt {attempt} failed ({why}); retrying in {delay.TotalSeconds:0.##} s");
        bool interrupted = false;
        try
        {
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
                    table.AddRow(Markup.Escape(i.Name), $"{i.Width}×{i.Height}", $"{i.WireBytes:N0}", $"{Ratio(i):0.0}:1", $"{Bpp(i):0.###}", $"{i.EncodeMs:0.0}", $"{i.SendMs:0.0}", Markup.Escape(i.Receipt!.StoredName));
                AnsiConsole.Write(table);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl-C: still say what was stored (and write the JSON for it) before exiting.
            interrupted = true;
        }
        var done = items.Where(i => i.Receipt is not null).ToList();
        long wire = done.Sum(i => i.WireBytes), png = done.Sum(i => i.OriginalPngBytes);
        var summary = interrupted
            ? $"interrupted: {done.Count} of {items.Count} image(s) stored by the receiver with {codec.ModelName}/{o.Cipher}: {wire:N0} bytes on the wire in {total.Elapsed.TotalSeconds:0.00} s; {items.Count - done.Count} not sent"
            : $"sent {items.Count} image(s) with {codec.ModelName}/{o.Cipher}: {wire:N0} bytes on the wire vs {png:N0} as PNG ({(double)png / Math.Max(1, wire):0.0}:1) in {total.Elapsed.TotalSeconds:0.00} s";
        Console.WriteLine(summary);
        if (jsonPath is not null) WriteJson(jsonPath, o, codec.ModelName, modelIdHex, done, total.Elapsed.TotalMilliseconds);
        if (interrupted) return 130;
        if (failed.Count == 0) return 0;
        Console.Error.WriteLine($"sender: error: {failed.Count} of {files.Count} file(s) could not be read and were not sent: {string.Join("; ", failed)}");
        return SomeFilesFailed;
    }

    private static bool AnyTransparent(Image image)
    {
        for (long i = image.Channels - 1; i < image.Pixels.LongLength; i += image.Channels)
            if (image.Pixels[i] != 255) return true;
        return false;
    }

    /// <summary>
    /// Reads, checks and encodes the files one at a time (only one decoded image is in memory; each item keeps its
    /// small latent). A file that cannot be read is named on stderr and skipped, or with <paramref name="failFast"/>
    /// stops the run before anything is sent. Alpha is composited onto <see cref="AlphaBackground"/> with a warning.
    /// </summary>
    private static (List<Item> Items, List<string> Failed, int TooLarge) ReadAll(List<string> files, IImageCodec codec, bool demo, bool failFast, bool quiet)
    {
        var items = new List<Item>();
        var failed = new List<string>();
        int tooLarge = 0;
        foreach (var path in files)
        {
            try
            {
                var decoded = ImageIO.LoadWithInfo(path);
                var item = new Item(path);
                Image image = decoded.Image;
                if (image.HasAlpha && !AnyTransparent(image)) image = image.ConvertTo(image.Channels - 1); // alpha channel, all opaque
                if (image.HasAlpha)
                {
                    image = image.CompositeOnto(AlphaBackground);
                    item.Notes.Add("alpha composited onto white (#FFFFFF)");
                    item.SourceFlags |= PacketHeader.FlagAlphaComposited;
                    if (!quiet) Console.Error.WriteLine($"sender: warning: {path} has transparency; composited onto white (the codec carries no alpha)");
                }
                if (decoded.Source.Reduced16To8)
                {
                    item.Notes.Add("16-bit samples rounded to 8-bit");
                    item.SourceFlags |= PacketHeader.FlagReduced16To8;
                }
                item.SourceFormat = decoded.Source.Format;
                item.SourceGray = image.IsGray;
                item.Width = image.Width;
                item.Height = image.Height;
                var sw = Stopwatch.StartNew();
                item.Encoded = codec.Encode(image); // gray stays gray: the packet header carries the colour type
                item.EncodeMs = sw.Elapsed.TotalMilliseconds;
                item.OriginalPngBytes = decoded.Source.Format == ImageFormat.Png ? new FileInfo(path).Length : PngEncoder.Encode(decoded.Image).Length;
                if (demo) item.DemoPng = PngEncoder.Encode(image);
                items.Add(item);
            }
            catch (ImageFormatException e) when (e.OverLimit)
            {
                // Too large to decode here: listed as skipped (size), like a file that is not an image, not as a failure.
                var why = e.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message;
                Console.Error.WriteLine($"sender: skipped {path}: too large ({why})");
                tooLarge++;
            }
            catch (Exception e) when (e is ImageFormatException or IOException or UnauthorizedAccessException or CodecException)
            {
                var line = e is ImageFormatException || e.Message.Contains(path, StringComparison.Ordinal) ? e.Message : $"{path}: {e.Message}";
                if (failFast) throw new ArgumentException(line, e);
                failed.Add(line);
                if (files.Count > 1) Console.Error.WriteLine($"sender: cannot read {line}"); // one file: the closing error says it
            }
        }
        return (items, failed, tooLarge);
    }

    private static string Line(Item i) => string.Create(CultureInfo.InvariantCulture,
        $"{i.Name}: {i.Width}x{i.Height}, {i.WireBytes} bytes sent, {Ratio(i):0.0}:1 vs PNG, {Bpp(i):0.###} bpp, encode {i.EncodeMs:0.0} ms, send {i.SendMs:0.0} ms → {i.Receipt!.StoredName}");

    private static double Ratio(Item i) => (double)i.OriginalPngBytes / Math.Max(1, i.WireBytes);

    private static double Bpp(Item i) => i.WireBytes * 8.0 / ((double)i.Width * i.Height);

    private static void WriteJson(string path, SendOptions o, string model, string modelId, List<Item> items, double totalMs)
    {
        var arr = new JsonArray();
        foreach (var i in items)
            arr.Add(new JsonObject
            {
                ["file"] = i.Path,
                ["width"] = i.Width,
                ["height"] = i.Height,
                ["notes"] = new JsonArray([.. i.Notes.Select(n => (JsonNode?)JsonValue.Create(n))]),
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
        // A fresh name opened with O_CREAT|O_EXCL: a symlink planted at a predictable temporary name is never followed.
        var tmp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".partial";
        using (var w = new StreamWriter(new FileStream(tmp, FileMode.CreateNew, FileAccess.Write)))
            w.Write(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(tmp, path, overwrite: true);
    }

    internal static string DefaultModels() => ProjectPaths.DefaultModels();
}
