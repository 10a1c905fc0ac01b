using SecureTransmit.Metrics;

namespace SecureTransmit.Lab.Analysis.Internal;

/// <summary>
/// NPCR/UACI experiments: encrypt a payload and the payload with one byte changed (+1 mod 256), then compare
/// the two cipher images with <see cref="DifferentialAnalysis"/> (Wu et al. 2011 critical values).
/// </summary>
internal static class DifferentialExperiments
{
    /// <summary>A copy of an HWC image with sample (x, y, channel) increased by 1 modulo 256.</summary>
    public static byte[] WithOneByteChanged(byte[] hwc, int width, int height, int channels, int x, int y, int channel)
    {
        if (x < 0 || x >= width || y < 0 || y >= height || channel < 0 || channel >= channels)
            throw new AnalysisException($"pixel ({x}, {y}) channel {channel} is outside a {width}x{height}x{channels} image");
        var copy = (byte[])hwc.Clone();
        int i = (y * width + x) * channels + channel;
        copy[i] = (byte)(copy[i] + 1);
        return copy;
    }

    /// <summary>NPCR/UACI of two cipher images as one report row.</summary>
    public static DifferentialResultRow Compare(string variant, string description, bool diagnostic,
        ReadOnlySpan<byte> cipher1, ReadOnlySpan<byte> cipher2, int width, int height, int channels)
    {
        var d = DifferentialAnalysis.Compute(cipher1, cipher2, width, height, channels);
        return new DifferentialResultRow(variant, description, diagnostic, d.Npcr, d.Uaci, d.NpcrPerChannel, d.UaciPerChannel,
            d.NpcrCritical, new Interval(d.UaciInterval.Low, d.UaciInterval.High), d.NpcrPassesPerChannel, d.UaciPassesPerChannel);
    }

    /// <summary>Every NPCR/UACI variant for one image under <paramref name="cipher"/>.</summary>
    public static List<DifferentialResultRow> Run(CipherUnderTest cipher, LogisticDerivationModel? model, byte[] plain,
        int width, int height, int channels, ulong seed)
    {
        var rows = new List<DifferentialResultRow>();
        var first = WithOneByteChanged(plain, width, height, channels, 0, 0, 0);
        var centre = WithOneByteChanged(plain, width, height, channels, width / 2, height / 2, 0);

        var e0 = cipher.Encrypt(plain);
        rows.Add(Compare("deployed-first-byte",
            "deployed form; pixel (0,0) channel 0 +1" + (cipher.Mode == AnalysisModes.PaperLogistic ? " (this byte is the one x0 is taken from)" : ""),
            false, e0.Ciphertext, cipher.Encrypt(first).Ciphertext, width, height, channels));
        rows.Add(Compare("deployed-centre",
            "deployed form; centre pixel (W/2, H/2) channel 0 +1",
            false, e0.Ciphertext, cipher.Encrypt(centre).Ciphertext, width, height, channels));

        switch (cipher.Mode)
        {
            case AnalysisModes.Logistic:
                rows.Add(Compare("key-block-reused",
                    "misuse: both payloads sealed under ONE key block (same K_img, so the same keystream)",
                    true, e0.Ciphertext, cipher.EncryptWithKeyOf(e0, centre).Ciphertext, width, height, channels));
                if (model is not null)
                {
                    var nonce = Seeded.Bytes(seed, 16);
                    rows.Add(Compare("fixed-nonce-model",
                        "model: the same fixed nonce for both, K_img still derived from SHA-256(payload)",
                        true, model.Encrypt(nonce, plain), model.Encrypt(nonce, centre), width, height, channels));
                }
                break;
            case AnalysisModes.Aes256Gcm:
                var fixedNonce = Seeded.Bytes(seed, 12);
                var a = cipher.EncryptWithChosenNonce(fixedNonce, plain)!;
                var b = cipher.EncryptWithChosenNonce(fixedNonce, centre)!;
                rows.Add(Compare("fixed-nonce",
                    "misuse: both payloads sealed under ONE fixed nonce (AES-GCM's CTR keystream repeats)",
                    true, a.Ciphertext, b.Ciphertext, width, height, channels));
                break;
        }
        return rows;
    }
}
