using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Integration.Tests.Reliability.Support;
using Xunit.Abstractions;

namespace SecureTransmit.Integration.Tests.Reliability;

/// <summary>The receiver's announced limits reach the user as one clear line, without retries.</summary>
public sealed class ReceiverLimitsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_image_over_the_receivers_pixel_limit_fails_at_once_naming_the_image_and_the_limit()
    {
        using var world = World.Create();
        await using var host = await HostedReceiver.StartAsync(world, configure: o => o.MaxImagePixels = 3000);
        var images = world.MakeImages("in", 3, size: 64); // 4,096 pixels each
        var r = await ChildProcess.RunDotnetAsync(Repo.SenderDll,
            ["send", images, "--to", HostedReceiver.Address(host).ToString(), "--insecure-h2c", "--receiver", world.ReceiverFingerprint.Hex,
             "--key", world.SenderKey, "--models", World.Models, "--quiet"], TimeSpan.FromSeconds(120));
        output.WriteLine(r.ToString());
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("img0000.png is 64×64", r.StdErr);
        Assert.Contains("at most 3,000 pixels", r.StdErr);
        Assert.DoesNotContain("retrying", r.StdErr);
        Assert.Empty(HostedReceiver.OutputFiles(world.Out));
    }
}
