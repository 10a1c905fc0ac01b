using System.Security.Cryptography;

namespace SecureTransmit.Security;

/// <summary>
/// SHA-256 of a SubjectPublicKeyInfo DER: the name of an identity. Shown as 64 lowercase hex digits
/// (<see cref="Hex"/>) or as its first 16 (<see cref="Short"/>, for display only, never for checks).
/// </summary>
public sealed class Fingerprint : IEquatable<Fingerprint>
{
    private readonly byte[] _bytes;

    private Fingerprint(byte[] bytes)
    {
        _bytes = bytes;
        Hex = Convert.ToHexStringLower(bytes);
    }

    /// <summary>64 lowercase hex digits.</summary>
    public string Hex { get; }

    /// <summary>The first 16 hex digits (64 bits): for logs and dashboards only.</summary>
    public string Short => Hex[..16];

    /// <summary>Fingerprint of an SPKI DER.</summary>
    public static Fingerprint Of(ReadOnlySpan<byte> subjectPublicKeyInfo) => new(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>Wraps 32 fingerprint bytes (e.g. HealthResponse.receiver_fingerprint).</summary>
    public static Fingerprint FromBytes(ReadOnlySpan<byte> sha256)
    {
        if (sha256.Length != ProtocolConstants.FingerprintLength)
            throw new ArgumentException($"a fingerprint is {ProtocolConstants.FingerprintLength} bytes, got {sha256.Length}", nameof(sha256));
        return new Fingerprint(sha256.ToArray());
    }

    /// <summary>Parses 64 hex digits, either case, optionally separated by ':' (as some tools print them).</summary>
    public static Fingerprint Parse(string text) =>
        TryParse(text, out var fp) ? fp
            : throw new FormatException($"not a SHA-256 fingerprint (64 hex digits expected): '{Truncate(text)}'");

    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Fingerprint? fingerprint)
    {
        fingerprint = null;
        if (text is null) return false;
        var hex = text.Trim().Replace(":", "", StringComparison.Ordinal);
        if (hex.Length != 2 * ProtocolConstants.FingerprintLength) return false;
        foreach (var c in hex)
            if (!char.IsAsciiHexDigit(c)) return false;
        fingerprint = new Fingerprint(Convert.FromHexString(hex));
        return true;
    }

    /// <summary>A copy of the 32 bytes.</summary>
    public byte[] ToArray() => (byte[])_bytes.Clone();

    public ReadOnlySpan<byte> AsSpan() => _bytes;

    /// <summary>Whether <paramref name="subjectPublicKeyInfo"/> hashes to this fingerprint.</summary>
    public bool Matches(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        Span<byte> h = stackalloc byte[32];
        SHA256.HashData(subjectPublicKeyInfo, h);
        return CryptographicOperations.FixedTimeEquals(h, _bytes);
    }

    public bool Equals(Fingerprint? other) => other is not null && CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    public override bool Equals(object? obj) => Equals(obj as Fingerprint);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);

    public override string ToString() => Hex;

    public static bool operator ==(Fingerprint? a, Fingerprint? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(Fingerprint? a, Fingerprint? b) => !(a == b);

    private static string Truncate(string? s) => s is null ? "" : s.Length <= 80 ? s : s[..80] + "...";
}
