using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecureTransmit.Security;

/// <summary>
/// Self-signed TLS certificates bound to an <see cref="Identity"/>: the certificate's public key IS the
/// identity key, so its SPKI fingerprint equals <see cref="Identity.Fingerprint"/> and one pinned value
/// covers both TLS and the session handshake.
/// </summary>
public static class TlsCertificates
{
    /// <summary>
    /// Creates a self-signed ECDSA P-256/SHA-256 server certificate with the identity's key. Subject
    /// "CN=<paramref name="subjectName"/>" (or the given distinguished name when it contains '='); SANs:
    /// the CN, "localhost", 127.0.0.1, ::1 and <paramref name="dnsNames"/>. Valid from 5 minutes ago for
    /// <paramref name="validity"/>. The returned certificate carries the private key.
    /// </summary>
    public static X509Certificate2 CreateTlsCertificate(Identity identity, string subjectName, TimeSpan validity,
        IEnumerable<string>? dnsNames = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentException.ThrowIfNullOrWhiteSpace(subjectName);
        if (validity <= TimeSpan.Zero || validity > TimeSpan.FromDays(3650))
            throw new ArgumentOutOfRangeException(nameof(validity), validity, "validity must be in (0, 3650 days]");

        var dn = subjectName.Contains('=') ? subjectName : "CN=" + subjectName;
        var subject = new X500DistinguishedName(dn);
        using var key = identity.CloneKey();
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            new OidCollection { new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2") }, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        var san = new SubjectAlternativeNameBuilder();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost" };
        var cn = subject.EnumerateRelativeDistinguishedNames()
            .FirstOrDefault(r => r.GetSingleElementType().Value == "2.5.4.3")?.GetSingleElementValue();
        if (!string.IsNullOrWhiteSpace(cn)) names.Add(cn);
        if (dnsNames is not null) foreach (var n in dnsNames) if (!string.IsNullOrWhiteSpace(n)) names.Add(n.Trim());
        foreach (var n in names)
        {
            if (IPAddress.TryParse(n, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(n);
        }
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(san.Build());

        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.Add(validity));
    }

    /// <summary>PKCS#12 (PFX) bytes of the certificate and its private key.</summary>
    public static byte[] ExportPfx(X509Certificate2 certificate, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey) throw new ArgumentException("the certificate has no private key", nameof(certificate));
        return certificate.Export(X509ContentType.Pfx, password);
    }

    /// <summary>Loads a PFX written by <see cref="ExportPfx"/>.</summary>
    public static X509Certificate2 LoadPfx(byte[] pfx, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(pfx);
        try
        {
            return X509CertificateLoader.LoadPkcs12(pfx, password, X509KeyStorageFlags.Exportable);
        }
        catch (CryptographicException e)
        {
            throw new SecureTransmitSecurityException($"cannot read the PFX: {e.Message}", e);
        }
    }

    /// <summary>"-----BEGIN CERTIFICATE-----" PEM (the private key PEM is <see cref="Identity.ExportPrivateKeyPem"/>).</summary>
    public static string ExportCertificatePem(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.ExportCertificatePem();
    }

    /// <summary>SHA-256 of the certificate's SubjectPublicKeyInfo: equals the identity fingerprint.</summary>
    public static Fingerprint SpkiFingerprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Fingerprint.Of(certificate.PublicKey.ExportSubjectPublicKeyInfo());
    }

    /// <summary>SHA-256 of the whole certificate DER, lowercase hex (changes when the certificate is re-issued).</summary>
    public static string CertificateSha256Hex(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }

    /// <summary>Whether the certificate's public key is the pinned identity (SPKI pin).</summary>
    public static bool MatchesPin(X509Certificate2 certificate, Fingerprint spkiPin)
    {
        ArgumentNullException.ThrowIfNull(spkiPin);
        return SpkiFingerprint(certificate).Equals(spkiPin);
    }
}
