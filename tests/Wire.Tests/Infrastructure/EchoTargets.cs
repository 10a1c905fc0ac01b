using System.Security.Cryptography.X509Certificates;

namespace SecureTransmit.Wire.Tests.Infrastructure;

/// <summary>A running wiretest.Echo server that our client talks to.</summary>
public interface IEchoTarget
{
    /// <summary>True for the python grpcio server (which lacks the C#-only methods).</summary>
    bool IsPython { get; }

    /// <summary>A client for the target; the options' TLS trust is filled in by the target.</summary>
    GrpcClient CreateClient(GrpcClientOptions? options = null);
}

public abstract class EchoTargetBase : IEchoTarget, IAsyncLifetime
{
    private X509Certificate2? _certificate;
    private GrpcClient? _shared;

    protected abstract bool Tls { get; }

    public abstract bool IsPython { get; }

    protected X509Certificate2? Certificate => _certificate;

    protected abstract int Port { get; }

    /// <summary>The client shared by the tests of one class (connections are reused across calls).</summary>
    public GrpcClient Client => _shared ??= CreateClient();

    public GrpcClient CreateClient(GrpcClientOptions? options = null)
    {
        options ??= new GrpcClientOptions();
        if (!Tls)
        {
            return new GrpcClient(new Uri($"http://127.0.0.1:{Port}"), options);
        }

        ConfigureTrust(options, _certificate!);
        return new GrpcClient(new Uri($"https://127.0.0.1:{Port}"), options);
    }

    /// <summary>How the client trusts the server's self-signed certificate (pin or CA).</summary>
    protected abstract void ConfigureTrust(GrpcClientOptions options, X509Certificate2 certificate);

    public async Task InitializeAsync()
    {
        if (Tls)
        {
            _certificate = TestCertificates.Create();
        }

        await StartAsync();
    }

    public async Task DisposeAsync()
    {
        _shared?.Dispose();
        await StopAsync();
        _certificate?.Dispose();
    }

    protected abstract Task StartAsync();

    protected abstract Task StopAsync();
}

/// <summary>Our Kestrel server with the C# EchoService.</summary>
public abstract class OurServerTarget : EchoTargetBase
{
    private WireTestServer? _server;

    internal EchoService Echo { get; } = new();

    public override bool IsPython => false;

    protected override int Port => _server!.Port;

    protected override async Task StartAsync() => _server = await WireTestServer.StartAsync(Echo.Build(), Certificate);

    protected override async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

public sealed class OurServerH2cTarget : OurServerTarget
{
    protected override bool Tls => false;

    protected override void ConfigureTrust(GrpcClientOptions options, X509Certificate2 certificate) => throw new NotSupportedException();
}

/// <summary>TLS, client trusting the self-signed certificate as its CA (chain + name check against 127.0.0.1).</summary>
public sealed class OurServerTlsTarget : OurServerTarget
{
    protected override bool Tls => true;

    protected override void ConfigureTrust(GrpcClientOptions options, X509Certificate2 certificate)
    {
        if (options.ServerCertificateSha256 is null && options.TrustedRootCertificate is null)
        {
            options.TrustedRootCertificate = certificate;
        }
    }
}

/// <summary>python/echo_server.py (grpcio).</summary>
public abstract class PythonServerTarget : EchoTargetBase
{
    private PythonServer? _server;
    private PemFiles? _pem;

    public override bool IsPython => true;

    protected virtual bool Gzip => false;

    protected override int Port => _server!.Port;

    protected override async Task StartAsync()
    {
        var args = new List<string>();
        if (Tls)
        {
            _pem = TestCertificates.WritePem(Certificate!);
            args.AddRange(["--cert", _pem.CertificatePath, "--key", _pem.KeyPath]);
        }

        if (Gzip)
        {
            args.Add("--gzip");
        }

        _server = await PythonPeer.StartServerAsync(args);
    }

    protected override async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _pem?.Dispose();
    }
}

public sealed class PythonServerH2cTarget : PythonServerTarget
{
    protected override bool Tls => false;

    protected override void ConfigureTrust(GrpcClientOptions options, X509Certificate2 certificate) => throw new NotSupportedException();
}

/// <summary>TLS, client pinning the server certificate by SHA-256.</summary>
public sealed class PythonServerTlsTarget : PythonServerTarget
{
    protected override bool Tls => true;

    protected override void ConfigureTrust(GrpcClientOptions options, X509Certificate2 certificate)
    {
        if (options.ServerCertificateSha256 is null && options.TrustedRootCertificate is null)
        {
            options.ServerCertificateSha256 = CertificateFingerprint.Sha256Hex(certificate);
        }
    }
}

/// <summary>Python server that gzip-compresses its responses (our client advertises gzip).</summary>
public sealed class PythonServerGzipTarget : PythonServerTarget
{
    protected override bool Tls => false;

    protected override bool Gzip => true;

    protected override void ConfigureTrust(GrpcClientOptions options, X509Certificate2 certificate) => throw new NotSupportedException();
}
