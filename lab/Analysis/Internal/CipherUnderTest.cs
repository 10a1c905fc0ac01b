using System.Security.Cryptography;
using SecureTransmit.Security;

namespace SecureTransmit.Lab.Analysis.Internal;

/// <summary>One encryption: ciphertext plus whatever the receiver needs besides the session keys.</summary>
/// <param name="KeyBlock">Logistic: the 60-byte key block; AES-GCM: the 12-byte nonce; paper form: the latent byte x0 came from.</param>
internal sealed record Encrypted(byte[] Ciphertext, byte[] KeyBlock, byte[] Tag);

/// <summary>
/// A cipher form as the analysis drives it: the raw 8-bit payload in, a same-length ciphertext out.
/// Instances hold one session's keys and are thread-safe.
/// </summary>
internal abstract class CipherUnderTest
{
    /// <summary>Authenticated data passed as the packet header (the Codec's real header is irrelevant to these statistics).</summary>
    protected static readonly byte[] Header = "lab analyze: stand-in packet header"u8.ToArray();

    public abstract string Mode { get; }

    /// <summary>One-paragraph description of how this form encrypts a payload.</summary>
    public abstract string Description { get; }

    /// <summary>True for the AEAD modes, whose Open rejects a wrong key.</summary>
    public virtual bool Authenticated => true;

    /// <summary>Encrypts as deployed: a fresh key block per call (logistic, AES-GCM) or the paper's rule.</summary>
    public abstract Encrypted Encrypt(byte[] plaintext);

    /// <summary>
    /// Encrypts under the key material of <paramref name="reference"/>: a reused key block or nonce (a misuse the
    /// real modes forbid), or for the paper form the same (x0, r).
    /// </summary>
    public abstract Encrypted EncryptWithKeyOf(Encrypted reference, byte[] plaintext);

    /// <summary>
    /// AES-GCM sealed under a caller-chosen nonce (the API allows it; the deployed path never does it), or null
    /// where the form has no caller-visible nonce (logistic: see <see cref="LogisticDerivationModel"/>).
    /// </summary>
    public virtual Encrypted? EncryptWithChosenNonce(byte[] nonce, byte[] plaintext) => null;

    /// <summary>Decrypts with the right keys (verifying the tag where there is one).</summary>
    public abstract byte[] Decrypt(Encrypted encrypted);

    /// <summary>Whether Open under another session's keys is rejected (null for the unauthenticated paper form).</summary>
    public abstract bool? WrongSessionRejected(Encrypted encrypted);

    public static CipherUnderTest Create(string mode, ulong seed) => mode switch
    {
        AnalysisModes.Logistic => new RealCipher(LogisticImageCipher.Instance, SeededKeys(seed), SeededKeys(seed ^ 0x5A5A5A5A5A5A5A5AUL),
            "logistic mode (`LogisticImageCipher`): per image a fresh 16-byte nonce; K_img = HKDF-SHA256(K_logistic ‖ SHA-256(payload), salt = nonce); " +
            "(x0, r) from HMAC(K_img); 1024 warm-up iterations; 2 keystream bytes per iterate (low mantissa bits); ciphertext = payload ⊕ keystream; " +
            "HMAC-SHA256 tag over header, wrapped key block and ciphertext."),
        AnalysisModes.Aes256Gcm => new RealCipher(AesGcmImageCipher.Instance, SeededKeys(seed), SeededKeys(seed ^ 0x5A5A5A5A5A5A5A5AUL),
            "aes-256-gcm mode (`AesGcmImageCipher`): session key K_aead, a fresh random 12-byte nonce per image, the header as associated data, 16-byte tag."),
        AnalysisModes.PaperLogistic => new PaperCipher(),
        _ => throw new AnalysisException($"unknown cipher '{mode}'"),
    };

    /// <summary>Session keys from a seed (the analysis is reproducible up to the ciphers' own random nonces).</summary>
    internal static SessionKeys SeededKeys(ulong seed)
    {
        var bytes = Seeded.Bytes(seed, 48);
        return SessionKeys.FromSessionKey(bytes.AsSpan(0, 32), bytes.AsSpan(32, 16));
    }

    private sealed class RealCipher(IImageCipher cipher, SessionKeys keys, SessionKeys otherKeys, string description) : CipherUnderTest
    {
        public override string Mode => cipher.Name;

        public override string Description => description;

        public override Encrypted Encrypt(byte[] plaintext) => Seal(cipher.CreateKeyBlock(keys, plaintext), plaintext);

        public override Encrypted EncryptWithKeyOf(Encrypted reference, byte[] plaintext) => Seal(reference.KeyBlock, plaintext);

