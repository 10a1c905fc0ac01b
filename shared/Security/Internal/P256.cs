using System.Numerics;
using System.Security.Cryptography;

namespace SecureTransmit.Security.Internal;

/// <summary>NIST P-256 helpers: SEC1 uncompressed points and curve checks.</summary>
internal static class P256
{
    public const string Oid = "1.2.840.10045.3.1.7";

    // Curve y^2 = x^3 - 3x + b over GF(p) (FIPS 186-4, D.1.2.3).
    private static readonly BigInteger P = BigInteger.Parse(
        "0FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF", System.Globalization.NumberStyles.HexNumber);

    private static readonly BigInteger B = BigInteger.Parse(
        "05AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B", System.Globalization.NumberStyles.HexNumber);

    public static bool IsP256(ECCurve curve) =>
        curve.IsNamed && (curve.Oid.Value == Oid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "secp256r1" or "prime256v1");

    /// <summary>0x04 || X || Y of a P-256 public key.</summary>
    public static byte[] EncodeUncompressed(ECParameters parameters)
    {
        var x = parameters.Q.X ?? throw new CryptographicException("public point missing");
        var y = parameters.Q.Y ?? throw new CryptographicException("public point missing");
        var point = new byte[ProtocolConstants.EphemeralKeyLength];
        point[0] = 0x04;
        x.CopyTo(point, 1 + 32 - x.Length);
        y.CopyTo(point, 33 + 32 - y.Length);
        return point;
    }

    /// <summary>
    /// Decodes a 65-byte uncompressed point and checks that both coordinates are below p and that the
    /// point satisfies the curve equation (so a peer cannot push us onto an invalid curve).
    /// </summary>
    public static bool TryDecodeUncompressed(ReadOnlySpan<byte> point, out ECParameters parameters)
    {
        parameters = default;
        if (point.Length != ProtocolConstants.EphemeralKeyLength || point[0] != 0x04) return false;
        var xb = point.Slice(1, 32);
        var yb = point.Slice(33, 32);
        var x = new BigInteger(xb, isUnsigned: true, isBigEndian: true);
        var y = new BigInteger(yb, isUnsigned: true, isBigEndian: true);
        if (x >= P || y >= P) return false;
        var lhs = BigInteger.ModPow(y, 2, P);
        var rhs = ((BigInteger.ModPow(x, 3, P) - 3 * x + B) % P + P) % P;
        if (lhs != rhs) return false;
        parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = xb.ToArray(), Y = yb.ToArray() },
        };
        return true;
    }

    /// <summary>Checks that an ECDsa key is on P-256 (not another 256-bit curve).</summary>
    public static bool IsP256(ECDsa key)
    {
        try { return IsP256(key.ExportParameters(false).Curve); }
        catch (CryptographicException) { return false; }
    }
}
