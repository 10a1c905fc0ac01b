using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecureTransmit.Security.Tests;

public class IdentityTests
{
    [Fact]
    public void Fingerprint_is_sha256_of_the_spki_in_lowercase_hex()
    {
        using var id = Identity.Generate();
        var spki = id.PublicKeySpki;
        var expected = SHA256.HashData(spki);
        Assert.Equal(expected, id.Fingerprint.ToArray());
        Assert.Equal(Convert.ToHexString(expected).ToLowerInvariant(), id.Fingerprint.Hex);
        Assert.Equal(64, id.Fingerprint.Hex.Length);
        Assert.Equal(id.Fingerprint.Hex[..16], id.Fingerprint.Short);
        // The SPKI is a P-256 key a stock parser reads back.
        using var check = ECDsa.Create();
        check.ImportSubjectPublicKeyInfo(spki, out var read);
        Assert.Equal(spki.Length, read);
        Assert.Equal(256, check.KeySize);
    }

    [Fact]
    public void Fingerprint_parse_accepts_case_and_colons_and_rejects_short_or_non_hex()
    {
        using var id = Identity.Generate();
        var hex = id.Fingerprint.Hex;
        Assert.Equal(id.Fingerprint, Fingerprint.Parse(hex.ToUpperInvariant()));
        var colons = string.Join(":", Enumerable.Range(0, 32).Select(i => hex.Substring(2 * i, 2)));
        Assert.Equal(id.Fingerprint, Fingerprint.Parse(colons));
        Assert.False(Fingerprint.TryParse(hex[..16], out _));
        Assert.False(Fingerprint.TryParse(hex[..63] + "g", out _));
        Assert.Throws<FormatException>(() => Fingerprint.Parse("abc"));
    }

    [Fact]
    public void Signatures_are_64_byte_p1363_and_verify_only_for_the_signed_data_and_key()
    {
        using var id = Identity.Generate();
        using var other = Identity.Generate();
        var data = "hello"u8.ToArray();
        var sig = id.Sign(data);
        Assert.Equal(64, sig.Length);
        Assert.True(id.PublicIdentity.Verify(data, sig));
        Assert.False(id.PublicIdentity.Verify("hellp"u8, sig));
        Assert.False(other.PublicIdentity.Verify(data, sig));
        Assert.False(id.PublicIdentity.Verify(data, Bytes.Flip(sig, 100)));
        Assert.False(id.PublicIdentity.Verify(data, sig.AsSpan(0, 63)));
    }

    [Fact]
    public void Private_key_pem_round_trips_to_the_same_identity()
    {
        using var id = Identity.Generate();
        var pem = id.ExportPrivateKeyPem();
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem);
        using var back = Identity.FromPem(pem);
        Assert.Equal(id.Fingerprint, back.Fingerprint);
        Assert.True(id.PublicIdentity.Verify("x"u8, back.Sign("x"u8)));
    }

    [Fact]
    public void Public_identity_rejects_other_curves_rsa_trailing_bytes_and_garbage()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.False(PublicIdentity.TryFromSpki(p384.ExportSubjectPublicKeyInfo(), out _));
        using var k1 = ECDsa.Create(ECCurve.CreateFromFriendlyName("secP256k1"));
        Assert.False(PublicIdentity.TryFromSpki(k1.ExportSubjectPublicKeyInfo(), out _));
        using var rsa = RSA.Create(2048);
        Assert.False(PublicIdentity.TryFromSpki(rsa.ExportSubjectPublicKeyInfo(), out _));
        using var id = Identity.Generate();
        Assert.False(PublicIdentity.TryFromSpki([.. id.PublicKeySpki, 0], out _));
        Assert.False(PublicIdentity.TryFromSpki(new byte[91], out _));
        Assert.True(PublicIdentity.TryFromSpki(id.PublicKeySpki, out var ok));
        Assert.Equal(id.Fingerprint, ok.Fingerprint);
        Assert.Throws<SecureTransmitSecurityException>(() => PublicIdentity.FromSpki([1, 2, 3]));
    }

    [Fact]
    public void Non_p256_private_key_pem_is_refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var e = Assert.Throws<SecureTransmitSecurityException>(() => Identity.FromPem(p384.ExportPkcs8PrivateKeyPem()));
        Assert.Contains("P-256", e.Message);
        Assert.Throws<SecureTransmitSecurityException>(() => Identity.FromPem("not a pem"));
    }
}