        public override Encrypted? EncryptWithChosenNonce(byte[] nonce, byte[] plaintext) =>
            cipher.Name == CipherModes.Aes256Gcm ? Seal(nonce, plaintext) : null;

        public override byte[] Decrypt(Encrypted e) => cipher.Open(keys, e.KeyBlock, Header, e.Ciphertext, e.Tag);

        public override bool? WrongSessionRejected(Encrypted e)
        {
            try
            {
                cipher.Open(otherKeys, e.KeyBlock, Header, e.Ciphertext, e.Tag);
                return false;
            }
            catch (IntegrityException)
            {
                return true;
            }
        }

        private Encrypted Seal(byte[] keyBlock, byte[] plaintext)
        {
            var sealedPayload = cipher.Seal(keys, keyBlock, Header, plaintext);
            return new Encrypted(sealedPayload.Ciphertext, keyBlock, sealedPayload.Tag);
        }
    }

    private sealed class PaperCipher : CipherUnderTest
    {
        public override string Mode => AnalysisModes.PaperLogistic;

        public override bool Authenticated => false;

        public override string Description =>
            $"paper B's form (`PaperLogisticCipher`, insecure, analysis only): x0 = (b + 0.5)/256 from the first payload byte b (the paper takes " +
            $"x0 from the first latent value), r = {PaperLogisticCipher.DefaultR} fixed, S_n = ⌊256·x_n⌋ with no warm-up, ciphertext = payload ⊕ S; no nonce, no tag.";

        public override Encrypted Encrypt(byte[] plaintext)
        {
            if (plaintext.Length == 0) throw new AnalysisException("the paper form needs a non-empty payload (x0 comes from its first byte)");
            return Apply([plaintext[0]], plaintext);
        }

        public override Encrypted EncryptWithKeyOf(Encrypted reference, byte[] plaintext) => Apply(reference.KeyBlock, plaintext);

        public override byte[] Decrypt(Encrypted e) =>
            PaperLogisticCipher.Apply(PaperLogisticCipher.X0FromLatentByte(e.KeyBlock[0]), PaperLogisticCipher.DefaultR, e.Ciphertext);

        public override bool? WrongSessionRejected(Encrypted e) => null;

        private static Encrypted Apply(byte[] x0Byte, byte[] plaintext) =>
            new(PaperLogisticCipher.Apply(PaperLogisticCipher.X0FromLatentByte(x0Byte[0]), PaperLogisticCipher.DefaultR, plaintext), x0Byte, []);
    }
}

/// <summary>
/// A model of the logistic mode's per-image key derivation with the nonce held fixed, to separate plaintext
/// dependence from nonce freshness (the public API always draws a fresh nonce). It follows the documented
/// rule K_img = HKDF-SHA256(IKM = K ‖ SHA-256(payload), salt = nonce, info = label ‖ session id) with an
/// analysis-side K, then runs the real <see cref="LogisticKeystream.Generate"/>.
/// </summary>
internal sealed class LogisticDerivationModel(ulong seed)
{
    private readonly byte[] _key = Seeded.Bytes(seed ^ 0x1234_5678_9ABC_DEF0UL, 32);
    private readonly byte[] _info = [.. "securetransmit/v1 logistic"u8, .. Seeded.Bytes(seed ^ 0x0FED_CBA9_8765_4321UL, 16)];

    public byte[] Encrypt(ReadOnlySpan<byte> nonce, byte[] plaintext)
    {
        var ikm = new byte[64];
        _key.CopyTo(ikm, 0);
        SHA256.HashData(plaintext, ikm.AsSpan(32));
        var imageKey = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, imageKey, nonce, _info);
        var output = new byte[plaintext.Length];
        LogisticKeystream.Generate(imageKey, output);
        for (int i = 0; i < output.Length; i++) output[i] ^= plaintext[i];
        return output;
    }
}

/// <summary>Deterministic bytes and numbers from a seed (SplitMix64; not for secrets).</summary>
internal static class Seeded
{
    public static byte[] Bytes(ulong seed, int count)
    {
        var rng = new Data.SplitMix64(seed);
        var bytes = new byte[count];
        for (int i = 0; i < count; i += 8)
        {
            ulong v = rng.Next();
            for (int j = 0; j < 8 && i + j < count; j++) bytes[i + j] = (byte)(v >> (8 * j));
        }
        return bytes;
    }

    /// <summary>A derived seed for sub-experiment <paramref name="stream"/> (so experiments do not share draws).</summary>
    public static ulong Derive(ulong seed, ulong stream) => new Data.SplitMix64(seed ^ (stream * 0x9E3779B97F4A7C15UL)).Next();
}
