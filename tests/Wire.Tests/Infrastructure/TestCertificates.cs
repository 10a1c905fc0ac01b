using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecureTransmit.Wire.Tests.Infrastructure;

/// <summary>Self-signed certificates made on the fly with CertificateRequest (nothing is committed).</summary>
internal static class TestCertificates
{
    /// <summary>An ECDSA P-256 certificate for "localhost" and 127.0.0.1, usable as server, client and its own CA.</summary>
    public static X509Certificate2 Create(string commonName = "localhost")
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        // CA:TRUE so that peers (BoringSSL in grpcio, .NET custom root trust) accept it as its own trust anchor.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // serverAuth, clientAuth
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes the certificate and its PKCS#8 key as PEM files into a new temporary folder.</summary>
    public static PemFiles WritePem(X509Certificate2 certificate)
    {
        string dir = Path.Combine(Path.GetTempPath(), "wire-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string certPath = Path.Combine(dir, "cert.pem");
        string keyPath = Path.Combine(dir, "key.pem");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        using ECDsa key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("No ECDSA key.");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new PemFiles(dir, certPath, keyPath);
    }
}

/// <summary>PEM files of a test certificate; Dispose deletes them.</summary>
internal sealed record PemFiles(string Directory, string CertificatePath, string KeyPath) : IDisposable
{
    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
