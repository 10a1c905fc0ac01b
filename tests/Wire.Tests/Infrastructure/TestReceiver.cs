using System.Net;
using SecureTransmit.Receiver;
using SecureTransmit.Security;

namespace SecureTransmit.Wire.Tests.Infrastructure;

/// <summary>A receiver in the test process on h2c loopback, with the repository's shipped models and fresh keys.</summary>
public sealed class TestReceiver : IAsyncDisposable
{
    private TestReceiver(string dir, ReceiverHost host, Identity sender)
    {
        Dir = dir;
        Host = host;
        Sender = sender;
    }

    public string Dir { get; }
    public ReceiverHost Host { get; }
    public Identity Sender { get; }
    public string Target => $"127.0.0.1:{Host.GrpcPort}";

    public static async Task<TestReceiver> StartAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "st-wire-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        using (IdentityFile.Create(Path.Combine(dir, "r.key"))) { }
        var sender = Identity.Generate();
        var allow = Path.Combine(dir, "allow.txt");
        File.WriteAllText(allow, AllowList.FormatLine(sender.Fingerprint) + "\n");
        var host = ReceiverHost.Build(new ReceiverOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0), KeyPath = Path.Combine(dir, "r.key"), AllowListPath = allow,
            ModelsPath = Models(), OutputPath = Path.Combine(dir, "out"), InsecureH2c = true, ShutdownTimeout = TimeSpan.FromSeconds(2),
        });
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return new TestReceiver(dir, host, sender);
    }

    public static string Models()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SecureTransmit.sln"))) return Path.Combine(d.FullName, "models");
        throw new DirectoryNotFoundException("models/ not found above the test folder");
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Sender.Dispose();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
