using SecureTransmit.Lab.Analysis;
using SecureTransmit.Lab.Analysis.Internal;
using SecureTransmit.Security;

namespace SecureTransmit.Lab.Tests;

/// <summary>The attack demonstrations: they must break the paper form and fail against the deployed logistic mode.</summary>
public class AttackTests
{
    private static readonly byte[] PlainA = SyntheticImages.ShapesA(64, 48).Pixels;
    private static readonly byte[] PlainB = SyntheticImages.ShapesB(64, 48).Pixels;

    private static byte[] Xor(byte[] a, byte[] b)
    {
        var r = new byte[a.Length];
        for (int i = 0; i < r.Length; i++) r[i] = (byte)(a[i] ^ b[i]);
        return r;
    }

    [Fact]
    public void KnownPlaintext_RecoversThePaperKeystreamExactly_AndDecryptsTheSecondImage()
    {
        var cipher = CipherUnderTest.Create(AnalysisModes.PaperLogistic, 7);
        var (kpa, _, images) = Attacks.RunPair(cipher, "A", PlainA, "B", PlainB, 7);

        // Independent reference: the paper's keystream for x0 = (P_A[0] + 0.5)/256, r = 3.99.
        var expected = new byte[PlainA.Length];
        PaperLogisticCipher.Keystream((PlainA[0] + 0.5) / 256.0, 3.99, expected);
        var recovered = Xor(images.CipherA, PlainA);
        Assert.Equal(expected, recovered);
        Assert.Equal(PlainB, Xor(images.CipherB, recovered));

        var row = Assert.Single(kpa);
        Assert.True(row.KeystreamMatchesGenerator);
        Assert.True(row.AttackSucceeded);
        Assert.Equal(100.0, row.BytesCorrectPercent);
        Assert.True(double.IsPositiveInfinity(row.Psnr));
    }

    [Fact]
    public void KnownPlaintext_FailsAgainstTheLogisticMode()
    {
        var cipher = CipherUnderTest.Create(AnalysisModes.Logistic, 7);
        var (kpa, _, images) = Attacks.RunPair(cipher, "A", PlainA, "B", PlainB, 7);

        var decrypted = Xor(images.CipherB, Xor(images.CipherA, PlainA));
        int right = decrypted.Zip(PlainB).Count(p => p.First == p.Second);
        Assert.True(right < PlainB.Length / 50, $"{right} of {PlainB.Length} bytes of B recovered; chance is about 1/256");

        var deployed = Assert.Single(kpa, k => !k.Diagnostic);
        Assert.False(deployed.AttackSucceeded);
        Assert.True(deployed.BytesCorrectPercent < 2.0);
        // The misuse row (B sealed under A's key block) shows why a key block must never be reused.
        var misuse = Assert.Single(kpa, k => k.Diagnostic);
        Assert.True(misuse.AttackSucceeded);
    }

    [Fact]
    public void KeystreamReuse_XorOfCiphertextsIsXorOfPlaintexts_ForThePaperFormOnly()
    {
        var paper = CipherUnderTest.Create(AnalysisModes.PaperLogistic, 3);
        var (_, reusePaper, paperImages) = Attacks.RunPair(paper, "A", PlainA, "B", PlainB, 3);
        Assert.Equal(Xor(PlainA, PlainB), Xor(paperImages.CipherA, paperImages.CipherB));
        Assert.True(Assert.Single(reusePaper).AttackSucceeded);

        var ours = CipherUnderTest.Create(AnalysisModes.Logistic, 3);
        var (_, reuseOurs, ourImages) = Attacks.RunPair(ours, "A", PlainA, "B", PlainB, 3);
        var xorC = Xor(ourImages.CipherA, ourImages.CipherB);
        var xorP = Xor(PlainA, PlainB);
        int equal = xorC.Zip(xorP).Count(p => p.First == p.Second);
        Assert.True(equal < xorP.Length / 50, $"{equal} of {xorP.Length} bytes agree; chance is about 1/256");
        var deployed = Assert.Single(reuseOurs, r => !r.Diagnostic);
        Assert.False(deployed.AttackSucceeded);
        Assert.True(deployed.EqualPercent < 2.0);
    }

    [Fact]
    public void AesGcm_DeployedFormResistsBoth_FixedNonceMisuseDoesNot()
    {
        var aes = CipherUnderTest.Create(AnalysisModes.Aes256Gcm, 5);
        var (kpa, reuse, _) = Attacks.RunPair(aes, "A", PlainA, "B", PlainB, 5);
        Assert.False(Assert.Single(kpa, k => !k.Diagnostic).AttackSucceeded);
        Assert.False(Assert.Single(reuse, k => !k.Diagnostic).AttackSucceeded);
        Assert.True(Assert.Single(reuse, k => k.Diagnostic).AttackSucceeded);
    }

    [Fact]
    public void BruteForce_FindsThePaperKeyFromTheCiphertextAlone()
    {
        var image = SyntheticImages.ShapesA(48, 40);
        var cipher = CipherUnderTest.Create(AnalysisModes.PaperLogistic, 1);
        var c = cipher.Encrypt(image.Pixels).Ciphertext;
        var row = Attacks.BruteForcePaper("A", c, image.Pixels, 48, 40, 3);
        Assert.Equal(256, row.KeysTried);
        Assert.InRange(row.Candidates, 1, 256);
        Assert.True(row.RecoveredExactly);
    }

    [Fact]
    public void DeployedModes_RoundTrip_AndRejectAnotherSessionsKeys()
    {
        foreach (var mode in new[] { AnalysisModes.Logistic, AnalysisModes.Aes256Gcm })
        {
            var cipher = CipherUnderTest.Create(mode, 11);
            var e = cipher.Encrypt(PlainA);
            Assert.Equal(PlainA, cipher.Decrypt(e));
            Assert.True(cipher.WrongSessionRejected(e));
        }
        var paper = CipherUnderTest.Create(AnalysisModes.PaperLogistic, 11);
        Assert.Equal(PlainA, paper.Decrypt(paper.Encrypt(PlainA)));
        Assert.Null(paper.WrongSessionRejected(paper.Encrypt(PlainA)));
    }
}