/// <summary>Unix file modes: these tests run on Linux/macOS (the project's targets).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class IdentityFileTests
{
    private const UnixFileMode GroupOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                            UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public void Create_writes_owner_only_pkcs8_pem_and_load_returns_the_same_identity()
    {
        using var dir = new TempDir();
        var path = dir.File("sender.key");
        using var created = IdentityFile.Create(path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary file left behind
        using var loaded = IdentityFile.Load(path);
        Assert.Equal(created.Fingerprint, loaded.Fingerprint);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead)] // 0644
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]                          // 0640
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite)]                         // 0602
    public void Load_refuses_a_key_file_open_to_group_or_others(UnixFileMode mode)
    {
        using var dir = new TempDir();
        var path = dir.File("id.key");
        IdentityFile.Create(path).Dispose();
        File.SetUnixFileMode(path, mode);
        var e = Assert.Throws<KeyFileException>(() => IdentityFile.Load(path));
        Assert.Contains("group/others", e.Message);
        Assert.Contains("chmod 600", e.Message);
        Assert.Equal(path, e.Path);
        // 0400 (owner read-only) is fine.
        File.SetUnixFileMode(path, UnixFileMode.UserRead);
        IdentityFile.Load(path).Dispose();
    }

    [Fact]
    public void Create_refuses_to_overwrite_unless_asked_and_missing_or_garbage_files_fail_clearly()
    {
        using var dir = new TempDir();
        var path = dir.File("id.key");
        using var first = IdentityFile.Create(path);
        Assert.Throws<KeyFileException>(() => IdentityFile.Create(path));
        using var second = IdentityFile.Create(path, overwrite: true);
        Assert.NotEqual(first.Fingerprint, second.Fingerprint);
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(path) & GroupOther);

        var missing = Assert.Throws<KeyFileException>(() => IdentityFile.Load(dir.File("nope.key")));
        Assert.Contains("does not exist", missing.Message);

        var garbage = dir.File("garbage.key");
        File.WriteAllText(garbage, "hello");
        File.SetUnixFileMode(garbage, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Throws<KeyFileException>(() => IdentityFile.Load(garbage));
    }

    [Fact]
    public void Public_key_file_round_trips_as_pem_or_der()
    {
        using var dir = new TempDir();
        using var id = Identity.Generate();
        var pem = dir.File("id.pub");
        IdentityFile.SavePublicKey(id.PublicIdentity, pem);
        Assert.Equal(id.Fingerprint, IdentityFile.LoadPublicKey(pem).Fingerprint);
        var der = dir.File("id.der");
        File.WriteAllBytes(der, id.PublicKeySpki);
        Assert.Equal(id.Fingerprint, IdentityFile.LoadPublicKey(der).Fingerprint);
        File.WriteAllText(der, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        Assert.Throws<KeyFileException>(() => IdentityFile.LoadPublicKey(der));
    }
}

