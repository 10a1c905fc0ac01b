using System.CommandLine;

namespace SecureTransmit.Cli;

/// <summary>
/// Runs the command line of one of the programs (sender, receiver, lab) with the same rules for all of them: a
/// problem the user can fix (bad files, bad arguments, a refusal by the peer) is one line on stderr,
/// "<c>PROGRAM: error: message</c>", and exit code 2 unless the program maps it otherwise; Ctrl-C that reaches here is
/// "<c>PROGRAM: cancelled</c>" and 130; anything else is one line, "<c>PROGRAM: unexpected error: Type: message</c>",
/// and 70 (EX_SOFTWARE). Set <c>SECURETRANSMIT_TRACE=1</c> to also print the stack trace.
/// </summary>
public static class CommandLineRunner
{
    /// <summary>Exit code of a user error unless <c>userErrorExitCode</c> says otherwise.</summary>
    public const int UserError = 2;

    /// <summary>Exit code of an unexpected failure (sysexits EX_SOFTWARE).</summary>
    public const int InternalError = 70;

    /// <summary>Exit code after Ctrl-C (128 + SIGINT).</summary>
    public const int Cancelled = 130;

    /// <param name="program">The name in front of every error line.</param>
    /// <param name="root">The parsed command tree.</param>
    /// <param name="args">The process arguments.</param>
    /// <param name="processTerminationTimeout">
    /// How long System.CommandLine lets an action run after Ctrl-C/SIGTERM before ending the process; null when the
    /// commands handle those signals themselves (a server's graceful stop, a training run's checkpoint).
    /// </param>
    /// <param name="userErrorExitCode">Maps a user error to its exit code; null for <see cref="UserError"/> always.</param>
    public static async Task<int> RunAsync(string program, RootCommand root, string[] args, TimeSpan? processTerminationTimeout = null,
        Func<Exception, int>? userErrorExitCode = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = processTerminationTimeout };
        try
        {
            return await root.Parse(args).InvokeAsync(config);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"{program}: cancelled");
            return Cancelled;
        }
        catch (Exception e)
        {
            bool user = IsUserError(e);
            Console.Error.WriteLine(user ? $"{program}: error: {OneLine(e)}" : $"{program}: unexpected error: {e.GetType().Name}: {OneLine(e)}");
            if (Environment.GetEnvironmentVariable("SECURETRANSMIT_TRACE") == "1") Console.Error.WriteLine(e);
            return user ? userErrorExitCode?.Invoke(e) ?? UserError : InternalError;
        }
    }

    /// <summary>The exception's message on one line.</summary>
    public static string OneLine(Exception e) => (e ?? throw new ArgumentNullException(nameof(e))).Message.ReplaceLineEndings(" ");

    /// <summary>Exceptions of our libraries, I/O and argument problems are the user's to fix.</summary>
    public static bool IsUserError(Exception e) =>
        e is IOException or UnauthorizedAccessException or ArgumentException or FormatException
        || e.GetType().Namespace?.StartsWith("SecureTransmit", StringComparison.Ordinal) == true;
}
