using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace SecureTransmit.Lab.Experiments.Internal;

/// <summary>Runs command-line tools (avifenc, avifdec, ip, tc, dotnet) with a timeout; failures become one-line <see cref="ExperimentException"/>s.</summary>
internal static class Tools
{
    public static bool Exists(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(d => File.Exists(Path.Combine(d, tool)));

    /// <summary>Throws unless <paramref name="tool"/> is on PATH, naming the Debian package that provides it.</summary>
    public static void Require(string tool, string package)
    {
        if (!Exists(tool))
            throw new ExperimentException($"{tool} not found on PATH: install the Debian package {package} (scripts/setup.sh does)");
    }

    public static (int ExitCode, string StdOut, string StdErr) Run(string tool, IEnumerable<string> args, TimeSpan timeout, bool check = true)
    {
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new ExperimentException($"could not start {tool}");
        }
        catch (Win32Exception e)
        {
            throw new ExperimentException($"could not run {tool}: {e.Message}", e);
        }
        using (p)
        {
            p.StandardInput.Close();
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new ExperimentException($"{tool} did not finish within {timeout.TotalSeconds:0} s");
            }
            p.WaitForExit();
            var (o, e) = (stdout.Result, stderr.Result);
            if (check && p.ExitCode != 0)
                throw new ExperimentException($"{tool} {string.Join(' ', psi.ArgumentList)} failed (exit {p.ExitCode}): {FirstLine(e.Length > 0 ? e : o)}");
            return (p.ExitCode, o, e);
        }
    }

    public static string FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        return line.Length > 300 ? line[..300] + "…" : line;
    }

    /// <summary>Joins arguments for a log line, quoting those with spaces.</summary>
    public static string Quote(IEnumerable<string> args)
    {
        var sb = new StringBuilder();
        foreach (var a in args) sb.Append(sb.Length > 0 ? " " : "").Append(a.Contains(' ') ? $"'{a}'" : a);
        return sb.ToString();
    }
}
