using System.Globalization;
using System.Security.Cryptography;
using SecureTransmit.Metrics;
using SecureTransmit.Security;

namespace SecureTransmit.Lab.Analysis.Internal;

/// <summary>
/// Key sensitivity: the keystream under a key perturbed by one ulp (<see cref="Math.BitIncrement"/>) or by
/// 10⁻¹⁵ (x0 and r), or by one flipped key bit (the 256-bit keys), compared byte by byte with the
/// original keystream; and the PSNR of a decryption under such a wrong key.
/// </summary>
internal static class KeySensitivity
{
    private const double TwoPowMinus53 = 1.0 / (1L << 53);

    private delegate LogisticDegeneracy Generator(Span<byte> output);

    private sealed record Perturbation(string Name, Generator Generate);

    private sealed record KeySample(string Key, Generator Original, IReadOnlyList<Perturbation> Perturbations);

    public static KeySensitivityResult Run(string mode, int bytes, IReadOnlyList<(string Name, byte[] Plain)> images, int samples, ulong seed)
    {
        var keySamples = Samples(mode, samples, seed);
        var rows = new List<KeystreamPerturbationRow>();
        double criterion = DifferentialAnalysis.NpcrCriticalValue(bytes);
        var original = new byte[bytes];
        var perturbed = new byte[bytes];
        for (int s = 0; s < keySamples.Count; s++)
        {
            var sample = keySamples[s];
            if (sample.Original(original) != LogisticDegeneracy.None)
                throw new InvalidOperationException("a sampled key's own keystream was rejected");
            foreach (var p in sample.Perturbations)
            {
                var verdict = p.Generate(perturbed);
                if (verdict != LogisticDegeneracy.None)
                {
                    // The generator rejects this orbit: a receiver with this wrong key would get no keystream at all.
                    rows.Add(new KeystreamPerturbationRow(s, p.Name, sample.Key, bytes, double.NaN, -1, criterion, true, verdict.ToString()));
                    continue;
                }
                long changed = 0, first = -1;
                for (int i = 0; i < bytes; i++)
                {
                    if (original[i] == perturbed[i]) continue;
                    changed++;
                    if (first < 0) first = i;
                }
                double percent = 100.0 * changed / bytes;
                rows.Add(new KeystreamPerturbationRow(s, p.Name, sample.Key, bytes, percent, first, criterion, percent >= criterion, null));
            }
        }

        // Wrong-key decryptions: encrypt with the first sample's key, decrypt with each of its perturbations.
        var wrong = new List<WrongKeyRow>();
        var key = keySamples[0];
        foreach (var (name, plain) in images)
        {
            var ks = new byte[plain.Length];
            if (key.Original(ks) != LogisticDegeneracy.None) continue;
            var cipher = StatisticsAnalysis.Xor(plain, ks);
            double reference = StatisticsAnalysis.NoiseReferencePsnr(plain);
            foreach (var pert in key.Perturbations)
            {
                var ks2 = new byte[plain.Length];
                if (pert.Generate(ks2) != LogisticDegeneracy.None) continue; // no keystream: nothing to decrypt with
                var decrypted = StatisticsAnalysis.Xor(cipher, ks2);
                double psnr = ImageQuality.Psnr(decrypted, plain);
                wrong.Add(new WrongKeyRow(name, pert.Name, psnr, reference, StatisticsAnalysis.EqualPercent(decrypted, plain),
                    psnr <= reference + 1.0, null));
            }
        }

        string note = mode switch
        {
            AnalysisModes.Logistic =>
                "Keystreams from `LogisticKeystream.TryGenerate(x0, r)` with (x0, r) derived from random image keys exactly as the mode does; " +
                "the image-key rows flip one bit of the 256-bit K_img and run `LogisticKeystream.Generate`. A rejected (degenerate) orbit " +
                "yields no keystream at all and counts as a pass. A share of 0 % means the perturbed key is EQUIVALENT to the original: " +
                "rounding in the first iterations mapped both onto the same orbit (§7 measures how often this happens).",
            AnalysisModes.Aes256Gcm =>
                "AES-256-GCM has no (x0, r): the key and the nonce are perturbed by one bit and the CTR keystream (the encryption of zero bytes) " +
                "is compared. Wrong-key decryption here ignores the tag; the real Open rejects it (see the per-image rows).",
            _ =>
                $"Paper form: x0 = (b + 0.5)/256 for random latent bytes b, r = {PaperLogisticCipher.DefaultR}; keystream `PaperLogisticCipher.Keystream` " +
                "(no warm-up, so the first bytes agree until the perturbation has grown to 1/256). The 'next latent byte' row is the form's real key " +
                "granularity: neighbouring keys differ by 1/256 in x0. ⌊256·x⌋ is not uniform (the map's invariant density piles up near 0 and 1), " +
                "so even unrelated keystreams agree on more than 1/256 of their bytes and the share stays below the ideal 99.61 %.",
        };
        return new KeySensitivityResult(rows, wrong, note);
    }

