using System.Net;
using SecureTransmit.Wire;

namespace SecureTransmit.Receiver;

/// <summary>Settings of <c>receiver serve</c>. <see cref="Validate"/> names the first bad value.</summary>
public sealed class ReceiverOptions
{
    /// <summary>Address and port of the gRPC endpoint. Default 127.0.0.1:50443.</summary>
    public IPEndPoint Listen { get; set; } = new(IPAddress.Loopback, 50443);

    /// <summary>The receiver's identity file (PKCS#8 PEM, owner-only). Default keys/receiver.key.</summary>
    public string KeyPath { get; set; } = "keys/receiver.key";

    /// <summary>Allow-list of sender fingerprints, one per line. Required.</summary>
    public string AllowListPath { get; set; } = "keys/allowed-senders.txt";

    /// <summary>Folder of shipped models; every <c>*.decoder.safetensors</c> in it is served. Default models.</summary>
    public string ModelsPath { get; set; } = "models";

    /// <summary>Folder the PNGs and JSON sidecars are written to. Default received.</summary>
    public string OutputPath { get; set; } = "received";

    /// <summary>Cleartext HTTP/2 (h2c) instead of TLS. Only when explicitly asked. Default false.</summary>
    public bool InsecureH2c { get; set; }

    /// <summary>Largest width × height accepted. Default 16,777,216 (4096²).</summary>
    public uint MaxImagePixels { get; set; } = 4096 * 4096;

    /// <summary>Images decoded at the same time (each holds its ciphertext and a float image). Default: processor count.</summary>
    public int MaxConcurrentDecodes { get; set; } = Environment.ProcessorCount;

    /// <summary>Images being received (buffered) at the same time across all streams. Default 32.</summary>
    public int MaxConcurrentUploads { get; set; } = 32;

    /// <summary>How long a session stays valid. Default 1 hour.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long one image may take to arrive once its header came, and how long an upload stream may wait for the
    /// next image to begin; past it the stream ends with DEADLINE_EXCEEDED (a client trickling bytes, or one that
    /// stopped midway, cannot hold a stream and its buffer). Default 5 minutes (<c>--image-timeout</c>, seconds).
    /// </summary>
    public TimeSpan ImageReceiveTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Connection, stream, window and timeout limits of the gRPC endpoint (<see cref="ServerLimits"/>; its defaults
    /// bound what peers without a key can make the receiver buffer to 64 MiB).
    /// </summary>
    public ServerLimits Limits { get; set; } = new();

    /// <summary>Cipher modes this receiver accepts (<c>--ciphers</c>). Default: aes-256-gcm only.</summary>
    public IReadOnlyList<string> Ciphers { get; set; } = [Security.CipherModes.Aes256Gcm];

    /// <summary>Live sessions one sender may hold; opening one more closes its own oldest. Default 8.</summary>
    public int MaxSessionsPerSender { get; set; } = 8;

    /// <summary>Store files 0644 in a 0755 folder instead of 0600 in 0700 (<c>--shared-output</c>). Default false.</summary>
    public bool SharedOutputPermissions { get; set; }

    /// <summary>Allow --dashboard on a non-loopback address (it has no login). Default false.</summary>
    public bool DashboardPublic { get; set; }

    /// <summary>Allow --insecure-h2c on a non-loopback address (cleartext). Default false.</summary>
    public bool H2cPublic { get; set; }

    /// <summary>Time given to images in flight on SIGTERM/Ctrl-C. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The default of <see cref="PngCompressionLevel"/>.</summary>
    public const int DefaultPngCompressionLevel = 3;

    /// <summary>
    /// zlib level (0–9) of the PNGs the receiver stores. Default 3: on 512×512 reconstructions it writes files a few
    /// percent larger than level 6 in about a third of the time, and storing is on every image's receipt path.
    /// </summary>
    public int PngCompressionLevel { get; set; } = DefaultPngCompressionLevel;

    /// <summary>Dashboard address (HTTP/1.1, read-only), or null for none. Default null (off).</summary>
    public IPEndPoint? Dashboard { get; set; }

    /// <summary>Log lines as JSON objects instead of text. Default false.</summary>
    public bool JsonLogs { get; set; }

    public void Validate()
    {
        if (Listen is null) throw new ArgumentException("--listen: an address:port is required");
        if (string.IsNullOrWhiteSpace(KeyPath)) throw new ArgumentException("--key: a path is required");
        if (string.IsNullOrWhiteSpace(AllowListPath)) throw new ArgumentException("--allow: a path is required");
        if (string.IsNullOrWhiteSpace(OutputPath)) throw new ArgumentException("--out: a path is required");
        if (MaxImagePixels == 0) throw new ArgumentException("--max-pixels must be positive");
        if (MaxConcurrentDecodes < 1) throw new ArgumentException("--max-decodes must be at least 1");
        if (MaxConcurrentUploads < 1) throw new ArgumentException("--max-uploads must be at least 1");
        if (SessionLifetime <= TimeSpan.Zero) throw new ArgumentException("session lifetime must be positive");
        if (ImageReceiveTimeout <= TimeSpan.Zero || ImageReceiveTimeout > TimeSpan.FromDays(1)) throw new ArgumentException("--image-timeout must be positive and at most one day");
        if (PngCompressionLevel is < 0 or > 9) throw new ArgumentException($"--png-level must be 0 to 9, not {PngCompressionLevel}");
        ArgumentNullException.ThrowIfNull(Limits);
        Limits.Validate();
        if (Ciphers is null || Ciphers.Count == 0) throw new ArgumentException("--ciphers: name at least one cipher mode");
        foreach (var c in Ciphers)
            if (!Security.CipherModes.TryGet(c, out _))
                throw new ArgumentException($"--ciphers: unknown mode '{c}' (known: {string.Join(", ", Security.CipherModes.All)})");
        if (MaxSessionsPerSender < 1) throw new ArgumentException("--max-sessions-per-sender must be at least 1");
        if (Dashboard is not null && !IPAddress.IsLoopback(Dashboard.Address) && !DashboardPublic)
            throw new ArgumentException($"--dashboard {Dashboard}: not a loopback address and the dashboard has no login; add --dashboard-public to serve it there anyway");
        if (InsecureH2c && !IPAddress.IsLoopback(Listen.Address) && !H2cPublic)
            throw new ArgumentException($"--insecure-h2c on {Listen}: cleartext on a non-loopback address; add --h2c-public to do it anyway");
        if (Dashboard is not null && Dashboard.Port != 0 && Dashboard.Port == Listen.Port && Dashboard.Address.Equals(Listen.Address))
            throw new ArgumentException("--dashboard must use another port than --listen");
    }

    /// <summary>Parses "host:port", "[v6]:port" or ":port" (loopback).</summary>
    public static IPEndPoint ParseEndpoint(string text, string option)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException($"{option}: empty address");
        if (text.StartsWith(':')) text = "127.0.0.1" + text;
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase)) text = "127.0.0.1" + text["localhost".Length..];
        if (!IPEndPoint.TryParse(text, out var ep) || ep.Port is < 0 or > 65535 || !text.Contains(':'))
            throw new ArgumentException($"{option}: '{text}' is not an address:port (e.g. 127.0.0.1:50443)");
        return ep;
    }
}
