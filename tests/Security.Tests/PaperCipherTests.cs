namespace SecureTransmit.Security.Tests;

/// <summary>The paper's own form is reproduced faithfully and is as broken as SECURITY.md says.</summary>
public class PaperCipherTests
{
    private static byte[] Latent(int seed, int n = 4096) => Bytes.Pattern(n, seed);

    [Fact]
    public void Paper_form_is_an_involution_with_floor_256x_bytes_and_no_warm_up()
    {
        var p = Latent(1);
        var x0 = PaperLogisticCipher.X0FromLatentByte(p[0]);
        var c = PaperLogisticCipher.Apply(x0, PaperLogisticCipher.DefaultR, p);
        Assert.Equal(p, PaperLogisticCipher.Apply(x0, PaperLogisticCipher.DefaultR, c));
        // First keystream byte by hand: x1 = r·x0·(1−x0), S1 = floor(256·x1).
        double x1 = 3.99 * x0 * (1 - x0);
        Assert.Equal((byte)Math.Floor(256 * x1), (byte)(c[0] ^ p[0]));
    }

    [Fact]
    public void One_known_plaintext_decrypts_every_other_image_with_the_same_x0()
    {
        var known = Latent(2);
        var secret = Latent(3);
        secret[0] = known[0];                      // same first latent value → same x0 → same keystream
        var r = PaperLogisticCipher.DefaultR;
        var c1 = PaperLogisticCipher.Apply(PaperLogisticCipher.X0FromLatentByte(known[0]), r, known);
        var c2 = PaperLogisticCipher.Apply(PaperLogisticCipher.X0FromLatentByte(secret[0]), r, secret);
        var keystream = c1.Zip(known, (a, b) => (byte)(a ^ b)).ToArray();
        var recovered = c2.Zip(keystream, (a, b) => (byte)(a ^ b)).ToArray();
        Assert.Equal(secret, recovered);
    }

    [Fact]
    public void Ciphertext_alone_gives_the_key_because_x0_is_the_first_plaintext_byte()
    {
        var p = Latent(4);
        var c = PaperLogisticCipher.Apply(PaperLogisticCipher.X0FromLatentByte(p[0]), PaperLogisticCipher.DefaultR, p);
        // Try all 256 first bytes: a candidate is consistent when decrypting byte 0 gives the candidate back.
        var consistent = Enumerable.Range(0, 256)
            .Where(b => (byte)(c[0] ^ PaperLogisticCipher.Apply(PaperLogisticCipher.X0FromLatentByte((byte)b), PaperLogisticCipher.DefaultR, [0])[0]) == b)
            .ToList();
        Assert.Contains(p[0], consistent.Select(b => (byte)b));
        Assert.True(consistent.Count <= 8, $"{consistent.Count} candidates");
        Assert.Contains(consistent, b => PaperLogisticCipher.Apply(PaperLogisticCipher.X0FromLatentByte((byte)b), PaperLogisticCipher.DefaultR, c).SequenceEqual(p));
    }

    [Fact]
    public void Paper_form_has_no_integrity_bit_flips_pass_through()
    {
        var p = Latent(5, 64);
        var x0 = PaperLogisticCipher.X0FromLatentByte(p[0]);
        var c = PaperLogisticCipher.Apply(x0, PaperLogisticCipher.DefaultR, p);
        var tampered = Bytes.Flip(c, 8 * 10 + 3);
        var d = PaperLogisticCipher.Apply(x0, PaperLogisticCipher.DefaultR, tampered);
        Assert.Equal(Bytes.Flip(p, 8 * 10 + 3), d);   // the attacker flipped exactly the bit they chose
    }
}
