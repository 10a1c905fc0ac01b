using System.Runtime.InteropServices;
using SecureTransmit.Integration.Tests.Infrastructure;

namespace SecureTransmit.Integration.Tests.Reliability.Support;

/// <summary>Runs a program (found on PATH) to completion under a timeout; and who we are.</summary>
public static partial class Shell
{
    public static async Task<(ProcessResult Result, int Pid)> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        await using var p = ChildProcess.Start(file, args);
        int pid = p.Id;
        return (await p.WaitAsync(timeout), pid);
    }

    public static bool IsRoot => GetEuid() == 0;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
