using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using SecureTransmit.Integration.Tests.Infrastructure;

namespace SecureTransmit.Integration.Tests.Reliability.Support;

/// <summary>What one load run measured.</summary>
public sealed record LoadResult(
    int Senders, int ImagesPerSender, int ImageSide, int Expected, int Stored, int UniqueImages, int Duplicates,
    double WallSeconds, double ReceiveWindowSeconds, long WireBytes, long OriginalPngBytes, long PeakRssBytes,
    long MaxSampledRssBytes, double MeanDecodeMs, string[] SenderErrors, string LoadAverageBefore, string LoadAverageAfter)
{
    public int Lost => Expected - UniqueImages;
    public double ImagesPerSecondWall => Stored / WallSeconds;
    public double ImagesPerSecondWindow => Stored / ReceiveWindowSeconds;
    public double WireMBpsWindow => WireBytes / 1e6 / ReceiveWindowSeconds;
    public double PngMBpsWindow => OriginalPngBytes / 1e6 / ReceiveWindowSeconds;

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"{Senders}×{ImagesPerSender} images {ImageSide}×{ImageSide}: stored {Stored}, lost {Lost}, duplicated {Duplicates}; " +
        $"wall {WallSeconds:0.0} s ({ImagesPerSecondWall:0.0} img/s), receive window {ReceiveWindowSeconds:0.0} s ({ImagesPerSecondWindow:0.0} img/s, " +
        $"{WireMBpsWindow:0.000} MB/s on the wire, {PngMBpsWindow:0.00} MB/s of PNG-equivalent images); receiver peak VmHWM {ProcStatus.Mb(PeakRssBytes)}, mean decode {MeanDecodeMs:0.0} ms");
}