public class TlsCertificateTests
{
    [Fact]
    public void Certificate_uses_the_identity_key_so_fingerprints_agree()
    {
        using var id = Identity.Generate();
        using var cert = TlsCertificates.CreateTlsCertificate(id, "receiver.local", TimeSpan.FromDays(30));
        Assert.True(cert.HasPrivateKey);
        Assert.Equal("CN=receiver.local", cert.Subject);
        Assert.Equal(id.Fingerprint, TlsCertificates.SpkiFingerprint(cert));
        Assert.True(TlsCertificates.MatchesPin(cert, id.Fingerprint));
        using var other = Identity.Generate();
        Assert.False(TlsCertificates.MatchesPin(cert, other.Fingerprint));
        Assert.InRange(cert.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(29), DateTime.UtcNow.AddDays(31));
        Assert.True(cert.NotBefore.ToUniversalTime() <= DateTime.UtcNow);
        var san = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", san.EnumerateDnsNames());
        Assert.Contains("receiver.local", san.EnumerateDnsNames());
        Assert.Contains(System.Net.IPAddress.Loopback, san.EnumerateIPAddresses());
        // The certificate's private key signs for the identity.
        using var key = cert.GetECDsaPrivateKey()!;
        var sig = key.SignData("t"u8, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        Assert.True(id.PublicIdentity.Verify("t"u8, sig));
    }

    [Fact]
    public void Pfx_and_pem_exports_round_trip()
    {
        using var id = Identity.Generate();
        using var cert = id.CreateTlsCertificate("rx", TimeSpan.FromDays(1));
        var pfx = TlsCertificates.ExportPfx(cert, "pw");
        using var back = TlsCertificates.LoadPfx(pfx, "pw");
        Assert.True(back.HasPrivateKey);
        Assert.Equal(id.Fingerprint, TlsCertificates.SpkiFingerprint(back));
        Assert.Equal(TlsCertificates.CertificateSha256Hex(cert), TlsCertificates.CertificateSha256Hex(back));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(cert.RawData)).ToLowerInvariant(), TlsCertificates.CertificateSha256Hex(cert));
        Assert.Throws<SecureTransmitSecurityException>(() => TlsCertificates.LoadPfx(pfx, "wrong"));

        using var fromPem = X509Certificate2.CreateFromPem(TlsCertificates.ExportCertificatePem(cert), id.ExportPrivateKeyPem());
        Assert.True(fromPem.HasPrivateKey);
        Assert.Equal(id.Fingerprint, TlsCertificates.SpkiFingerprint(fromPem));
        Assert.Throws<ArgumentOutOfRangeException>(() => id.CreateTlsCertificate("rx", TimeSpan.Zero));
    }
}

public class AllowListTests
{
    [Fact]
    public void Parses_comments_names_case_and_colons()
    {
        using var a = Identity.Generate();
        using var b = Identity.Generate();
        using var c = Identity.Generate();
        var text = $"""
            # senders allowed to upload
            {a.Fingerprint.Hex} camera-1   # the roof camera

            {b.Fingerprint.Hex.ToUpperInvariant()}
              {string.Join(":", Enumerable.Range(0, 32).Select(i => c.Fingerprint.Hex.Substring(2 * i, 2)))} lab box
            """;
        var list = AllowList.Parse(text);
        Assert.Equal(3, list.Count);
        Assert.True(list.IsAllowed(a.Fingerprint));
        Assert.True(list.IsAllowed(b.Fingerprint.Hex));
        Assert.True(list.IsAllowed(c.Fingerprint));
        Assert.True(list.TryGet(a.Fingerprint, out var ea));
        Assert.Equal("camera-1", ea.Name);
        Assert.True(list.TryGet(b.Fingerprint, out var eb));
        Assert.Null(eb.Name);
        Assert.True(list.TryGet(c.Fingerprint, out var ec));
        Assert.Equal("lab box", ec.Name);
        using var stranger = Identity.Generate();
        Assert.False(list.IsAllowed(stranger.Fingerprint));
        Assert.False(list.IsAllowed("zz"));
        Assert.False(AllowList.Empty.IsAllowed(a.Fingerprint));
    }

    [Fact]
    public void Bad_line_is_reported_with_its_number_and_a_file_round_trips()
    {
        var e = Assert.Throws<KeyFileException>(() => AllowList.Parse("# ok\n\nabcdef camera\n", "senders.txt"));
        Assert.Contains("senders.txt:3", e.Message);

        using var dir = new TempDir();
        using var id = Identity.Generate();
        var path = dir.File("allow.txt");
        File.WriteAllText(path, AllowList.FormatLine(id.Fingerprint, "cam") + "\n");
        var list = AllowList.Load(path);
        Assert.True(list.IsAllowed(id.Fingerprint));
        Assert.Throws<KeyFileException>(() => AllowList.Load(dir.File("missing.txt")));
    }
}
