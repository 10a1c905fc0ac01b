namespace SecureTransmit.Security;

/// <summary>
/// INSECURE — the paper's own construction, reproduced ONLY for analysis and attack demonstrations.
/// It is not an <see cref="IImageCipher"/> and cannot be negotiated on the wire.
/// E = C XOR S with S_n = floor(256 · x_n), x_n = r · x_{n-1} · (1 − x_{n-1}), n = 1..N, x0 = the first
/// latent value, r fixed, no warm-up, no nonce, no integrity. Broken: x0 is part of the plaintext (a byte
/// latent leaves 256 candidates), the same x0 gives the same keystream (XOR of two ciphertexts = XOR of the
/// plaintexts), one known plaintext reveals the keystream, and bits flip undetected.
/// </summary>
public static class PaperLogisticCipher
{
    /// <summary>The fixed r used when none is given (the paper does not state its value).</summary>
    public const double DefaultR = 3.99;

    /// <summary>x0 from a quantized first latent byte: (b + 0.5) / 256, inside (0, 1).</summary>
    public static double X0FromLatentByte(byte firstLatentByte) => (firstLatentByte + 0.5) / 256.0;

    /// <summary>x0 from a float latent (sigmoid output), clamped into [1e-9, 1 − 1e-9].</summary>
    public static double X0FromLatentValue(float firstLatentValue) =>
        float.IsNaN(firstLatentValue) ? throw new ArgumentException("latent value is NaN", nameof(firstLatentValue))
            : Math.Clamp(firstLatentValue, 1e-9, 1 - 1e-9);

    /// <summary>S_n = floor(256 · x_n) (255 at most), n = 1..output.Length.</summary>
    public static void Keystream(double x0, double r, Span<byte> output)
    {
        if (!(x0 > 0 && x0 < 1)) throw new ArgumentOutOfRangeException(nameof(x0), x0, "x0 must be in (0, 1)");
        if (!(r > 0 && r <= 4)) throw new ArgumentOutOfRangeException(nameof(r), r, "r must be in (0, 4]");
        double x = x0;
        for (int i = 0; i < output.Length; i++)
        {
            x = r * x * (1.0 - x);
            output[i] = (byte)Math.Min(255.0, Math.Floor(256.0 * x));
        }
    }

    /// <summary>bitxor(input, S): encrypts and decrypts.</summary>
    public static byte[] Apply(double x0, double r, ReadOnlySpan<byte> input)
    {
        var output = new byte[input.Length];
        Keystream(x0, r, output);
        for (int i = 0; i < output.Length; i++) output[i] ^= input[i];
        return output;
    }
}
