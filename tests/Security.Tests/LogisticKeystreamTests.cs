using System.Security.Cryptography;
using System.Text.Json;

namespace SecureTransmit.Security.Tests;

/// <summary>The logistic keystream against the independent Python implementation (vectors/make_vectors.py).</summary>
public class LogisticKeystreamTests
{
    private static LogisticDegeneracy StatusOf(string s) => s switch
    {
        "ok" => LogisticDegeneracy.None,
        "cycle" => LogisticDegeneracy.Cycle,
        "out-of-range" => LogisticDegeneracy.OutOfRange,
        "low-expansion" => LogisticDegeneracy.LowExpansion,
        _ => throw new InvalidDataException($"unknown status '{s}' in the vectors"),
    };

    [Fact]
    public void Vectors_use_our_warm_up()
    {
        Assert.Equal(LogisticKeystream.WarmUpIterations, Vectors.Root.GetProperty("warm_up").GetInt32());
    }

    [Fact]
    public void Raw_orbits_match_the_python_reference_bit_for_bit()
    {
        var cases = Vectors.Root.GetProperty("orbits").EnumerateArray().ToList();
        Assert.True(cases.Count >= 10);
        var statuses = new HashSet<LogisticDegeneracy>();
        foreach (var c in cases)
        {
            double x0 = c.GetProperty("x0").Double(), r = c.GetProperty("r").Double();
            var output = new byte[c.GetProperty("n").GetInt32()];
            var status = LogisticKeystream.TryGenerate(x0, r, output);
            var expected = StatusOf(c.GetProperty("status").GetString()!);
            Assert.True(expected == status, $"x0={x0:R} r={r:R}: expected {expected}, got {status}");
            statuses.Add(status);
            if (status == LogisticDegeneracy.None)
                Assert.Equal(c.GetProperty("keystream").GetString(), Convert.ToHexStringLower(output));
        }
        // The vectors exercise every degeneracy branch.
        Assert.Superset(new HashSet<LogisticDegeneracy> { LogisticDegeneracy.None, LogisticDegeneracy.Cycle,
            LogisticDegeneracy.OutOfRange, LogisticDegeneracy.LowExpansion }, statuses);
    }

