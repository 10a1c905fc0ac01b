using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecureTransmit.Security.Internal;

namespace SecureTransmit.Security;

/// <summary>
/// A long-term ECDSA P-256 key pair: who a sender or receiver is. Its public half travels as a
/// SubjectPublicKeyInfo DER and is named by its <see cref="Fingerprint"/> (SHA-256 of the SPKI).
/// Store it with <see cref="IdentityFile"/>. Thread-safe for signing.
/// </summary>
public sealed class Identity : IDisposable
{
    private readonly ECDsa _key;
    private readonly object _gate = new();

    private Identity(ECDsa key)
    {
        _key = key;
        PublicIdentity = PublicIdentity.FromSpki(key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>The public half (SPKI DER and fingerprint).</summary>
    public PublicIdentity PublicIdentity { get; }

    /// <summary>SHA-256 of the SPKI DER.</summary>
    public Fingerprint Fingerprint => PublicIdentity.Fingerprint;

    /// <summary>The public key as SubjectPublicKeyInfo DER (a copy).</summary>
    public byte[] PublicKeySpki => PublicIdentity.Spki;

    /// <summary>A fresh random identity.</summary>
    public static Identity Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Reads a PEM private key: PKCS#8 "PRIVATE KEY" (what we write) or SEC1 "EC PRIVATE KEY".</summary>
    /// <exception cref="SecureTransmitSecurityException">No usable P-256 private key in the text.</exception>
    public static Identity FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (!P256.IsP256(key))
                throw new SecureTransmitSecurityException("the private key is not on curve P-256 (secp256r1)");
            key.ExportParameters(true); // fails when the PEM held only a public key
            return new Identity(key);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new SecureTransmitSecurityException($"no usable ECDSA P-256 private key in the PEM text: {e.Message}", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The private key as PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"). Handle with care.</summary>
    public string ExportPrivateKeyPem()
    {
        lock (_gate) return _key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>ECDSA P-256 with SHA-256 over <paramref name="data"/>, IEEE P1363 (r || s, 64 bytes).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        lock (_gate) return _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>A self-signed TLS server certificate for this identity (same key, same fingerprint).</summary>
    public X509Certificate2 CreateTlsCertificate(string subjectName, TimeSpan validity) =>
        TlsCertificates.CreateTlsCertificate(this, subjectName, validity);

    /// <summary>An independent copy of the private key (for certificate creation).</summary>
    internal ECDsa CloneKey()
    {
        var copy = ECDsa.Create();
        lock (_gate) copy.ImportParameters(_key.ExportParameters(true));
        return copy;
    }

    public void Dispose() => _key.Dispose();

    public override string ToString() => $"Identity {Fingerprint.Short}";
}

/// <summary>
/// The public half of an identity: a validated P-256 SubjectPublicKeyInfo. Immutable, thread-safe.
/// </summary>
public sealed class PublicIdentity : IEquatable<PublicIdentity>
{
    private readonly byte[] _spki;

    private PublicIdentity(byte[] spki)
    {
        _spki = spki;
        Fingerprint = Fingerprint.Of(spki);
    }

    /// <summary>SHA-256 of <see cref="Spki"/>.</summary>
    public Fingerprint Fingerprint { get; }

    /// <summary>SubjectPublicKeyInfo DER (a copy).</summary>
    public byte[] Spki => (byte[])_spki.Clone();

    internal ReadOnlySpan<byte> SpkiSpan => _spki;

    /// <summary>
    /// Parses an SPKI DER. It must be an ECDSA P-256 key in canonical encoding (re-encoding gives the
    /// same bytes), so that one key has exactly one fingerprint.
    /// </summary>
    /// <exception cref="SecureTransmitSecurityException">Not a canonical P-256 SPKI.</exception>
    public static PublicIdentity FromSpki(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        TryFromSpki(subjectPublicKeyInfo, out var id, out var why) ? id
            : throw new SecureTransmitSecurityException($"not a P-256 public key (SubjectPublicKeyInfo DER): {why}");

    public static bool TryFromSpki(ReadOnlySpan<byte> subjectPublicKeyInfo,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PublicIdentity? identity) =>
        TryFromSpki(subjectPublicKeyInfo, out identity, out _);

    internal static bool TryFromSpki(ReadOnlySpan<byte> spki,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PublicIdentity? identity, out string why)
    {
        identity = null;
        if (spki.Length == 0 || spki.Length > ProtocolConstants.MaxIdentityLength)
        {
            why = $"length {spki.Length} is outside 1..{ProtocolConstants.MaxIdentityLength}";
            return false;
        }
        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(spki, out int read);
            if (read != spki.Length) { why = "trailing bytes after the DER structure"; return false; }
            if (!P256.IsP256(key)) { why = "the curve is not P-256"; return false; }
            var canonical = key.ExportSubjectPublicKeyInfo();
            if (!spki.SequenceEqual(canonical)) { why = "non-canonical encoding"; return false; }
            identity = new PublicIdentity(canonical);
            why = "";
            return true;
        }
        catch (CryptographicException e)
        {
            why = e.Message;
            return false;
        }
    }

    /// <summary>Reads "-----BEGIN PUBLIC KEY-----" PEM.</summary>
    public static PublicIdentity FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (!PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] != "PUBLIC KEY")
            throw new SecureTransmitSecurityException("no \"PUBLIC KEY\" PEM block found");
        return FromSpki(Convert.FromBase64String(pem[fields.Base64Data].ToString()));
    }

    /// <summary>"-----BEGIN PUBLIC KEY-----" PEM of the SPKI.</summary>
    public string ExportPem() => new(PemEncoding.Write("PUBLIC KEY", _spki));

    /// <summary>Verifies an ECDSA P-256 SHA-256 signature in IEEE P1363 form (64 bytes).</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != ProtocolConstants.SignatureLength) return false;
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(_spki, out _);
        return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    public bool Equals(PublicIdentity? other) => other is not null && Fingerprint.Equals(other.Fingerprint);

    public override bool Equals(object? obj) => Equals(obj as PublicIdentity);

    public override int GetHashCode() => Fingerprint.GetHashCode();

    public override string ToString() => $"PublicIdentity {Fingerprint.Short}";
}