/// <summary>
/// N real sender processes (each its own identity, all allowed) send M generated PNGs at once to one receiver process
/// over TLS. Counts what the receiver stored (sidecars, per sender and image id), samples its memory, and times it.
/// </summary>
public static class LoadRun
{
    public static async Task<LoadResult> RunAsync(World world, int senders, int imagesPerSender, int side, TimeSpan timeout)
    {
        var keys = Enumerable.Range(0, senders).Select(i => world.AddAllowedSender($"load{i}")).ToList();
        var folders = Enumerable.Range(0, senders).Select(i => world.MakeImages($"load{i}", imagesPerSender, side, seed: 1000 + i)).ToList();
        await using var rx = await ReceiverProcess.StartAsync(world, h2c: false);

        long maxRss = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                try { maxRss = Math.Max(maxRss, rx.RssBytes); } catch (IOException) { }
                try { await Task.Delay(100, sampling.Token); } catch (OperationCanceledException) { }
            }
        });

        var loadBefore = LoadAverage();
        var wall = Stopwatch.StartNew();
        var procs = Enumerable.Range(0, senders).Select(i => ChildProcess.Start("dotnet",
        [
            Repo.SenderDll, "send", folders[i], "--to", rx.Address.ToString(), "--receiver", world.ReceiverFingerprint.Hex,
            "--key", keys[i], "--models", World.Models, "--quiet", "--attempts", "8", "--json", world[$"load{i}.json"],
        ])).ToList();
        ProcessResult[] results;
        try
        {
            results = await Task.WhenAll(procs.Select(p => p.WaitAsync(timeout)));
        }
        finally
        {
            foreach (var p in procs) await p.DisposeAsync();
        }
        wall.Stop();
        long peak = rx.PeakRssBytes;
        sampling.Cancel();
        await sampler;

        var errors = results.Select((r, i) => r.ExitCode == 0 ? null : $"sender {i}: {r}").OfType<string>().ToArray();
        var sidecars = Directory.GetFiles(rx.OutDir, "*.json").Select(f => JsonNode.Parse(File.ReadAllText(f))!).ToList();
        var keysSeen = sidecars.Select(n => n["sender_fingerprint"]!.GetValue<string>() + "/" + n["image_id"]!.GetValue<string>()).ToList();
        var times = sidecars.Select(n => DateTimeOffset.Parse(n["received_at"]!.GetValue<string>(), CultureInfo.InvariantCulture)).Order().ToList();
        // The receive window runs from the first image stored to the last; one image's receive time is added so a
        // window of N images counts N intervals, not N - 1.
        double window = times.Count > 1 ? (times[^1] - times[0]).TotalSeconds : wall.Elapsed.TotalSeconds;
        window += sidecars.Count > 0 ? sidecars.Average(n => n["receive_ms"]!.GetValue<double>() + n["decode_ms"]!.GetValue<double>()) / 1000 : 0;
        return new LoadResult(senders, imagesPerSender, side, senders * imagesPerSender, sidecars.Count, keysSeen.Distinct().Count(),
            keysSeen.Count - keysSeen.Distinct().Count(), wall.Elapsed.TotalSeconds, window,
            sidecars.Sum(n => n["wire_bytes"]!.GetValue<long>()), sidecars.Sum(n => n["original_png_bytes"]!.GetValue<long>()),
            peak, maxRss, sidecars.Count > 0 ? sidecars.Average(n => n["decode_ms"]!.GetValue<double>()) : 0, errors,
            loadBefore, LoadAverage());
    }

    /// <summary>The 1-minute load average (how busy the machine was with other work too).</summary>
    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    /// <summary>Markdown for docs/load.md.</summary>
    public static string Markdown(IEnumerable<LoadResult> runs)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine("# Receiver under load");
        sb.AppendLine();
        sb.AppendLine(inv, $"Measured {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} CPU core(s), {Environment.OSVersion}, .NET {Environment.Version}, by `bench/load/run.sh`");
        sb.AppendLine("(which runs `tests/Integration.Tests/Reliability/LoadTests.cs` with `ST_LOAD_REPORT` set). Each sender is a separate");
        sb.AppendLine("`sender send` process with its own identity; all send at once to one `receiver serve` process over TLS on loopback,");
        sb.AppendLine("cae-compact with seeded untrained weights (the cost of encoding and decoding does not depend on training), logistic cipher.");
        sb.AppendLine("Senders and receiver share the machine's cores, and other work may share them too: the 1-minute load average");
        sb.AppendLine("before and after each run is in the last column (a load far above the core count means the figures are a floor).");
        sb.AppendLine();
        sb.AppendLine("| senders × images | image | stored | lost | duplicated | wall s | img/s (wall) | receive window s | img/s (window) | wire MB/s | PNG-equivalent MB/s | receiver peak VmHWM | mean decode ms | load avg before → after |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in runs)
            sb.AppendLine(inv, $"| {r.Senders} × {r.ImagesPerSender} | {r.ImageSide}×{r.ImageSide} | {r.Stored} | {r.Lost} | {r.Duplicates} | {r.WallSeconds:0.0} | {r.ImagesPerSecondWall:0.0} | {r.ReceiveWindowSeconds:0.0} | {r.ImagesPerSecondWindow:0.0} | {r.WireMBpsWindow:0.000} | {r.PngMBpsWindow:0.00} | {ProcStatus.Mb(r.PeakRssBytes)} | {r.MeanDecodeMs:0.0} | {r.LoadAverageBefore} → {r.LoadAverageAfter} |");
        sb.AppendLine();
        sb.AppendLine("- *wall*: from starting the sender processes to the last one exiting (includes .NET start-up, model loading and encoding on the senders).");
        sb.AppendLine("- *receive window*: from the first stored image to the last (sidecar `received_at`), plus one image's receive + decode time.");
        sb.AppendLine("- *wire MB/s*: header + ciphertext + tag bytes per second (10^6 bytes); *PNG-equivalent*: the same images' size as PNG files.");
        sb.AppendLine("- *lost* = images sent minus distinct (sender, image id) stored; *duplicated* = sidecars beyond one per (sender, image id).");
        sb.AppendLine("- *VmHWM*: the receiver process's peak resident set (from /proc/PID/status) over the whole run, start-up included.");
        return sb.ToString();
    }
}
