using System.CommandLine;

namespace SecureTransmit.Lab.Commands;

/// <summary>
/// Runs a command line. Problems a user can fix (bad files, bad arguments) become one line on stderr and exit
/// code 2; anything else becomes one line and exit code 70 (set LAB_TRACE=1 to see the stack trace).
/// Ctrl-C and SIGTERM are handled by the commands that need to save state (see TrainCommand).
/// </summary>
public static class Cli
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var name = Path.GetFileNameWithoutExtension(Environment.GetCommandLineArgs()[0]);
        var config = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            // Commands that must clean up on Ctrl-C/SIGTERM (train) register their own handlers.
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await root.Parse(args).InvokeAsync(config);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"{name}: cancelled");
            return 130;
        }
        catch (Exception e)
        {
            bool user = IsUserError(e);
            Console.Error.WriteLine($"{name}: {(user ? "error" : "unexpected error")}: {OneLine(e)}");
            if (Environment.GetEnvironmentVariable("LAB_TRACE") == "1") Console.Error.WriteLine(e);
            return user ? 2 : 70;
        }
    }

    public static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ");

    /// <summary>Exceptions of our libraries, I/O and argument problems are the user's to fix.</summary>
    public static bool IsUserError(Exception e) =>
        e is IOException or UnauthorizedAccessException or ArgumentException or FormatException
        || e.GetType().Namespace?.StartsWith("SecureTransmit", StringComparison.Ordinal) == true;
}
