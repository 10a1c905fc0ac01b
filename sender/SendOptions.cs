using SecureTransmit.Security;

namespace SecureTransmit.Sender;

/// <summary>Settings of <c>sender send</c>. <see cref="Validate"/> names the first bad value.</summary>
public sealed class SendOptions
{
    /// <summary>Receiver address, https://host:port (or http:// with <see cref="InsecureH2c"/>). Required.</summary>
    public Uri? To { get; set; }

    /// <summary>The receiver's identity fingerprint (SHA-256 of its public key); pinned for TLS and the handshake. Required.</summary>
    public Fingerprint? ReceiverFingerprint { get; set; }

    /// <summary>The sender's identity file. Default keys/sender.key.</summary>
    public string KeyPath { get; set; } = "keys/sender.key";

    /// <summary>Model name. Default cae-compact.</summary>
    public string Model { get; set; } = "cae-compact";

    /// <summary>Folder with NAME.encoder.safetensors. Default: the repository's models/.</summary>
    public string ModelsPath { get; set; } = "models";

    /// <summary>Cipher mode: aes-256-gcm (default) or logistic.</summary>
    public string Cipher { get; set; } = CipherModes.Default;

    /// <summary>Cleartext HTTP/2 (h2c) instead of TLS. Default false.</summary>
    public bool InsecureH2c { get; set; }

    /// <summary>Attach each original (as PNG) so the receiver can show PSNR/SSIM. Default false.</summary>
    public bool Demo { get; set; }

    /// <summary>
    /// Attempts per batch when the receiver is unreachable or the connection breaks. Default 8: with
    /// <see cref="RetryDelay"/> doubling from 0.25 s up to 10 s the sender keeps trying for about 26 s, which outlasts
    /// a receiver's restart (process start, model load: about 8 s here).
    /// </summary>
    public int Attempts { get; set; } = 8;

    /// <summary>First retry delay; doubles each attempt up to 10 s. Default 250 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Deadline for opening a session. Default 15 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Images sent ahead of their receipts. Default 4.</summary>
    public int InFlight { get; set; } = 4;

    public void Validate()
    {
        if (To is null) throw new ArgumentException("--to: the receiver's address is required (e.g. https://127.0.0.1:50443)");
        if (To.Scheme == Uri.UriSchemeHttp && !InsecureH2c) throw new ArgumentException($"--to {To}: http:// is cleartext; use https:// or pass --insecure-h2c");
        if (To.Scheme == Uri.UriSchemeHttps && InsecureH2c) throw new ArgumentException($"--to {To}: --insecure-h2c needs an http:// address");
        if (To.Scheme != Uri.UriSchemeHttp && To.Scheme != Uri.UriSchemeHttps) throw new ArgumentException($"--to {To}: use https://host:port");
        if (ReceiverFingerprint is null) throw new ArgumentException("--receiver: the receiver's fingerprint is required (printed by `receiver keygen`)");
        if (!CipherModes.TryGet(Cipher, out _)) throw new ArgumentException($"--cipher '{Cipher}': unknown (known: {string.Join(", ", CipherModes.All)})");
        if (Attempts < 1) throw new ArgumentException("--attempts must be at least 1");
        if (InFlight < 1) throw new ArgumentException("--in-flight must be at least 1");
    }
}
