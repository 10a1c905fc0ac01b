using SecureTransmit.Imaging;
using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Security;

namespace SecureTransmit.Integration.Tests.Reliability.Support;

/// <summary>
/// Everything a receiver and its senders need, in one temporary folder: identities (receiver, an allowed sender, and
/// a stranger that is not allowed), the allow-list, seeded untrained cae-compact weights (shared by every world of the
/// test run: writing them takes a while) and generated 64×64 PNGs.
/// </summary>
public sealed class World : IDisposable
{
    public const string Model = "cae-compact";
    private static readonly Lazy<(string Dir, string ModelId)> s_models = new(CreateModels, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly TempDir _dir;

    private World(string prefix)
    {
        _dir = new TempDir(prefix);
        Directory.CreateDirectory(this["keys"]);
        using (var r = IdentityFile.Create(ReceiverKey)) ReceiverFingerprint = r.Fingerprint;
        using (var s = IdentityFile.Create(SenderKey))
        {
            SenderFingerprint = s.Fingerprint;
            File.WriteAllText(AllowList, Security.AllowList.FormatLine(s.Fingerprint, "test-sender") + "\n");
        }
        using (var x = IdentityFile.Create(StrangerKey)) StrangerFingerprint = x.Fingerprint;
    }

    public static World Create(string prefix = "st-rel") => new(prefix);

    public string Root => _dir.Path;
    public string this[string relative] => _dir[relative];
    public string ReceiverKey => this["keys/receiver.key"];
    public string SenderKey => this["keys/sender.key"];
    public string StrangerKey => this["keys/stranger.key"];
    public string AllowList => this["keys/allowed.txt"];
    public string Out => this["out"];
    public Fingerprint ReceiverFingerprint { get; }
    public Fingerprint SenderFingerprint { get; }
    public Fingerprint StrangerFingerprint { get; }

    /// <summary>Folder with cae-compact encoder and decoder (seeded random weights), shared read-only by all worlds.</summary>
    public static string Models => s_models.Value.Dir;
    public static byte[] ModelId => Convert.FromHexString(s_models.Value.ModelId);

    /// <summary>Creates another identity and adds it to the allow-list; returns its key path.</summary>
    public string AddAllowedSender(string name)
    {
        var path = this[$"keys/{name}.key"];
        using var id = IdentityFile.Create(path);
        File.AppendAllText(AllowList, Security.AllowList.FormatLine(id.Fingerprint, name) + "\n");
        return path;
    }

    /// <summary>Writes <paramref name="count"/> distinct RGB PNGs (smooth gradients, a disc and seeded noise) into a new folder.</summary>
    public string MakeImages(string folder, int count, int size = 64, int seed = 1)
    {
        var dir = this[folder];
        Directory.CreateDirectory(dir);
        for (int i = 0; i < count; i++)
            ImageIO.Save(Synthetic(size, size, seed * 100_003 + i), Path.Combine(dir, $"img{i:D4}.png"));
        return dir;
    }

    public static Image Synthetic(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var img = new Image(width, height, 3);
        double cx = rng.NextDouble() * width, cy = rng.NextDouble() * height, r = (0.2 + 0.3 * rng.NextDouble()) * Math.Min(width, height);
        int phase = rng.Next(256);
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            bool inDisc = (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
            int o = (y * width + x) * 3;
            img.Pixels[o] = (byte)((x * 255 / Math.Max(1, width - 1) + phase + (inDisc ? 90 : 0)) & 0xFF);
            img.Pixels[o + 1] = (byte)((y * 255 / Math.Max(1, height - 1) + rng.Next(24)) & 0xFF);
            img.Pixels[o + 2] = (byte)(inDisc ? 40 + rng.Next(16) : 200 - (x + y) / 3);
        }
        return img;
    }

    public void Dispose()
    {
        _dir.Dispose();
        // A child process that was just killed may still have had a file open or half-written: try again briefly.
        for (int i = 0; i < 10 && Directory.Exists(Root); i++)
        {
            Thread.Sleep(200);
            try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static (string, string) CreateModels()
    {
        // The test host may be ended without running exit handlers: remove folders of runs whose process is gone.
        foreach (var stale in Directory.EnumerateDirectories(Path.GetTempPath(), "st-rel-models-*"))
        {
            if (int.TryParse(Path.GetFileName(stale)["st-rel-models-".Length..], out int pid) && pid != Environment.ProcessId && !IsAlive(pid))
                try { Directory.Delete(stale, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        var dir = Path.Combine(Path.GetTempPath(), $"st-rel-models-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var id = TestModels.CreateRandom(dir, Model, seed: 11);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } };
        return (dir, id);
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");
}
