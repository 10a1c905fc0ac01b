using System.Globalization;
using SecureTransmit.Integration.Tests.Infrastructure;

namespace SecureTransmit.Integration.Tests.Reliability.Support;

/// <summary><c>receiver serve</c> as a real child process of a <see cref="World"/>: port, pid, memory, signals.</summary>
public sealed class ReceiverProcess : IAsyncDisposable
{
    private ReceiverProcess(ChildProcess child, int port, bool h2c, string outDir)
    {
        Child = child;
        Port = port;
        H2c = h2c;
        OutDir = outDir;
    }

    public ChildProcess Child { get; }
    public int Port { get; }
    public bool H2c { get; }
    public string OutDir { get; }
    public int Pid => Child.Id;
    public Uri Address => new($"{(H2c ? "http" : "https")}://127.0.0.1:{Port}");

    /// <summary>Starts a receiver and waits until it listens. <paramref name="port"/> 0 picks a free port.</summary>
    public static async Task<ReceiverProcess> StartAsync(World world, int port = 0, bool h2c = true, string? outDir = null,
        IEnumerable<string>? extraArgs = null, TimeSpan? startTimeout = null)
    {
        outDir ??= world.Out;
        var portFile = world[$"port-{Guid.NewGuid():N}"];
        List<string> args =
        [
            Repo.ReceiverDll, "serve", "--listen", $"127.0.0.1:{port}", "--port-file", portFile,
            "--key", world.ReceiverKey, "--allow", world.AllowList, "--models", World.Models, "--out", outDir,
        ];
        if (h2c) args.Add("--insecure-h2c");
        if (extraArgs is not null) args.AddRange(extraArgs);
        var child = ChildProcess.Start("dotnet", args);
        var deadline = DateTime.UtcNow + (startTimeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            if (File.Exists(portFile) && int.TryParse(File.ReadAllText(portFile), NumberStyles.None, CultureInfo.InvariantCulture, out int bound) && bound > 0)
                return new ReceiverProcess(child, bound, h2c, outDir);
            if (child.HasExited)
            {
                var r = await child.WaitAsync(TimeSpan.FromSeconds(10));
                await child.DisposeAsync();
                throw new InvalidOperationException($"receiver exited before listening: {r}");
            }
            if (DateTime.UtcNow > deadline)
            {
                var output = $"--- stdout ---\n{child.StdOut}\n--- stderr ---\n{child.StdErr}";
                await child.DisposeAsync();
                throw new TimeoutException($"receiver did not write its port file within the start timeout\n{output}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Resident memory now (VmRSS), bytes.</summary>
    public long RssBytes => ProcStatus.Read(Pid, "VmRSS");

    /// <summary>Peak resident memory so far (VmHWM), bytes.</summary>
    public long PeakRssBytes => ProcStatus.Read(Pid, "VmHWM");

    public async ValueTask DisposeAsync() => await Child.DisposeAsync();
}

/// <summary>Reads a "Name:   N kB" line of /proc/PID/status.</summary>
public static class ProcStatus
{
    public static long Read(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
            var parts = line[(field.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], CultureInfo.InvariantCulture) * (parts.Length > 1 && parts[1] == "kB" ? 1024 : 1);
        }
        throw new InvalidOperationException($"/proc/{pid}/status has no {field} line");
    }

    public static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
}
