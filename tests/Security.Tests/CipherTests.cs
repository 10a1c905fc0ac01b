using FsCheck;
using FsCheck.Fluent;

namespace SecureTransmit.Security.Tests;

public class CipherTests
{
    public static TheoryData<string> Modes => new() { CipherModes.Logistic, CipherModes.Aes256Gcm };

    /// <summary>A header as the Codec would build it: some fields, the key block, a sequence number.</summary>
    private static byte[] Header(byte[] keyBlock, ulong sequence = 7) =>
        [.. "ST"u8, 1, 0, .. BitConverter.GetBytes(sequence), .. keyBlock];

    [Theory]
    [MemberData(nameof(Modes))]
    public void Round_trips_payloads_of_many_sizes(string mode)
    {
        var cipher = CipherModes.Get(mode);
        var keys = SessionKeys.CreateRandom();
        foreach (var n in new[] { 0, 1, 2, 3, 15, 16, 17, 255, 1000, 65_537, 300_001 })
        {
            var latent = Bytes.Pattern(n, n);
            var kb = cipher.CreateKeyBlock(keys, latent);
            Assert.Equal(cipher.KeyBlockLength, kb.Length);
            var header = Header(kb);
            var s = cipher.Seal(keys, kb, header, latent);
            Assert.Equal(n, s.Ciphertext.Length);
            Assert.Equal(16, s.Tag.Length);
            if (n >= 16) Assert.NotEqual(latent, s.Ciphertext);
            Assert.Equal(latent, cipher.Open(keys, kb, header, s.Ciphertext, s.Tag));
        }
    }