    private static List<KeySample> Samples(string mode, int count, ulong seed)
    {
        var samples = new List<KeySample>();
        var rng = new Data.SplitMix64(seed);
        int guard = 0;
        while (samples.Count < count)
        {
            if (++guard > 1000) throw new InvalidOperationException("could not draw usable key samples");
            var key = Seeded.Bytes(rng.Next(), 32);
            switch (mode)
            {
                case AnalysisModes.Logistic:
                {
                    if (!LogisticKeystream.TryDeriveParameters(key, 0, out double x0, out double r)) continue;
                    if (LogisticKeystream.TryGenerate(x0, r, new byte[4096]) != LogisticDegeneracy.None) continue;
                    var flipped = FlipBit(key, (int)(rng.Next() % 256));
                    samples.Add(new KeySample($"x0={R(x0)}, r={R(r)}", o => LogisticKeystream.TryGenerate(x0, r, o),
                    [
                        new("x0 + 1 ulp", o => LogisticKeystream.TryGenerate(Math.BitIncrement(x0), r, o)),
                        new("x0 + 2^-53 (next derivable x0)", o => LogisticKeystream.TryGenerate(x0 + TwoPowMinus53, r, o)),
                        new("x0 + 1e-15", o => LogisticKeystream.TryGenerate(x0 + 1e-15, r, o)),
                        new("r + 1 ulp", o => LogisticKeystream.TryGenerate(x0, Math.BitIncrement(r), o)),
                        new("r + 1e-15", o => LogisticKeystream.TryGenerate(x0, r + 1e-15, o)),
                        new("K_img one bit flipped", o => Generate(flipped, o)),
                    ]));
                    break;
                }
                case AnalysisModes.Aes256Gcm:
                {
                    var nonce = Seeded.Bytes(rng.Next(), 12);
                    var keyFlipped = FlipBit(key, (int)(rng.Next() % 256));
                    var nonceFlipped = FlipBit(nonce, (int)(rng.Next() % 96));
                    samples.Add(new KeySample("random 256-bit key and 96-bit nonce", o => AesKeystream(key, nonce, o),
                    [
                        new("key one bit flipped", o => AesKeystream(keyFlipped, nonce, o)),
                        new("nonce one bit flipped", o => AesKeystream(key, nonceFlipped, o)),
                    ]));
                    break;
                }
                default:
                {
                    byte b = key[0];
                    double x0 = PaperLogisticCipher.X0FromLatentByte(b), r = PaperLogisticCipher.DefaultR;
                    double next = PaperLogisticCipher.X0FromLatentByte((byte)(b == 255 ? 254 : b + 1));
                    samples.Add(new KeySample($"b={b} (x0={R(x0)}), r={R(r)}", o => Paper(x0, r, o),
                    [
                        new("x0 + 1 ulp", o => Paper(Math.BitIncrement(x0), r, o)),
                        new("x0 + 1e-15", o => Paper(x0 + 1e-15, r, o)),
                        new("r + 1 ulp", o => Paper(x0, Math.BitIncrement(r), o)),
                        new("r + 1e-15", o => Paper(x0, r + 1e-15, o)),
                        new("next latent byte (x0 ± 1/256)", o => Paper(next, r, o)),
                    ]));
                    break;
                }
            }
        }
        return samples;
    }

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static byte[] FlipBit(byte[] data, int bit)
    {
        var copy = (byte[])data.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    private static LogisticDegeneracy Generate(byte[] imageKey, Span<byte> output)
    {
        try
        {
            LogisticKeystream.Generate(imageKey, output);
            return LogisticDegeneracy.None;
        }
        catch (SecureTransmitSecurityException)
        {
            return LogisticDegeneracy.Cycle;
        }
    }

    private static LogisticDegeneracy Paper(double x0, double r, Span<byte> output)
    {
        PaperLogisticCipher.Keystream(x0, r, output);
        return LogisticDegeneracy.None;
    }

    /// <summary>The AES-GCM keystream: the GCM encryption of zero bytes (CTR mode from counter 2).</summary>
    private static LogisticDegeneracy AesKeystream(byte[] key, byte[] nonce, Span<byte> output)
    {
        using var gcm = new AesGcm(key, 16);
        var zeros = new byte[output.Length];
        Span<byte> tag = stackalloc byte[16];
        gcm.Encrypt(nonce, zeros, output, tag);
        return LogisticDegeneracy.None;
    }
}
