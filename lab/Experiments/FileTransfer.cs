using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecureTransmit.Lab.Experiments;

/// <summary>The outcome of pushing files: count, payload bytes, and ms from connect to the last acknowledgement.</summary>
internal sealed record PushResult(int Files, long PayloadBytes, double ElapsedMs);

/// <summary>
/// The baseline transfer for plain files (PNG, JPEG, WebP): one TCP connection, TLS (the system's default version,
/// 1.3 here) with an ephemeral self-signed server certificate, then for each file an 8-byte big-endian length and
/// the bytes; the sink answers each file with one byte and the push ends with a zero length. Like our sender, files
/// are pipelined (all written, then all acknowledgements read). The client does not check the certificate: this
/// path exists to time the same bytes over the same link, not to be secure.
/// <code>
/// frame = length:u64be | bytes[length]     (length 0 ends the connection)
/// ack   = 0x4B ('K') per file
/// </code>
/// </summary>
internal static class FileTransfer
{
    /// <summary>Largest file the sink accepts (bytes).</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    private const byte Ack = 0x4B;

    /// <summary>Accepts pushes on <paramref name="listener"/> until cancelled; each connection is served on its own task.</summary>
    public static async Task ServeAsync(TcpListener listener, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(listener);
        using var cert = CreateCertificate();
        var tasks = new List<Task>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(ct);
                tasks.Add(Task.Run(() => ServeOne(client, cert, ct), CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    private static async Task ServeOne(TcpClient client, X509Certificate2 cert, CancellationToken ct)
    {
        using (client)
        {
            client.NoDelay = true;
            await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = cert }, ct);
            var len = new byte[8];
            var buffer = new byte[64 * 1024];
            while (true)
            {
                await tls.ReadExactlyAsync(len, ct);
                long n = BinaryPrimitives.ReadInt64BigEndian(len);
                if (n == 0) break;
                if (n < 0 || n > MaxFileBytes) throw new ExperimentException($"file sink: frame of {n} bytes refused");
                while (n > 0)
                {
                    int r = await tls.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, n)), ct);
                    if (r == 0) throw new EndOfStreamException("file sink: connection closed inside a file");
                    n -= r;
                }
                await tls.WriteAsync(new[] { Ack }, ct);
                await tls.FlushAsync(ct);
            }
        }
    }

    /// <summary>Connects, pushes every file, waits for every acknowledgement; the time runs from before the TCP connect.</summary>
    public static async Task<PushResult> PushAsync(string host, int port, IReadOnlyList<byte[]> files, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Any(f => f.Length == 0)) throw new ExperimentException("file push: an empty file cannot be framed");
        var sw = Stopwatch.StartNew();
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(host, port, ct);
        await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "securetransmit-lab-sink",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, ct);
        var len = new byte[8];
        foreach (var f in files)
        {
            BinaryPrimitives.WriteInt64BigEndian(len, f.Length);
            await tls.WriteAsync(len, ct);
            await tls.WriteAsync(f, ct);
        }
        await tls.FlushAsync(ct);
        var acks = new byte[files.Count];
        await tls.ReadExactlyAsync(acks, ct);
        if (acks.Any(a => a != Ack)) throw new ExperimentException("file push: the sink sent a bad acknowledgement");
        double ms = sw.Elapsed.TotalMilliseconds;
        BinaryPrimitives.WriteInt64BigEndian(len, 0);
        await tls.WriteAsync(len, ct);
        await tls.FlushAsync(ct);
        return new PushResult(files.Count, files.Sum(f => (long)f.Length), ms);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=securetransmit-lab-sink", key, HashAlgorithmName.SHA256);
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Parses "host:port".</summary>
    public static IPEndPoint ParseEndpoint(string text) =>
        IPEndPoint.TryParse(text, out var ep) && ep.Port is >= 0 and <= 65535 ? ep
            : throw new ExperimentException($"'{text}' is not an address like 127.0.0.1:5000");
}
