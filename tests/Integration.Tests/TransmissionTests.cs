using System.Text.Json.Nodes;
using SecureTransmit.Codec;
using SecureTransmit.Imaging;
using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Metrics;
using SecureTransmit.Neural.Models;
using SecureTransmit.Security;

namespace SecureTransmit.Integration.Tests;

/// <summary>
/// One receiver process (TLS on loopback) serving the shipped models, and twenty generated images of mixed
/// sizes (1×1 up to 257×131) written as PNG files. Shared by the transmission tests.
/// </summary>
public sealed class ReceiverFixture : IAsyncLifetime
{
    public TempDir Dir { get; } = new("st-transmit");
    public ChildProcess? Receiver { get; private set; }
    public string ReceiverFingerprint { get; private set; } = "";
    public int Port { get; private set; }
    public List<string> Images { get; } = [];
    public string Out => Dir["out"];

    public static readonly (int W, int H)[] Sizes =
    [
        (1, 1), (7, 5), (31, 17), (32, 32), (33, 33), (40, 64), (64, 48), (8, 200), (100, 75), (96, 96),
        (128, 64), (63, 65), (150, 20), (201, 151), (47, 129), (256, 32), (17, 31), (80, 80), (257, 131), (12, 12),
    ];

    public async Task InitializeAsync()
    {
        foreach (var name in CodecFiles.Names)
            if (!TestModels.IsShipped(name))
                throw new InvalidOperationException($"models/{name}.encoder/decoder.safetensors are missing: the repository ships trained weights for every model");
        using (var r = IdentityFile.Create(Dir["receiver.key"])) ReceiverFingerprint = r.Fingerprint.Hex;
        using (var s = IdentityFile.Create(Dir["sender.key"]))
            File.WriteAllText(Dir["allowed.txt"], AllowList.FormatLine(s.Fingerprint, "test-sender") + "\n");
        Directory.CreateDirectory(Dir["images"]);
        for (int i = 0; i < Sizes.Length; i++)
        {
            var path = Path.Combine(Dir["images"], $"img{i:D2}-{Sizes[i].W}x{Sizes[i].H}.png");
            ImageIO.Save(Synthetic(Sizes[i].W, Sizes[i].H, seed: i), path);
            Images.Add(path);
        }
        Receiver = ChildProcess.Start("dotnet", [Repo.ReceiverDll, "serve", "--listen", "127.0.0.1:0", "--port-file", Dir["port"],
            "--key", Dir["receiver.key"], "--allow", Dir["allowed.txt"], "--models", TestModels.Shipped, "--out", Out, "--ciphers", "aes-256-gcm,logistic"]);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!File.Exists(Dir["port"]))
        {
            if (Receiver.HasExited || DateTime.UtcNow > until)
                throw new InvalidOperationException("receiver did not start:\n" + Receiver.StdOut + Receiver.StdErr);
            await Task.Delay(100);
        }
        Port = int.Parse(await File.ReadAllTextAsync(Dir["port"]), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task DisposeAsync()
    {
        if (Receiver is not null) await Receiver.DisposeAsync();
        Dir.Dispose();
    }

    /// <summary>A smooth gradient with shapes and mild noise: image-like content, deterministic per seed.</summary>
    public static Image Synthetic(int w, int h, int seed)
    {
        var img = new Image(w, h, 3);
        var rng = new Random(seed);
        double cx = rng.NextDouble() * w, cy = rng.NextDouble() * h, rad = Math.Max(2, Math.Min(w, h) / 3.0);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                bool inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < rad * rad;
                for (int c = 0; c < 3; c++)
                {
                    double v = 40 + 150.0 * (c == 0 ? x / (double)Math.Max(1, w - 1) : c == 1 ? y / (double)Math.Max(1, h - 1) : 0.5);
                    if (inside) v = 255 - v;
                    img.Pixels[(y * w + x) * 3 + c] = (byte)Math.Clamp(v + rng.Next(-6, 7), 0, 255);
                }
            }
        return img;
    }
}

[CollectionDefinition("receiver process")]
public sealed class ReceiverCollection : ICollectionFixture<ReceiverFixture>;

/// <summary>
/// Issue #4's proof: sender and receiver as separate OS processes over TLS; every model and both cipher modes;
/// each stored reconstruction is pixel-identical to a local encode→decode of the same image, so its PSNR is too.
/// </summary>
[Collection("receiver process")]
public sealed class TransmissionTests(ReceiverFixture fx)
{
    public static TheoryData<string, string> ModelsAndCiphers()
    {
        var data = new TheoryData<string, string>();
        foreach (var m in CodecFiles.Names)
            foreach (var c in CipherModes.All) data.Add(m, c);
        return data;
    }

    [Theory]
    [MemberData(nameof(ModelsAndCiphers))]
    public async Task Twenty_images_arrive_and_the_wire_changes_nothing(string model, string cipher)
    {
        var summaryPath = fx.Dir[$"summary-{model}-{cipher}.json"];
        var result = await ChildProcess.RunDotnetAsync(Repo.SenderDll,
            ["send", .. fx.Images, "--to", $"https://127.0.0.1:{fx.Port}", "--receiver", fx.ReceiverFingerprint,
             "--key", fx.Dir["sender.key"], "--models", TestModels.Shipped, "--model", model, "--cipher", cipher,
             "--json", summaryPath, "--quiet"],
            TimeSpan.FromSeconds(180));
        Assert.True(result.ExitCode == 0, result.ToString());

        var summary = JsonNode.Parse(await File.ReadAllTextAsync(summaryPath))!.AsObject();
        Assert.Equal(model, summary["model"]!.GetValue<string>());
        Assert.Equal(cipher, summary["cipher"]!.GetValue<string>());
        var items = summary["images"]!.AsArray();
        Assert.Equal(fx.Images.Count, items.Count);

        var (codec, modelId) = CodecFiles.LoadPair(TestModels.Shipped, model);
        foreach (var item in items)
        {
            var file = item!["file"]!.GetValue<string>();
            var original = ImageIO.Load(file);
            var stored = Path.Combine(fx.Out, item["stored_name"]!.GetValue<string>());
            var received = ImageIO.Load(stored);
            var local = codec.RoundTrip(original).Reconstruction;

            Assert.Equal((original.Width, original.Height), (received.Width, received.Height));
            double psnrWire = ImageQuality.Psnr(original.Pixels, received.Pixels);
            double psnrLocal = ImageQuality.Psnr(original.Pixels, local.Pixels);
            Assert.True(received.PixelEquals(local), $"{Path.GetFileName(file)} via {model}/{cipher}: wire PSNR {psnrWire:0.0000} dB, local {psnrLocal:0.0000} dB");
            Assert.Equal(psnrLocal, psnrWire);

            var sidecar = JsonNode.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(stored, ".json")))!.AsObject();
            Assert.Equal(model, sidecar["model"]!.GetValue<string>());
            Assert.Equal(cipher, sidecar["cipher"]!.GetValue<string>());
            Assert.Equal(modelId, sidecar["model_id"]!.GetValue<string>());
            Assert.Equal(item["wire_bytes"]!.GetValue<long>(), sidecar["wire_bytes"]!.GetValue<long>());
        }
    }
}
