using System.Security.Cryptography;

namespace SecureTransmit.Security.Internal;

/// <summary>Field checks and ECDH shared by both handshake sides.</summary>
internal static class HandshakeChecks
{
    public static HandshakeException Malformed(string what) => new(HandshakeFailureReason.Malformed, what);

    public static void Length(ReadOnlySpan<byte> field, int expected, string name)
    {
        if (field.Length != expected)
            throw Malformed($"{name} must be {expected} bytes, got {field.Length}");
    }

    public static PublicIdentity Identity(ReadOnlySpan<byte> spki, string name) =>
        PublicIdentity.TryFromSpki(spki, out var id, out var why) ? id
            : throw Malformed($"{name} is not a P-256 SubjectPublicKeyInfo: {why}");

    public static ECParameters Ephemeral(ReadOnlySpan<byte> point, string name)
    {
        Length(point, ProtocolConstants.EphemeralKeyLength, name);
        return P256.TryDecodeUncompressed(point, out var p) ? p
            : throw Malformed($"{name} is not an uncompressed P-256 point on the curve");
    }

    public static void Name(string? value, string name)
    {
        if (string.IsNullOrEmpty(value)) throw Malformed($"{name} is empty");
        var n = System.Text.Encoding.UTF8.GetByteCount(value);
        if (n > ProtocolConstants.MaxNameLength)
            throw Malformed($"{name} is {n} UTF-8 bytes; at most {ProtocolConstants.MaxNameLength}");
    }

    /// <summary>Z = x-coordinate of d_mine * Q_peer (32 bytes).</summary>
    public static byte[] Agree(ECDiffieHellman mine, ECParameters peer)
    {
        using var peerKey = ECDiffieHellman.Create(peer);
        return mine.DeriveRawSecretAgreement(peerKey.PublicKey);
    }

    public static DateTimeOffset FromUnixMs(ulong ms) =>
        ms > (ulong)DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            ? throw Malformed($"timestamp {ms} ms is out of range")
            : DateTimeOffset.FromUnixTimeMilliseconds((long)ms);
}
