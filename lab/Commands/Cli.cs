using System.CommandLine;
using SecureTransmit.Cli;

namespace SecureTransmit.Lab.Commands;

/// <summary>
/// Runs lab's command line with the rules all our programs share (<see cref="CommandLineRunner"/>): a problem the user
/// can fix is one line on stderr and exit code 2, anything else one line and 70 (SECURETRANSMIT_TRACE=1 adds the stack
/// trace). Ctrl-C and SIGTERM are handled by the commands that need to save state (see TrainCommand).
/// </summary>
internal static class Cli
{
    public static Task<int> RunAsync(RootCommand root, string[] args) =>
        CommandLineRunner.RunAsync(Path.GetFileNameWithoutExtension(Environment.GetCommandLineArgs()[0]), root, args);
}