    [Fact]
    public void Key_derivations_match_including_rederivation_after_a_degenerate_first_choice()
    {
        var cases = Vectors.Root.GetProperty("derivations").EnumerateArray().ToList();
        Assert.Contains(cases, c => c.GetProperty("counter").GetInt32() > 0);
        foreach (var c in cases)
        {
            var key = c.GetProperty("k_img").Hex();
            var output = new byte[c.GetProperty("n").GetInt32()];
            var p = LogisticKeystream.Generate(key, output);
            Assert.Equal(c.GetProperty("counter").GetInt32(), p.Counter);
            Assert.Equal(c.GetProperty("x0").GetString(), Vectors.DoubleHex(p.X0));
            Assert.Equal(c.GetProperty("r").GetString(), Vectors.DoubleHex(p.R));
            Assert.Equal(c.GetProperty("prefix").GetString(), Convert.ToHexStringLower(output.AsSpan(0, Math.Min(64, output.Length))));
            Assert.Equal(c.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(output)));
            if (c.TryGetProperty("rejected_x0", out var rx0))
            {
                Assert.True(LogisticKeystream.TryDeriveParameters(key, 0, out var x00, out var r00));
                Assert.Equal(rx0.GetString(), Vectors.DoubleHex(x00));
                Assert.Equal(c.GetProperty("rejected_r").GetString(), Vectors.DoubleHex(r00));
                Assert.Equal(StatusOf(c.GetProperty("rejected_status").GetString()!), LogisticKeystream.TryGenerate(x00, r00, new byte[output.Length]));
            }
        }
    }

    [Fact]
    public void Known_degenerate_orbits_are_rejected()
    {
        var buf = new byte[64];
        Assert.Equal(LogisticDegeneracy.Cycle, LogisticKeystream.TryGenerate(0.75, 4.0, buf));        // fixed point: 4·0.75·0.25 = 0.75
        Assert.Equal(LogisticDegeneracy.Cycle, LogisticKeystream.TryGenerate(0.75, 4.0, new byte[100_000]));
        Assert.NotEqual(LogisticDegeneracy.None, LogisticKeystream.TryGenerate(1 - 1 / 3.5, 3.5, buf)); // repelling fixed point, r below chaos
        Assert.Equal(LogisticDegeneracy.OutOfRange, LogisticKeystream.TryGenerate(0.5, 4.0, buf));    // 0.5 → 1 → 0
        Assert.Equal(LogisticDegeneracy.Cycle, LogisticKeystream.TryGenerate(0.3, 3.83, buf));        // period-3 window
        Assert.Equal(LogisticDegeneracy.Cycle, LogisticKeystream.TryGenerate(0.3, 3.2, buf));         // period 2
        Assert.Equal(LogisticDegeneracy.BadParameters, LogisticKeystream.TryGenerate(0.0, 3.9, buf));
        Assert.Equal(LogisticDegeneracy.BadParameters, LogisticKeystream.TryGenerate(0.5, 4.5, buf));
        Assert.Equal(LogisticDegeneracy.None, LogisticKeystream.TryGenerate(0.3, 3.99, buf));
    }

    [Fact]
    public void Periodic_window_reached_after_a_long_chaotic_transient_is_rejected_before_its_bits_repeat()
    {
        // r = 3.6321758... lies in a period-24 window. From this x0 the orbit wanders chaotically for a long
        // time before settling; an exact repetition (what a pure cycle check sees) comes only at step ~21700,
        // but long before that x_{i+24} and x_i agree to 2^-37, so the low 16 mantissa bits (the keystream)
        // would already repeat with period 24. Measured here with our own plain iteration.
        const double x0 = 0.026902549802460096, r = 3.632175813646263;
        var seen = new Dictionary<double, int>();
        var orbit = new List<double>();
        double x = x0;
        int firstRepeat = -1, period = 0;
        for (int i = 0; i < 100_000; i++)
        {
            if (seen.TryGetValue(x, out var j)) { firstRepeat = i; period = i - j; break; }
            seen[x] = i;
            orbit.Add(x);
            x = r * x * (1.0 - x);
        }
        Assert.Equal(24, period);
        Assert.True(firstRepeat > 20_000, $"exact repetition at {firstRepeat}");
        int firstClose = Enumerable.Range(24, orbit.Count - 24).First(i => Math.Abs(orbit[i] - orbit[i - 24]) < Math.Pow(2, -37));
        Assert.True(firstRepeat - firstClose > 5000, $"bits repeat from {firstClose}, values from {firstRepeat}");

        // The generator refuses this orbit for every output length, including ones that end before the
        // exact repetition (so a cycle check alone would have passed them).
        foreach (var n in new[] { 1, 64, 2 * (firstClose - 1024), 2 * (firstRepeat - 1024) - 2, 60_000 })
        {
            var status = LogisticKeystream.TryGenerate(x0, r, new byte[n]);
            Assert.True(status is LogisticDegeneracy.LowExpansion or LogisticDegeneracy.Cycle, $"n={n}: {status}");
        }
    }

    [Fact]
    public void Derived_parameters_stay_inside_the_documented_ranges()
    {
        int rejected = 0;
        for (int i = 0; i < 2000; i++)
        {
            var key = SHA256.HashData(BitConverter.GetBytes(i));
            if (!LogisticKeystream.TryDeriveParameters(key, 0, out var x0, out var r)) { rejected++; continue; }
            Assert.InRange(x0, 1.0 / (1 << 20), 1 - 1.0 / (1 << 20));
            Assert.True(r > 3.5699 && r < 4.0, $"r = {r:R}");
        }
        Assert.True(rejected <= 2, $"{rejected} of 2000 parameter sets out of range (expected ~2000 * 2^-19)");
    }

    [Fact]
    public void Keystream_bytes_look_uniform_over_one_megabyte()
    {
        // A sanity check, not a proof of quality: a byte histogram chi-square (255 degrees of freedom,
        // 99.99 % quantile about 347) and the mean. A keystream taken from the high bits (floor(256·x))
        // fails this badly because the invariant density of the map piles up near 0 and 1.
        var ks = new byte[1 << 20];
        LogisticKeystream.Generate(SHA256.HashData("chi"u8), ks);
        Assert.InRange(ChiSquare(ks), 150, 347);
        var paper = new byte[1 << 20];
        PaperLogisticCipher.Keystream(0.3141, 3.99, paper);
        Assert.True(ChiSquare(paper) > 10_000, "the paper's floor(256x) bytes should be visibly non-uniform");
    }

    [Fact]
    public void Generate_fails_loudly_only_when_no_parameter_set_works_and_is_deterministic()
    {
        var key = SHA256.HashData("k"u8);
        var a = new byte[1000];
        var b = new byte[1000];
        var pa = LogisticKeystream.Generate(key, a);
        var pb = LogisticKeystream.Generate(key, b);
        Assert.Equal(pa, pb);
        Assert.Equal(a, b);
        var c = new byte[1000];
        LogisticKeystream.Generate(Bytes.Flip(key, 0), c);
        Assert.NotEqual(a, c);
    }

    private static double ChiSquare(byte[] data)
    {
        var counts = new long[256];
        foreach (var b in data) counts[b]++;
        double expected = data.Length / 256.0;
        return counts.Sum(c => (c - expected) * (c - expected) / expected);
    }
}

