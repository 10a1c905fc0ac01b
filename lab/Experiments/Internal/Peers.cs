using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SecureTransmit.Lab.Experiments.Internal;

/// <summary>The built sender, receiver and lab programs of this checkout, run as child processes (optionally inside a network namespace).</summary>
internal sealed partial class Peers
{
    private Peers(string root, string config)
    {
        Root = root;
        ReceiverDll = Path.Combine(root, "receiver", "bin", config, "net10.0", "receiver.dll");
        SenderDll = Path.Combine(root, "sender", "bin", config, "net10.0", "sender.dll");
        LabDll = typeof(Peers).Assembly.Location;
    }

    public string Root { get; }
    public string ReceiverDll { get; }
    public string SenderDll { get; }
    public string LabDll { get; }
    public string KeysDir { get; private set; } = "";
    public string ReceiverFingerprint { get; private set; } = "";

    /// <summary>The repository root (the folder with SecureTransmit.sln) above the lab's binaries, or null.</summary>
    public static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SecureTransmit.sln"))) return dir.FullName;
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SecureTransmit.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>Finds the built programs and creates a fresh receiver and sender identity under <paramref name="workDir"/>.</summary>
    public static Peers Create(string workDir)
    {
        var root = FindRoot() ?? throw new ExperimentException("cannot find the repository (SecureTransmit.sln) above the lab or the current folder; run from a checkout");
        var config = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name is "Debug" ? "Debug" : "Release";
        var p = new Peers(root, config);
        foreach (var (dll, project) in new[] { (p.ReceiverDll, "receiver"), (p.SenderDll, "sender") })
            if (!File.Exists(dll)) throw new ExperimentException($"{dll} not found: build it first (dotnet build {project} -c {config})");
        p.KeysDir = Path.Combine(workDir, "keys");
        Directory.CreateDirectory(p.KeysDir);
        var rk = Path.Combine(p.KeysDir, "receiver.key");
        var r = Tools.Run("dotnet", [p.ReceiverDll, "keygen", "--key", rk], TimeSpan.FromMinutes(2));
        p.ReceiverFingerprint = FingerprintRe().Match(r.StdOut).Value is { Length: 64 } fp ? fp
            : throw new ExperimentException($"receiver keygen printed no fingerprint: {Tools.FirstLine(r.StdOut)}");
        Tools.Run("dotnet", [p.SenderDll, "keygen", "--key", Path.Combine(p.KeysDir, "sender.key")], TimeSpan.FromMinutes(2));
        Tools.Run("dotnet", [p.ReceiverDll, "allow", Path.Combine(p.KeysDir, "sender.pub"), "--allow", Path.Combine(p.KeysDir, "allowed.txt"), "--name", "lab-bandwidth"], TimeSpan.FromMinutes(2));
        return p;
    }

    /// <summary>Starts <c>receiver serve</c> on <paramref name="listenIp"/>:0 (TLS) and waits for its port.</summary>
    public async Task<(Process Process, int Port)> StartReceiverAsync(string[] prefix, string listenIp, string modelsDir, string outDir, CancellationToken ct)
    {
        var portFile = Path.Combine(outDir + ".port");
        File.Delete(portFile);
        var p = Start(prefix, ["dotnet", ReceiverDll, "serve", "--listen", $"{listenIp}:0", "--port-file", portFile, "--key", Path.Combine(KeysDir, "receiver.key"),
            "--allow", Path.Combine(KeysDir, "allowed.txt"), "--models", modelsDir, "--out", outDir, "--ciphers", "aes-256-gcm,logistic"]);
        return (p, await WaitForPort(p, portFile, "receiver", ct));
    }

    /// <summary>Starts <c>lab bandwidth sink</c> (used inside a namespace) and waits for its port.</summary>
    public async Task<(Process Process, int Port)> StartSinkAsync(string[] prefix, string listenIp, string portFile, CancellationToken ct)
    {
        File.Delete(portFile);
        var p = Start(prefix, ["dotnet", LabDll, "bandwidth", "sink", "--listen", $"{listenIp}:0", "--port-file", portFile]);
        return (p, await WaitForPort(p, portFile, "file sink", ct));
    }

    /// <summary>Runs <c>sender send</c> and returns its JSON summary.</summary>
    public JsonObject Send(string[] prefix, string to, string model, string modelsDir, string cipher, IEnumerable<string> files, string jsonPath)
    {
        string[] cmd = [.. prefix, "dotnet", SenderDll, "send", .. files, "--to", to, "--receiver", ReceiverFingerprint, "--key", Path.Combine(KeysDir, "sender.key"),
            "--models", modelsDir, "--model", model, "--cipher", cipher, "--json", jsonPath, "--quiet", "--attempts", "1"];
        Tools.Run(cmd[0], cmd[1..], TimeSpan.FromMinutes(10));
        return JsonNode.Parse(File.ReadAllText(jsonPath))!.AsObject();
    }

    public static Process Start(string[] prefix, string[] command)
    {
        string[] all = [.. prefix, .. command];
        var psi = new ProcessStartInfo(all[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in all[1..]) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var p = Process.Start(psi) ?? throw new ExperimentException($"could not start {all[0]}");
        p.StandardInput.Close();
        // Drain the pipes so a chatty child never blocks.
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (p) LastError = e.Data; };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static string LastError { get; set; } = "";

    public static void Stop(Process? p)
    {
        if (p is null) return;
        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        p.Dispose();
    }

    private static async Task<int> WaitForPort(Process p, string portFile, string what, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(portFile) && int.TryParse(File.ReadAllText(portFile).Trim(), out int port) && port > 0) return port;
            if (p.HasExited) throw new ExperimentException($"{what} exited (code {p.ExitCode}) before listening: {LastError}");
            await Task.Delay(100, ct);
        }
        Stop(p);
        throw new ExperimentException($"{what} did not start listening within 2 minutes");
    }

    [GeneratedRegex("[0-9a-f]{64}")]
    private static partial Regex FingerprintRe();
}
