using System.Text.RegularExpressions;
using System.Xml.Linq;
using SecureTransmit.Integration.Tests.Infrastructure;

namespace SecureTransmit.Integration.Tests;

/// <summary>
/// Rules of the house that a reviewer would otherwise check by hand: every centrally pinned package is used by some
/// project, the build enforces code style with warnings as errors, and the kernel sources hold no dead guards.
/// </summary>
public sealed class RepositoryTests
{
    private static IEnumerable<string> Projects() =>
        Directory.EnumerateFiles(Repo.Root, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [Fact]
    public void Every_pinned_package_is_referenced_by_some_project()
    {
        var pinned = XDocument.Load(Path.Combine(Repo.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Select(e => (string)e.Attribute("Include")!).ToList();
        Assert.NotEmpty(pinned);
        var referenced = Projects().SelectMany(p => XDocument.Load(p).Descendants("PackageReference").Select(e => (string)e.Attribute("Include")!)).ToHashSet();
        var unused = pinned.Where(p => !referenced.Contains(p)).ToList();
        Assert.True(unused.Count == 0, "pinned but unused: " + string.Join(", ", unused));
        // And no project names a version of its own: central versions only.
        var own = Projects().Where(p => XDocument.Load(p).Descendants("PackageReference").Any(e => e.Attribute("Version") != null)).ToList();
        Assert.True(own.Count == 0, "projects naming their own package versions: " + string.Join(", ", own));
    }

    [Fact]
    public void The_build_enforces_code_style_with_warnings_as_errors()
    {
        var props = XDocument.Load(Path.Combine(Repo.Root, "Directory.Build.props"));
        string? Value(string name) => props.Descendants(name).Select(e => e.Value).FirstOrDefault();
        Assert.Equal("true", Value("EnforceCodeStyleInBuild"));
        Assert.Equal("true", Value("TreatWarningsAsErrors"));
        Assert.Equal("enable", Value("Nullable"));
    }

    [Fact]
    public void Kernel_sources_hold_no_dead_guards()
    {
        var neural = Path.Combine(Repo.Root, "shared", "Neural");
        var offenders = Directory.EnumerateFiles(neural, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"if\s*\(\s*true\s*\)"))
            .ToList();
        Assert.Empty(offenders);
    }
}
