using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Integration.Tests.Reliability.Support;
using Xunit.Abstractions;

namespace SecureTransmit.Integration.Tests.Reliability;

/// <summary>
/// 8 concurrent sender processes × 100 images (64×64) to one receiver: nothing lost, nothing stored twice, the
/// receiver's peak memory bounded; images/s and MB/s reported. <c>bench/load/run.sh</c> runs the same test with
/// <c>ST_LOAD_REPORT=docs/load.md</c> (and optionally <c>ST_LOAD_SIDES=64,256</c>) to write the figures down.
/// </summary>
public sealed class LoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Eight_senders_times_100_images_nothing_lost_nothing_duplicated_memory_bounded()
    {
        var sides = (Environment.GetEnvironmentVariable("ST_LOAD_SIDES") ?? "64").Split(',').Select(int.Parse).ToArray();
        var runs = new List<LoadResult>();
        foreach (int side in sides)
        {
            using var world = World.Create();
            var r = await LoadRun.RunAsync(world, senders: 8, imagesPerSender: 100, side, TimeSpan.FromSeconds(300));
            output.WriteLine(r.Summary());
            Assert.True(r.SenderErrors.Length == 0, string.Join("\n", r.SenderErrors));
            Assert.Equal(0, r.Lost);
            Assert.Equal(0, r.Duplicates);
            Assert.Equal(800, r.Stored);
            Assert.True(r.PeakRssBytes < 1L << 30, $"receiver peak VmHWM {ProcStatus.Mb(r.PeakRssBytes)}");
            runs.Add(r);
        }
        if (Environment.GetEnvironmentVariable("ST_LOAD_REPORT") is { Length: > 0 } report)
        {
            var path = Path.IsPathRooted(report) ? report : Path.Combine(Repo.Root, report);
            File.WriteAllText(path, LoadRun.Markdown(runs));
            output.WriteLine($"wrote {path}");
        }
    }
}
