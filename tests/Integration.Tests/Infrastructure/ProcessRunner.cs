using System.Diagnostics;
using System.Text;

namespace SecureTransmit.Integration.Tests.Infrastructure;

/// <summary>The outcome of a finished child process.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>Starts real OS processes (dotnet programs, python peers) with output capture and a hard timeout.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_out) _out.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_err) _err.AppendLine(e.Data); };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => _exited.TrySetResult();
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public string StdOut { get { lock (_out) return _out.ToString(); } }
    public string StdErr { get { lock (_err) return _err.ToString(); } }

    public static ChildProcess Start(string fileName, IEnumerable<string> args, string? workingDirectory = null, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = new Process { StartInfo = psi };
        var child = new ChildProcess(p);
        if (!p.Start()) throw new InvalidOperationException($"could not start {fileName}");
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        p.StandardInput.Close();
        return child;
    }

    /// <summary>Runs `dotnet DLL args` to completion (killed after <paramref name="timeout"/>).</summary>
    public static async Task<ProcessResult> RunDotnetAsync(string dll, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null)
    {
        await using var p = Start("dotnet", [dll, .. args], workingDirectory);
        return await p.WaitAsync(timeout);
    }

    public async Task<ProcessResult> WaitAsync(TimeSpan timeout)
    {
        try
        {
            await _exited.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList)} did not finish within {timeout.TotalSeconds:0} s\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}");
        }
        _process.WaitForExit(); // flush the output readers
        return new ProcessResult(_process.ExitCode, StdOut, StdErr);
    }

    /// <summary>Sends a POSIX signal (e.g. 15 SIGTERM, 9 SIGKILL) to the process.</summary>
    public void Signal(int signal)
    {
        if (!_process.HasExited) _ = Posix.Kill(_process.Id, signal);
    }

    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try { await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10)); } catch (TimeoutException) { }
        _process.Dispose();
    }
}

internal static partial class Posix
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    internal static partial int Kill(int pid, int signal);
}
