using System.Text.Json.Nodes;
using SecureTransmit.Imaging;
using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Integration.Tests.Reliability.Support;
using Xunit.Abstractions;

namespace SecureTransmit.Integration.Tests.Reliability;

/// <summary>
/// The receiver dies (SIGKILL) or is stopped (SIGTERM) in the middle of a 100-image batch sent by the real sender
/// over TLS, then comes back on the same port and output folder. The sender must retry with backoff and finish; every
/// image must end up stored exactly once (one sidecar per image id), complete (the PNG decodes) and with no partial
/// file left behind.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    private const int Images = 100;
    private const int Side = 128; // 16 tiles an image: slow enough that the batch takes about a second on a fast machine
    private const int StartedAt = 10; // stored images before the interruption
    private const int Sigstop = 19, Sigcont = 18; // Linux x86-64/arm64 numbering

    [Fact]
    public async Task Sigkill_mid_batch_then_restart_every_image_stored_exactly_once()
    {
        using var world = World.Create();
        var (killedAt, sender, leftovers) = await RunWithInterruption(world, signal: 9);
        output.WriteLine($"SIGKILL after {killedAt} stored image(s); {leftovers} partial file(s) left by the dead receiver");
        Assert.InRange(killedAt, 1, Images - 1);
        AssertExactlyOnce(world, sender);
    }

    [Fact]
    public async Task Sigterm_mid_batch_finishes_images_in_flight_and_the_sender_retries_the_rest()
    {
        using var world = World.Create();
        var (stoppedAt, sender, leftovers) = await RunWithInterruption(world, signal: 15);
        var byFirst = _storedByFirst;
        output.WriteLine($"SIGTERM after {stoppedAt} stored image(s); {leftovers} partial file(s) after the graceful stop");
        Assert.Equal(0, leftovers);
        var stored = AssertExactlyOnce(world, sender);

        // Graceful means no receipt was lost: an image the first receiver stored was acknowledged to the sender, so
        // the sender sent it once; everything the sender had to send again was stored by the second receiver.
        var attempts = sender.ToDictionary(i => i.StoredName, i => i.Attempts);
        var lost = stored.Where(s => byFirst.Contains(s.File) && attempts[s.File] > 1).Select(s => s.File).ToList();
        Assert.True(lost.Count == 0, $"stored before the stop but sent again (receipt lost): {string.Join(", ", lost)}");
        Assert.Contains(sender, i => i.Attempts > 1);
    }

    private sealed record SenderItem(string StoredName, int Attempts);
    private sealed record StoredImage(string File, string ImageId);

    /// <summary>PNGs in the output folder when the first receiver had exited (sidecars name no session any more).</summary>
    private HashSet<string> _storedByFirst = [];

    /// <summary>Sends the batch, interrupts the receiver after ~10 stored images, restarts it, waits for the sender.</summary>
    private async Task<(int StoredAtSignal, List<SenderItem> Sender, int Leftovers)> RunWithInterruption(World world, int signal)
    {
        var images = world.MakeImages("batch", Images, size: Side, seed: signal);
        var summary = world["summary.json"];
        var first = await ReceiverProcess.StartAsync(world, h2c: false);
        int port = first.Port, storedAtSignal, leftovers;
        await using var sender = ChildProcess.Start("dotnet",
        [
            Repo.SenderDll, "send", images, "--to", $"https://127.0.0.1:{port}", "--receiver", world.ReceiverFingerprint.Hex,
            "--key", world.SenderKey, "--models", World.Models, "--quiet", "--attempts", "12", "--json", summary,
        ]);
        await using (first)
        {
            // A fast machine stores a small image every few milliseconds, and a test host busy with other tests can
            // leave a thread-pool continuation waiting for a second, so the whole batch could finish between two
            // polls. So a dedicated thread watches the folder and, the moment enough images are stored, freezes the
            // sender (SIGSTOP: at most --in-flight images stay on their way), signals the receiver while the batch is
            // certainly unfinished, and resumes the sender at once (SIGCONT), so that it is alive to read the receipts
            // of a graceful stop (a frozen peer cannot, and would resend those images).
            var signalled = new System.Diagnostics.Stopwatch();
            var interrupted = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var watcher = new Thread(() =>
            {
                try
                {
                    var deadline = DateTime.UtcNow.AddSeconds(180);
                    while (Directory.GetFiles(world.Out, "*.json").Length < StartedAt)
                    {
                        if (sender.HasExited) { interrupted.SetResult("sender finished before the interruption"); return; }
                        if (DateTime.UtcNow > deadline) { interrupted.SetResult("the batch did not get going"); return; }
                        Thread.Sleep(2);
                    }
                    sender.Signal(Sigstop);
                    signalled.Start();
                    first.Child.Signal(signal);
                    sender.Signal(Sigcont);
                    interrupted.SetResult(null);
                }
                catch (Exception e)
                {
                    interrupted.TrySetException(e);
                }
            }) { IsBackground = true, Name = "fault-watcher" };
            watcher.Start();
            var problem = await interrupted.Task.WaitAsync(TimeSpan.FromSeconds(200));
            Assert.True(problem is null, $"{problem}\n{sender.StdOut}\n{sender.StdErr}\n{first.Child.StdOut}");
            var exit = await first.Child.WaitAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"receiver exited {signalled.Elapsed.TotalSeconds:0.00} s after signal {signal}");
            storedAtSignal = Directory.GetFiles(world.Out, "*.json").Length;
            _storedByFirst = Directory.GetFiles(world.Out, "*.json").Select(f => Path.GetFileName(Path.ChangeExtension(f, ".png"))).ToHashSet();
            leftovers = Directory.GetFiles(world.Out, ".securetransmit-*").Length
                        + Directory.GetFiles(world.Out, "*.png").Count(p => !File.Exists(Path.ChangeExtension(p, ".json")));
            output.WriteLine($"first receiver: exit {exit.ExitCode}\n{exit.StdOut}\n{exit.StdErr}");
            if (signal == 15)
            {
                Assert.Equal(0, exit.ExitCode);
                // The upload stream ended right after the image in flight, not when the 30 s shutdown timeout ran out.
                Assert.True(signalled.Elapsed < TimeSpan.FromSeconds(20), $"graceful stop took {signalled.Elapsed.TotalSeconds:0.0} s");
                Assert.DoesNotContain("error", exit.StdErr, StringComparison.OrdinalIgnoreCase);
            }
        }

        await using var second = await ReceiverProcess.StartAsync(world, port: port, h2c: false);
        var result = await sender.WaitAsync(TimeSpan.FromSeconds(240));
        output.WriteLine($"sender: {result}");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("retrying", result.StdErr); // it did meet the outage
        var items = JsonNode.Parse(File.ReadAllText(summary))!["images"]!.AsArray()
            .Select(n => new SenderItem(n!["stored_name"]!.GetValue<string>(), n["attempts"]!.GetValue<int>())).ToList();
        return (storedAtSignal, items, leftovers);
    }

    private static List<StoredImage> AssertExactlyOnce(World world, List<SenderItem> sender)
    {
        Assert.Equal(Images, sender.Count);
        Assert.Empty(Directory.GetFiles(world.Out, ".securetransmit-*"));
        var pngs = Directory.GetFiles(world.Out, "*.png").Select(Path.GetFileName).ToHashSet();
        var stored = Directory.GetFiles(world.Out, "*.json").Select(path =>
        {
            var node = JsonNode.Parse(File.ReadAllText(path))!;
            return new StoredImage(node["file"]!.GetValue<string>(), node["image_id"]!.GetValue<string>());
        }).ToList();
        Assert.Equal(Images, stored.Count);
        Assert.Equal(Images, pngs.Count);
        Assert.Equal(Images, stored.Select(s => s.ImageId).Distinct().Count());
        Assert.True(stored.All(s => pngs.Contains(s.File)), "a sidecar names a missing PNG");
        // Every receipt the sender holds names a distinct stored file: no image was stored twice under two names.
        Assert.Equal(pngs.Order(StringComparer.Ordinal), sender.Select(i => i.StoredName).Order(StringComparer.Ordinal));
        foreach (var png in pngs)
        {
            var image = ImageIO.Load(Path.Combine(world.Out, png!));
            Assert.Equal((Side, Side), (image.Width, image.Height));
        }
        return stored;
    }
}
