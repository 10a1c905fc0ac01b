using System.Text.Json.Nodes;
using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Integration.Tests.Reliability.Support;
using Xunit.Abstractions;

namespace SecureTransmit.Integration.Tests.Reliability;

/// <summary>
/// Runs <c>scripts/two-hosts.sh</c>: receiver and sender in two network namespaces joined by a veth pair impaired to
/// 10 Mbit/s, 40 ms and 1 % loss, a batch over TLS, every image checked on arrival. Needs root, as CI (.ci/run) runs:
/// run elsewhere without root, this test FAILS with that instruction rather than skipping.
/// </summary>
public sealed class TwoHostsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_batch_crosses_an_impaired_link_between_two_network_namespaces_intact()
    {
        if (!Shell.IsRoot)
            Assert.Fail("TwoHostsTests needs root (it creates network namespaces): run the tests as root, as .ci/run does, " +
                        "or run `sudo scripts/two-hosts.sh` by hand");
        using var world = World.Create();
        var images = world.MakeImages("batch", 30, size: 96, seed: 42);
        var (r, pid) = await Shell.RunAsync("bash", [Path.Combine(Repo.Root, "scripts", "two-hosts.sh"),
            "--images", images, "--models", World.Models, "--demo"], TimeSpan.FromSeconds(300));
        output.WriteLine(r.ToString());
        Assert.True(r.ExitCode == 0, r.ToString());
        var line = r.StdOut.Split('\n').Last(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        var result = JsonNode.Parse(line["RESULT ".Length..])!;
        Assert.Equal(30, result["sent"]!.GetValue<int>());
        Assert.Equal(30, result["stored"]!.GetValue<int>());
        Assert.Equal(30, result["unique_ids"]!.GetValue<int>());
        Assert.Empty(result["problems"]!.AsArray());
        Assert.Equal("10.77.0.2", result["from"]!.GetValue<string>());
        Assert.Equal("10.77.0.1", result["to"]!.GetValue<string>());
        // Its namespaces (named after the script's pid) are gone afterwards.
        var (netns, _) = await Shell.RunAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(30));
        Assert.DoesNotContain($"st2h-rx-{pid}", netns.StdOut);
        Assert.DoesNotContain($"st2h-tx-{pid}", netns.StdOut);
    }
}
