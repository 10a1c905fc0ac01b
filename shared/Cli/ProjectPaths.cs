namespace SecureTransmit.Cli;

/// <summary>Default locations of the programs' inputs.</summary>
public static class ProjectPaths
{
    /// <summary>
    /// The repository's <c>models/</c> folder when the program runs from a checkout (the first folder above the
    /// program that holds <c>SecureTransmit.sln</c>), else <c>./models</c>.
    /// </summary>
    public static string DefaultModels()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SecureTransmit.sln"))) return Path.Combine(dir.FullName, "models");
        return "models";
    }
}
