using System.Net;
using SecureTransmit.Receiver;

namespace SecureTransmit.Integration.Tests.Reliability.Support;

/// <summary>A <see cref="ReceiverHost"/> in the test process: real Kestrel, real HTTP/2, our TransmitService.</summary>
public static class HostedReceiver
{
    public static async Task<ReceiverHost> StartAsync(World world, bool h2c = true, Action<ReceiverOptions>? configure = null)
    {
        var options = new ReceiverOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            KeyPath = world.ReceiverKey,
            AllowListPath = world.AllowList,
            ModelsPath = World.Models,
            OutputPath = world.Out,
            InsecureH2c = h2c,
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        var host = ReceiverHost.Build(options);
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return host;
    }

    public static Uri Address(ReceiverHost host) => new($"{(host.Options.InsecureH2c ? "http" : "https")}://127.0.0.1:{host.GrpcPort}");

    /// <summary>PNG and JSON files in the output folder (temporary files included, so leftovers are counted too).</summary>
    public static string[] OutputFiles(string outDir) =>
        Directory.Exists(outDir) ? Directory.GetFiles(outDir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray() : [];
}
