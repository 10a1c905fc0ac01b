using System.Diagnostics;
using System.Text.Json;

namespace SecureTransmit.Bench.Internal;

/// <summary>Runs bench/torch_peer.py (PyTorch on 2 threads) in its own process and reads its JSON line.</summary>
internal static class TorchPeer
{
    public const string Python = "/usr/bin/python3";

    public sealed record Result(string Mode, string Format, double ImagesPerSecond, double PeakRssMb, string TorchVersion);

    /// <summary>Null with a reason when torch is not importable.</summary>
    public static string? Missing()
    {
        if (!File.Exists(Python)) return $"{Python} not found: apt-get install python3 python3-torch";
        var (rc, _, err) = RunProcess(Python, ["-c", "import torch"], TimeSpan.FromSeconds(120));
        return rc == 0 ? null : $"PyTorch is missing for {Python} ({err.Trim().Split('\n').LastOrDefault()}): apt-get install python3-torch";
    }

    public static Result Run(string script, string mode, string format, int batch, double seconds, string model = "cae-compact")
    {
        var (rc, output, err) = RunProcess(Python, [script, mode, format, batch.ToString(), seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), model],
                                           TimeSpan.FromSeconds(seconds * 4 + 120));
        if (rc != 0) throw new InvalidOperationException($"torch peer {model} {mode}/{format} failed (exit {rc}): {err.Trim()}");
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        return new Result(mode, format, r.GetProperty("images_per_s").GetDouble(), r.GetProperty("peak_rss_mb").GetDouble(), r.GetProperty("torch").GetString() ?? "?");
    }

    public static (int ExitCode, string Stdout, string Stderr) RunProcess(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout.TotalSeconds:F0} s");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
