using System.Text.Json.Nodes;
using SecureTransmit.Integration.Tests.Infrastructure;

namespace SecureTransmit.Integration.Tests.Reliability.Support;

/// <summary>Runs this project's python peers (tests/Integration.Tests/python) with Debian's /usr/bin/python3 and grpcio.</summary>
public static class Python
{
    public const string Interpreter = "/usr/bin/python3";
    private static readonly Lazy<string?> s_problem = new(Probe);

    public static string Script(string name) => Path.Combine(Repo.Root, "tests", "Integration.Tests", "python", name);

    /// <summary>Fails (never skips) when python3 or grpcio is missing.</summary>
    public static void EnsureAvailable()
    {
        if (s_problem.Value is { } problem)
            Assert.Fail($"python grpcio peer unavailable ({problem}): run scripts/setup.sh (apt-get install python3-grpcio python3-protobuf)");
    }

    /// <summary>Runs a script and parses the JSON object it prints last on stdout.</summary>
    public static async Task<JsonObject> RunJsonAsync(string script, IEnumerable<string> args, TimeSpan timeout)
    {
        EnsureAvailable();
        await using var p = ChildProcess.Start(Interpreter, [Script(script), .. args]);
        var r = await p.WaitAsync(timeout);
        Assert.True(r.ExitCode == 0, $"{script} failed: {r}");
        var last = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
                   ?? throw new InvalidOperationException($"{script} printed nothing: {r}");
        return JsonNode.Parse(last)!.AsObject();
    }

    private static string? Probe()
    {
        if (!File.Exists(Interpreter)) return $"{Interpreter} not found";
        try
        {
            using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(Interpreter, ["-c", "import grpc"])
                { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
            var err = p.StandardError.ReadToEnd();
            if (!p.WaitForExit(30_000)) { p.Kill(); return "python3 -c 'import grpc' hung"; }
            return p.ExitCode == 0 ? null : $"import grpc failed: {err.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return e.Message;
        }
    }
}