/// <summary>Key schedule, image keys, key wrap, packet MAC and transcript against the Python reference.</summary>
public class FormatVectorTests
{
    [Fact]
    public void Hkdf_sha256_matches_rfc5869_test_case_1()
    {
        // RFC 5869, appendix A.1.
        var ikm = Enumerable.Repeat((byte)0x0b, 22).ToArray();
        var salt = Convert.FromHexString("000102030405060708090a0b0c");
        var info = Convert.FromHexString("f0f1f2f3f4f5f6f7f8f9");
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt);
        Assert.Equal("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", Convert.ToHexStringLower(prk));
        var okm = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 42, salt, info);
        Assert.Equal("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865", Convert.ToHexStringLower(okm));
        // Our subkey step is HKDF-Expand: the first 32 bytes of the RFC's OKM from its PRK.
        Assert.Equal(okm[..32], Internal.KeySchedule.Subkey(prk, info));
    }

    [Fact]
    public void Whole_logistic_images_match_the_python_reference()
    {
        var cipher = CipherModes.Get(CipherModes.Logistic);
        foreach (var c in Vectors.Root.GetProperty("images").EnumerateArray())
        {
            var keys = SessionKeys.FromSessionKey(c.GetProperty("session_key").Hex(), c.GetProperty("session_id").Hex());
            var sub = c.GetProperty("subkeys");
            Assert.Equal(sub.GetProperty("key_wrap").Hex(), keys.KeyWrap);
            Assert.Equal(sub.GetProperty("packet_mac").Hex(), keys.PacketMac);
            Assert.Equal(sub.GetProperty("aes_256_gcm").Hex(), keys.AesGcm);
            Assert.Equal(sub.GetProperty("logistic").Hex(), keys.Logistic);

            var latent = c.GetProperty("latent").Hex();
            var kImg = c.GetProperty("k_img").Hex();
            Assert.Equal(kImg, LogisticImageCipher.DeriveImageKey(keys, c.GetProperty("nonce").Hex(), latent));
            var keystream = new byte[latent.Length];
            var p = LogisticKeystream.Generate(kImg, keystream);
            Assert.Equal(c.GetProperty("counter").GetInt32(), p.Counter);
            Assert.Equal(c.GetProperty("x0").GetString(), Vectors.DoubleHex(p.X0));
            Assert.Equal(c.GetProperty("r").GetString(), Vectors.DoubleHex(p.R));
            Assert.Equal(c.GetProperty("keystream_prefix").GetString(), Convert.ToHexStringLower(keystream.AsSpan(0, Math.Min(64, keystream.Length))));

            // The key block was wrapped by Python's AES-GCM: we unwrap it to the same K_img ...
            var keyBlock = c.GetProperty("key_block").Hex();
            Assert.True(LogisticImageCipher.TryUnwrapImageKey(keys, keyBlock, out var unwrapped));
            Assert.Equal(kImg, unwrapped);
            Assert.Equal(keyBlock, LogisticImageCipher.WrapImageKey(keys, kImg, keyBlock[..12]));

            // ... and the public Seal produces exactly Python's ciphertext and tag; Open inverts it.
            var header = c.GetProperty("header").Hex();
            var s = cipher.Seal(keys, keyBlock, header, latent);
            Assert.Equal(c.GetProperty("ciphertext").GetString(), Convert.ToHexStringLower(s.Ciphertext));
            Assert.Equal(c.GetProperty("tag").GetString(), Convert.ToHexStringLower(s.Tag));
            Assert.Equal(latent, cipher.Open(keys, keyBlock, header, c.GetProperty("ciphertext").Hex(), c.GetProperty("tag").Hex()));
        }
    }

    [Fact]
    public void Handshake_transcript_and_session_key_match_the_python_reference()
    {
        var h = Vectors.Root.GetProperty("handshake");
        var q = h.GetProperty("request");
        var s = h.GetProperty("response");
        var request = new SessionOpenRequest
        {
            ProtocolVersion = q.GetProperty("protocol_version").GetUInt32(),
            SenderIdentity = q.GetProperty("sender_identity").Hex(),
            SenderEphemeral = q.GetProperty("sender_ephemeral").Hex(),
            SenderNonce = q.GetProperty("sender_nonce").Hex(),
            ModelName = q.GetProperty("model_name").GetString()!,
            ModelId = q.GetProperty("model_id").Hex(),
            CipherMode = q.GetProperty("cipher_mode").GetString()!,
            TimestampUnixMs = q.GetProperty("timestamp_unix_ms").GetUInt64(),
            ReceiverFingerprint = q.GetProperty("receiver_fingerprint").Hex(),
        };
        var response = new SessionOpenResponse
        {
            SessionId = s.GetProperty("session_id").Hex(),
            ReceiverIdentity = s.GetProperty("receiver_identity").Hex(),
            ReceiverEphemeral = s.GetProperty("receiver_ephemeral").Hex(),
            ReceiverNonce = s.GetProperty("receiver_nonce").Hex(),
            ExpiresUnixMs = s.GetProperty("expires_unix_ms").GetUInt64(),
            MaxImagePixels = s.GetProperty("max_image_pixels").GetUInt32(),
        };
        Assert.Equal(h.GetProperty("request_transcript").GetString(), Convert.ToHexStringLower(Internal.Transcript.EncodeRequest(request)));
        var full = Internal.Transcript.EncodeFull(request, response);
        Assert.Equal(h.GetProperty("full_transcript").GetString(), Convert.ToHexStringLower(full));
        var sessionKey = Internal.KeySchedule.DeriveSessionKey(h.GetProperty("shared_secret").Hex(), full);
        Assert.Equal(h.GetProperty("session_key").GetString(), Convert.ToHexStringLower(sessionKey));
        var keys = SessionKeys.FromSessionKey(sessionKey, response.SessionId);
        Assert.Equal(h.GetProperty("subkeys").GetProperty("packet_mac").Hex(), keys.PacketMac);
        Assert.Equal(h.GetProperty("subkeys").GetProperty("key_wrap").Hex(), keys.KeyWrap);
    }

    [Fact]
    public void Transcript_items_are_length_prefixed_so_field_boundaries_cannot_shift()
    {
        var a = new SessionOpenRequest { ModelName = "ab", CipherMode = "c" };
        var b = new SessionOpenRequest { ModelName = "a", CipherMode = "bc" };
        Assert.NotEqual(Internal.Transcript.EncodeRequest(a), Internal.Transcript.EncodeRequest(b));
        var t = Internal.Transcript.EncodeRequest(a);
        Assert.Equal(new byte[] { 0, 0, 0, 22 }, t[..4]);
        Assert.Equal("securetransmit/v2/open"u8.ToArray(), t[4..26]);
    }
}
