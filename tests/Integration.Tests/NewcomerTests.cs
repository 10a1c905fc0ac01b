using System.Text.Json.Nodes;
using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Integration.Tests.Reliability.Support;
using Xunit.Abstractions;

namespace SecureTransmit.Integration.Tests;

/// <summary>
/// Issue 10 point 4: what a new user runs into, each answered with one line that says what happened and what to do.
/// </summary>
public sealed class NewcomerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Https_to_an_h2c_or_dashboard_port_says_the_port_does_not_speak_tls_and_does_not_retry()
    {
        using var world = World.Create();
        var dashboardPort = world["dashboard.port"];
        await using var rx = await ReceiverProcess.StartAsync(world, h2c: true, extraArgs: ["--dashboard", "127.0.0.1:0", "--dashboard-port-file", dashboardPort]);
        var images = world.MakeImages("in", 1);
        foreach (var port in new[] { rx.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(dashboardPort).Trim() })
        {
            var r = await Send(world, images, $"https://127.0.0.1:{port}", world.SenderKey);
            output.WriteLine(r.ToString());
            AssertOneLine(r, "does not speak TLS");
            Assert.DoesNotContain("retrying", r.StdErr);
        }
    }

    [Fact]
    public async Task A_missing_key_file_names_keygen_on_both_sides()
    {
        using var world = World.Create();
        var missing = world["keys/nope.key"];
        var s = await Send(world, world.MakeImages("in", 1), "https://127.0.0.1:1", missing);
        AssertOneLine(s, "keygen --key");
        var r = await ChildProcess.RunDotnetAsync(Repo.ReceiverDll, ["serve", "--listen", "127.0.0.1:0", "--key", missing, "--allow", world.AllowList,
            "--models", World.Models, "--out", world.Out], Timeout);
        AssertOneLine(r, "keygen --key");
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_without_a_stack_trace()
    {
        using var world = World.Create();
        await using var rx = await ReceiverProcess.StartAsync(world, h2c: false);
        var r = await ChildProcess.RunDotnetAsync(Repo.ReceiverDll, ["serve", "--listen", $"127.0.0.1:{rx.Port}", "--key", world.ReceiverKey,
            "--allow", world.AllowList, "--models", World.Models, "--out", world["out2"]], Timeout);
        output.WriteLine(r.ToString());
        AssertOneLine(r, "already in use");
        Assert.DoesNotContain("   at ", r.StdOut + r.StdErr);
    }

    [Fact]
    public async Task Ctrl_c_mid_batch_still_prints_and_writes_what_was_stored()
    {
        using var world = World.Create();
        await using var rx = await ReceiverProcess.StartAsync(world, h2c: false);
        var images = world.MakeImages("in", 400, size: 64);
        var summary = world["summary.json"];
        await using var sender = ChildProcess.Start("dotnet", [Repo.SenderDll, "send", images, "--to", rx.Address.ToString(),
            "--receiver", world.ReceiverFingerprint.Hex, "--key", world.SenderKey, "--models", World.Models, "--quiet", "--json", summary]);
        var until = DateTime.UtcNow + Timeout;
        while (Directory.GetFiles(world.Out, "*.json").Length < 3 && !sender.HasExited && DateTime.UtcNow < until) await Task.Delay(5);
        Assert.False(sender.HasExited, "the batch finished before it could be interrupted");
        sender.Signal(2); // SIGINT, as Ctrl-C sends it
        var r = await sender.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(r.ToString());
        Assert.Equal(130, r.ExitCode);
        Assert.Contains("interrupted: ", r.StdOut);
        var stored = JsonNode.Parse(File.ReadAllText(summary))!["images"]!.AsArray();
        // The receiver writes a sidecar before it sends the receipt, so at the signal some receipts may still be in flight:
        // the sender lists only images with a verified receipt — at least one of the three stored, never more than stored.
        Assert.InRange(stored.Count, 1, Math.Min(399, Directory.GetFiles(world.Out, "*.json").Length));
        Assert.Contains($"{stored.Count} of 400 image(s) stored", r.StdOut);
        // What the summary lists is what the receiver stored (its receipts were verified).
        var names = stored.Select(n => n!["stored_name"]!.GetValue<string>()).ToHashSet();
        Assert.All(names, n => Assert.True(File.Exists(Path.Combine(world.Out, n)), n));
    }

    private static Task<ProcessResult> Send(World world, string images, string to, string key) =>
        ChildProcess.RunDotnetAsync(Repo.SenderDll, ["send", images, "--to", to, "--receiver", world.ReceiverFingerprint.Hex, "--key", key,
            "--models", World.Models, "--quiet", "--attempts", "3"], Timeout);

    private static void AssertOneLine(ProcessResult r, string expected)
    {
        Assert.True(r.ExitCode != 0, r.ToString());
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one error line:\n" + r);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }
}
