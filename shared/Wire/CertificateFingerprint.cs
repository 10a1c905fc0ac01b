using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecureTransmit.Wire;

/// <summary>Certificate fingerprints for <see cref="GrpcClientOptions.ServerCertificateSha256"/>.</summary>
public static class CertificateFingerprint
{
    /// <summary>SHA-256 of the certificate's DER encoding, as 64 upper-case hex digits.</summary>
    public static string Sha256Hex(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));
    }
}