    [Fact]
    public void Key_block_lengths_are_the_documented_ones()
    {
        Assert.Equal(60, CipherModes.Get(CipherModes.Logistic).KeyBlockLength);
        Assert.Equal(12, CipherModes.Get(CipherModes.Aes256Gcm).KeyBlockLength);
        Assert.Equal(CipherModes.Aes256Gcm, CipherModes.Default);
        Assert.Throws<SecureTransmitSecurityException>(() => CipherModes.Get("paper-logistic"));
        Assert.False(CipherModes.TryGet("paper", out _));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Same_plaintext_twice_gives_unrelated_ciphertexts(string mode)
    {
        var cipher = CipherModes.Get(mode);
        var keys = SessionKeys.CreateRandom();
        var latent = new byte[4096];   // all zero: the ciphertext IS the keystream
        var kb1 = cipher.CreateKeyBlock(keys, latent);
        var kb2 = cipher.CreateKeyBlock(keys, latent);
        Assert.NotEqual(kb1, kb2);
        var c1 = cipher.Seal(keys, kb1, Header(kb1), latent).Ciphertext;
        var c2 = cipher.Seal(keys, kb2, Header(kb2), latent).Ciphertext;
        Assert.NotEqual(c1, c2);
        // Not merely different: about half of the bits differ (independent keystreams).
        var differing = c1.Zip(c2).Sum(p => System.Numerics.BitOperations.PopCount((uint)(p.First ^ p.Second)));
        Assert.InRange(differing, 4096 * 8 * 0.45, 4096 * 8 * 0.55);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Flipping_any_bit_of_header_key_block_ciphertext_or_tag_is_detected(string mode)
    {
        var cipher = CipherModes.Get(mode);
        var keys = SessionKeys.CreateRandom();
        var latent = Bytes.Pattern(24, 5);
        var kb = cipher.CreateKeyBlock(keys, latent);
        var header = Header(kb);
        var s = cipher.Seal(keys, kb, header, latent);
        int detected = 0, total = 0;
        void Expect(byte[] k, byte[] h, byte[] c, byte[] t)
        {
            total++;
            Assert.Throws<IntegrityException>(() => cipher.Open(keys, k, h, c, t));
            detected++;
        }
        for (int bit = 0; bit < header.Length * 8; bit++) Expect(kb, Bytes.Flip(header, bit), s.Ciphertext, s.Tag);
        for (int bit = 0; bit < kb.Length * 8; bit++) Expect(Bytes.Flip(kb, bit), header, s.Ciphertext, s.Tag);
        for (int bit = 0; bit < s.Ciphertext.Length * 8; bit++) Expect(kb, header, Bytes.Flip(s.Ciphertext, bit), s.Tag);
        for (int bit = 0; bit < s.Tag.Length * 8; bit++) Expect(kb, header, s.Ciphertext, Bytes.Flip(s.Tag, bit));
        Assert.Equal((header.Length + kb.Length + s.Ciphertext.Length + 16) * 8, total);
        Assert.Equal(total, detected);
        // And the untouched packet still opens.
        Assert.Equal(latent, cipher.Open(keys, kb, header, s.Ciphertext, s.Tag));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Truncation_extension_wrong_lengths_and_other_sessions_are_detected(string mode)
    {
        var cipher = CipherModes.Get(mode);
        var keys = SessionKeys.CreateRandom();
        var latent = Bytes.Pattern(100, 9);
        var kb = cipher.CreateKeyBlock(keys, latent);
        var header = Header(kb);
        var s = cipher.Seal(keys, kb, header, latent);
        Assert.Throws<IntegrityException>(() => cipher.Open(keys, kb, header, s.Ciphertext[..99], s.Tag));
        Assert.Throws<IntegrityException>(() => cipher.Open(keys, kb, header, [.. s.Ciphertext, 0], s.Tag));
        Assert.Throws<IntegrityException>(() => cipher.Open(keys, kb, header[..^1], s.Ciphertext, s.Tag));
        Assert.Throws<IntegrityException>(() => cipher.Open(keys, kb, header, s.Ciphertext, s.Tag[..15]));
        Assert.Throws<IntegrityException>(() => cipher.Open(keys, kb[..^1], header, s.Ciphertext, s.Tag));
        Assert.Throws<IntegrityException>(() => cipher.Open(SessionKeys.CreateRandom(), kb, header, s.Ciphertext, s.Tag));
        // Same session key, other session id: other keys.
        var sameKeyOtherId = SessionKeys.FromSessionKey(keys.SessionKey, new byte[16]);
        Assert.Throws<IntegrityException>(() => cipher.Open(sameKeyOtherId, kb, header, s.Ciphertext, s.Tag));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Key_block_or_body_moved_between_two_packets_of_one_session_is_detected(string mode)
    {
        var cipher = CipherModes.Get(mode);
        var keys = SessionKeys.CreateRandom();
        var p1 = Bytes.Pattern(64, 1);
        var p2 = Bytes.Pattern(64, 2);
        var kb1 = cipher.CreateKeyBlock(keys, p1);
        var kb2 = cipher.CreateKeyBlock(keys, p2);
        var h1 = Header(kb1, 1);
        var h2 = Header(kb2, 2);
        var s1 = cipher.Seal(keys, kb1, h1, p1);
        var s2 = cipher.Seal(keys, kb2, h2, p2);
        Assert.Throws<IntegrityException>(() => cipher.Open(keys, kb2, h1, s1.Ciphertext, s1.Tag));
        Assert.Throws<IntegrityException>(() => cipher.Open(keys, kb1, h1, s2.Ciphertext, s2.Tag));
        Assert.Throws<IntegrityException>(() => cipher.Open(keys, kb1, h1, s2.Ciphertext, s1.Tag));
        // A whole packet re-sent under a different sequence number in the header fails too.
        Assert.Throws<IntegrityException>(() => cipher.Open(keys, kb1, Header(kb1, 3), s1.Ciphertext, s1.Tag));
    }

    [Fact]
    public void Seal_rejects_a_foreign_key_block_and_bad_spans()
    {
        var logistic = CipherModes.Get(CipherModes.Logistic);
        var keys = SessionKeys.CreateRandom();
        var kbOther = logistic.CreateKeyBlock(SessionKeys.CreateRandom(), [1, 2, 3]);
        Assert.Throws<ArgumentException>(() => logistic.Seal(keys, kbOther, [], [1, 2, 3]));
        var kb = logistic.CreateKeyBlock(keys, [1, 2, 3]);
        Assert.Throws<ArgumentException>(() => logistic.Seal(keys, kb, [], new byte[3], new byte[2], new byte[16]));
        Assert.Throws<ArgumentException>(() => logistic.Seal(keys, kb, [], new byte[3], new byte[3], new byte[15]));
        var aes = CipherModes.Get(CipherModes.Aes256Gcm);
        Assert.Throws<ArgumentException>(() => aes.Seal(keys, new byte[11], [], [1]));
    }

    [Fact]
    public void Open_of_arbitrary_payloads_returns_what_seal_took_fscheck()
    {
        var keys = SessionKeys.CreateRandom();
        foreach (var cipher in new[] { CipherModes.Get(CipherModes.Logistic), CipherModes.Get(CipherModes.Aes256Gcm) })
        {
            Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<byte[]>(), (payload, headerExtra) =>
                {
                    payload ??= [];
                    headerExtra ??= [];
                    var kb = cipher.CreateKeyBlock(keys, payload);
                    byte[] header = [.. headerExtra, .. kb];
                    var s = cipher.Seal(keys, kb, header, payload);
                    return cipher.Open(keys, kb, header, s.Ciphertext, s.Tag).AsSpan().SequenceEqual(payload);
                })
                .QuickCheckThrowOnFailure();
        }
    }

    [Fact]
    public void Logistic_image_key_depends_on_session_nonce_and_latent()
    {
        var keys = SessionKeys.CreateRandom();
        var nonce = new byte[16];
        var latent = Bytes.Pattern(50, 3);
        var k = LogisticImageCipher.DeriveImageKey(keys, nonce, latent);
        Assert.Equal(k, LogisticImageCipher.DeriveImageKey(keys, nonce, latent));
        Assert.NotEqual(k, LogisticImageCipher.DeriveImageKey(keys, Bytes.Flip(nonce, 0), latent));
        Assert.NotEqual(k, LogisticImageCipher.DeriveImageKey(keys, nonce, Bytes.Flip(latent, 0)));
        Assert.NotEqual(k, LogisticImageCipher.DeriveImageKey(SessionKeys.CreateRandom(), nonce, latent));
        Assert.NotEqual(k, LogisticImageCipher.DeriveImageKey(SessionKeys.FromSessionKey(keys.SessionKey, Bytes.Pattern(16, 1)), nonce, latent));
    }
}
