namespace SecureTransmit.Integration.Tests.Infrastructure;

/// <summary>Paths inside the checkout the tests run from.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>"Release" or "Debug": the configuration this test assembly was built in (the programs are built alike).</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    public static string ProgramDll(string project, string assembly) =>
        Path.Combine(Root, project, "bin", Configuration, "net10.0", assembly + ".dll");

    public static string SenderDll => ProgramDll("sender", "sender");
    public static string ReceiverDll => ProgramDll("receiver", "receiver");
    public static string LabDll => ProgramDll("lab", "lab");
    public static string Samples => Path.Combine(Root, "samples");
    public static string Models => Path.Combine(Root, "models");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SecureTransmit.sln"))) return dir.FullName;
        throw new InvalidOperationException("tests must run inside the SecureTransmit checkout (no SecureTransmit.sln above " + AppContext.BaseDirectory + ")");
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "st-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
