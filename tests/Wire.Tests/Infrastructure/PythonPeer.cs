using System.Diagnostics;
using System.Text;

namespace SecureTransmit.Wire.Tests.Infrastructure;

/// <summary>Runs the python grpcio peer scripts (tests/Wire.Tests/python) with Debian's /usr/bin/python3.</summary>
internal static class PythonPeer
{
    public const string Python = "/usr/bin/python3";
    private const string Missing = "install python3-grpcio (scripts/setup.sh)";
    private static readonly Lazy<string?> s_problem = new(Probe);

    /// <summary>Fails the test (never skips) when python3 or its grpc module is missing.</summary>
    public static void EnsureAvailable()
    {
        if (s_problem.Value is string problem)
        {
            Assert.Fail($"{Missing}: {problem}");
        }
    }

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "python", name);

    /// <summary>Runs a script to completion under a timeout; kills it (and its children) when the time is up.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string script, IEnumerable<string> args, TimeSpan timeout)
    {
        EnsureAvailable();
        using Process process = Start(script, args);
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Kill(process);
            Assert.Fail($"{script} did not finish within {timeout.TotalSeconds} s. stderr: {await SafeResult(stderr)}");
        }
        finally
        {
            Kill(process);
        }

        return (process.ExitCode, await stdout.WaitAsync(TimeSpan.FromSeconds(10)), await stderr.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>Starts echo_server.py and waits for its "PORT n" line.</summary>
    public static async Task<PythonServer> StartServerAsync(IEnumerable<string> args)
    {
        EnsureAvailable();
        Process process = Start("echo_server.py", args);
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        try
        {
            while (true)
            {
                string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
                if (line is null)
                {
                    throw new InvalidOperationException($"echo_server.py exited before listening. stderr: {stderr}");
                }

                if (line.StartsWith("PORT ", StringComparison.Ordinal))
                {
                    return new PythonServer(process, int.Parse(line.AsSpan(5)), stderr);
                }
            }
        }
        catch
        {
            Kill(process);
            process.Dispose();
            throw;
        }
    }

    private static Process Start(string script, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(Script(script));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        info.Environment["GRPC_VERBOSITY"] = "ERROR";
        info.Environment["no_proxy"] = "127.0.0.1,localhost";
        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {Python}.");
    }

    internal static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static async Task<string> SafeResult(Task<string> task)
    {
        try
        {
            return await task.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception ex)
        {
            return $"<{ex.GetType().Name}>";
        }
    }

    private static string? Probe()
    {
        if (!File.Exists(Python))
        {
            return $"{Python} not found";
        }

        var info = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("import grpc");
        using Process process = Process.Start(info)!;
        string err = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(30_000))
        {
            Kill(process);
            return "'import grpc' did not finish in 30 s";
        }

        return process.ExitCode == 0 ? null : $"'import grpc' failed: {err.Trim()}";
    }
}

/// <summary>A running echo_server.py; disposing closes its stdin (it then stops) and kills it if it lingers.</summary>
internal sealed class PythonServer(Process process, int port, StringBuilder stderr) : IAsyncDisposable
{
    public int Port { get; } = port;

    public string Stderr
    {
        get
        {
            lock (stderr)
            {
                return stderr.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            process.StandardInput.Close();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
        }
        finally
        {
            PythonPeer.Kill(process);
            process.Dispose();
        }
    }
}
