using System.Diagnostics;
using SecureTransmit.Metrics;
using SecureTransmit.Security;

namespace SecureTransmit.Lab.Analysis.Internal;

/// <summary>
/// The classic attacks on an XOR keystream cipher: a known plaintext/ciphertext pair reveals the keystream;
/// two ciphertexts under one keystream XOR to the XOR of their plaintexts; and, for the paper form, a
/// ciphertext-only search of its 256 keys.
/// </summary>
internal static class Attacks
{
    public const string Scenario =
        "The attacker knows image A and its ciphertext C_A, and intercepts C_B, the next image sent in the same session. " +
        "Deployed logistic and AES-GCM: B is sealed with its own fresh key block/nonce, as the library does. Paper form: B is " +
        "encrypted under the same (x0, r) — which happens whenever two images' first latent bytes agree (at least 1 in 256 pairs; " +
        "certain among 257 images) and always if x0 is treated as a shared key, as a receiver that must decrypt needs it to be. " +
        "Rows marked 'diagnostic' show what key-block or nonce reuse (a misuse the deployed code never commits) would do.";

    /// <summary>One pair of same-sized payloads: known-plaintext and keystream-reuse rows.</summary>
    public static (List<KnownPlaintextRow> Kpa, List<KeystreamReuseRow> Reuse, PairImages Images) RunPair(
        CipherUnderTest cipher, string nameA, byte[] plainA, string nameB, byte[] plainB, ulong seed)
    {
        if (plainA.Length != plainB.Length) throw new AnalysisException($"{nameA} and {nameB} differ in size");
        var kpa = new List<KnownPlaintextRow>();
        var reuse = new List<KeystreamReuseRow>();
        var eA = cipher.Encrypt(plainA);
        bool paper = cipher.Mode == AnalysisModes.PaperLogistic;
        var eB = paper ? cipher.EncryptWithKeyOf(eA, plainB) : cipher.Encrypt(plainB);

        var recovered = StatisticsAnalysis.Xor(eA.Ciphertext, plainA);
        bool? matches = null;
        if (paper)
        {
            var truth = new byte[plainA.Length];
            PaperLogisticCipher.Keystream(PaperLogisticCipher.X0FromLatentByte(eA.KeyBlock[0]), PaperLogisticCipher.DefaultR, truth);
            matches = truth.AsSpan().SequenceEqual(recovered);
        }
        var decryptedB = StatisticsAnalysis.Xor(eB.Ciphertext, recovered);
        kpa.Add(Kpa(nameA, nameB, paper ? "same key (x0, r)" : "deployed (fresh key block per image)", false, matches, decryptedB, plainB));
        var xorC = StatisticsAnalysis.Xor(eA.Ciphertext, eB.Ciphertext);
        var xorP = StatisticsAnalysis.Xor(plainA, plainB);
        reuse.Add(Reuse(nameA, nameB, paper ? "same key (x0, r)" : "deployed (fresh key block per image)", false, xorC, xorP));

        if (!paper)
        {
            // Misuse: B sealed under A's key block / nonce.
            string what = cipher.Mode == AnalysisModes.Logistic ? "misuse: B sealed under A's key block" : "misuse: B sealed under A's nonce";
            var eB2 = cipher.EncryptWithKeyOf(eA, plainB);
            kpa.Add(Kpa(nameA, nameB, what, true, null, StatisticsAnalysis.Xor(eB2.Ciphertext, recovered), plainB));
            reuse.Add(Reuse(nameA, nameB, what, true, StatisticsAnalysis.Xor(eA.Ciphertext, eB2.Ciphertext), xorP));
        }
        return (kpa, reuse, new PairImages(eA.Ciphertext, eB.Ciphertext, xorC, xorP, decryptedB));
    }

    /// <summary>The byte arrays behind the attack figures.</summary>
    internal sealed record PairImages(byte[] CipherA, byte[] CipherB, byte[] XorCiphertexts, byte[] XorPlaintexts, byte[] DecryptedB);

    private static KnownPlaintextRow Kpa(string a, string b, string variant, bool diagnostic, bool? matches, byte[] decrypted, byte[] plainB)
    {
        double equal = StatisticsAnalysis.EqualPercent(decrypted, plainB);
        return new KnownPlaintextRow(a, b, variant, diagnostic, plainB.Length, matches, equal, ImageQuality.Psnr(decrypted, plainB),
            decrypted.AsSpan().SequenceEqual(plainB));
    }

    private static KeystreamReuseRow Reuse(string a, string b, string variant, bool diagnostic, byte[] xorC, byte[] xorP)
    {
        double equal = StatisticsAnalysis.EqualPercent(xorC, xorP);
        return new KeystreamReuseRow(a, b, variant, diagnostic, xorP.Length, equal, xorC.AsSpan().SequenceEqual(xorP));
    }

    /// <summary>
    /// Ciphertext-only attack on the paper form: for every latent byte b, x0 = (b + 0.5)/256 gives the first
    /// keystream byte S₁(b); b is a candidate when C[0] ⊕ S₁(b) = b (the first plaintext byte is the one x0 came
    /// from). Each candidate is decrypted and scored by the mean horizontal adjacent correlation; the best wins.
    /// </summary>
    public static BruteForceRow BruteForcePaper(string name, byte[] ciphertext, byte[] plain, int width, int height, int channels)
    {
        var sw = Stopwatch.StartNew();
        double bestScore = double.NegativeInfinity;
        byte[]? best = null;
        int candidates = 0;
        Span<byte> first = stackalloc byte[1];
        for (int b = 0; b < 256; b++)
        {
            double x0 = PaperLogisticCipher.X0FromLatentByte((byte)b);
            PaperLogisticCipher.Keystream(x0, PaperLogisticCipher.DefaultR, first);
            if ((ciphertext[0] ^ first[0]) != b) continue;
            candidates++;
            var decrypted = PaperLogisticCipher.Apply(x0, PaperLogisticCipher.DefaultR, ciphertext);
            double score = 0;
            for (int c = 0; c < channels; c++)
            {
                double r = AdjacentCorrelation.Compute(decrypted, width, height, channels, c, AdjacencyDirection.Horizontal).R;
                score += double.IsNaN(r) ? 1.0 : r; // a constant channel is perfectly predictable
            }
            if (score > bestScore)
            {
                bestScore = score;
                best = decrypted;
            }
        }
        return new BruteForceRow(name, 256, candidates, best is not null && best.AsSpan().SequenceEqual(plain), sw.Elapsed.TotalMilliseconds);
    }
}
