using System.Security.Cryptography;

namespace SecureTransmit.Security.Tests;

public sealed class HandshakeTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly Identity _sender = Identity.Generate();
    private readonly Identity _receiver = Identity.Generate();
    private readonly ManualClock _clock = new(T0);
    private readonly byte[] _modelId = SHA256.HashData("weights"u8);

    public void Dispose()
    {
        _sender.Dispose();
        _receiver.Dispose();
    }

    private HandshakeOptions Options() => new() { TimeProvider = _clock };

    private HandshakeResponder Responder(params Identity[] allowed) =>
        new(_receiver, new AllowList(allowed.Select(i => new AllowListEntry(i.Fingerprint, "s"))), Options());

    private HandshakeInitiator Initiator(Fingerprint? pin = null, string mode = CipherModes.Logistic) =>
        new(_sender, pin ?? _receiver.Fingerprint, "cae-compact", _modelId, mode, Options());

    private static HandshakeFailureReason Reason(Action a) => Assert.Throws<HandshakeException>(a).Reason;

    [Theory]
    [InlineData(CipherModes.Logistic)]
    [InlineData(CipherModes.Aes256Gcm)]
    public void Successful_handshake_gives_both_sides_the_same_keys_and_agreed_parameters(string mode)
    {
        using var init = Initiator(mode: mode);
        var acceptance = Responder(_sender).Accept(init.Request);
        var rx = acceptance.Session;
        var tx = init.Complete(acceptance.Response);

        Assert.Equal(SessionRole.Initiator, tx.Role);
        Assert.Equal(SessionRole.Responder, rx.Role);
        Assert.Equal(16, tx.SessionId.Length);
        Assert.Equal(tx.SessionId, rx.SessionId);
        Assert.Equal(tx.TranscriptHash, rx.TranscriptHash);
        Assert.Equal(tx.Keys.SessionKey, rx.Keys.SessionKey);
        Assert.Equal(tx.Keys.PacketMac, rx.Keys.PacketMac);
        Assert.Equal(tx.Keys.AesGcm, rx.Keys.AesGcm);
        Assert.NotEqual(tx.Keys.AesGcm, tx.Keys.PacketMac);
        Assert.Equal(_receiver.Fingerprint, tx.PeerFingerprint);
        Assert.Equal(_sender.Fingerprint, rx.PeerFingerprint);
        Assert.Equal(_sender.Fingerprint, acceptance.Sender.Fingerprint);
        Assert.Equal(mode, tx.CipherMode);
        Assert.Equal(mode, rx.Cipher.Name);
        Assert.Equal(_modelId, rx.ModelId);
        Assert.Equal("cae-compact", rx.ModelName);
        Assert.Equal(T0 + TimeSpan.FromHours(1), rx.Expires);
        Assert.Equal(rx.Expires, tx.Expires);
        Assert.Equal(4096u * 4096u, tx.MaxImagePixels);

        // A packet sealed by the sender opens at the receiver.
        var latent = Bytes.Pattern(777, 1);
        var cipher = tx.Cipher;
        var kb = cipher.CreateKeyBlock(tx.Keys, latent);
        byte[] header = [.. "HDR"u8, .. kb];
        var sealedPayload = cipher.Seal(tx.Keys, kb, header, latent);
        Assert.Equal(latent, rx.Cipher.Open(rx.Keys, kb, header, sealedPayload.Ciphertext, sealedPayload.Tag));
    }

    [Fact]
    public void Two_handshakes_give_different_session_ids_and_keys()
    {
        var responder = Responder(_sender);
        using var a = Initiator();
        using var b = Initiator();
        var sa = a.Complete(responder.Accept(a.Request).Response);
        var sb = b.Complete(responder.Accept(b.Request).Response);
        Assert.NotEqual(sa.SessionId, sb.SessionId);
        Assert.NotEqual(sa.Keys.SessionKey, sb.Keys.SessionKey);
    }

    [Fact]
    public void Tampered_request_signature_or_signed_field_is_bad_signature()
    {
        using var init = Initiator();
        var r = init.Request;
        var responder = Responder(_sender);
        Assert.Equal(HandshakeFailureReason.BadSignature, Reason(() => responder.Accept(r with { SenderSignature = Bytes.Flip(r.SenderSignature, 7) })));
        Assert.Equal(HandshakeFailureReason.BadSignature, Reason(() => responder.Accept(r with { ModelName = "other-model" })));
        Assert.Equal(HandshakeFailureReason.BadSignature, Reason(() => responder.Accept(r with { CipherMode = CipherModes.Aes256Gcm })));
        Assert.Equal(HandshakeFailureReason.BadSignature, Reason(() => responder.Accept(r with { SenderNonce = Bytes.Flip(r.SenderNonce, 0) })));
        Assert.Equal(HandshakeFailureReason.BadSignature, Reason(() => responder.Accept(r with { TimestampUnixMs = r.TimestampUnixMs + 1 })));
        Assert.Equal(HandshakeFailureReason.BadSignature, Reason(() => responder.Accept(r with { ModelId = Bytes.Flip(r.ModelId, 255) })));
    }

    [Fact]
    public void Mitm_substituting_its_own_ephemeral_key_is_detected_on_both_legs()
    {
        using var mallory = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var p = mallory.ExportParameters(false);
        byte[] malloryPoint = [0x04, .. p.Q.X!, .. p.Q.Y!];

        using var init = Initiator();
        var responder = Responder(_sender);
        Assert.Equal(HandshakeFailureReason.BadSignature,
            Reason(() => responder.Accept(init.Request with { SenderEphemeral = malloryPoint })));

        var response = responder.Accept(init.Request).Response;
        Assert.Equal(HandshakeFailureReason.BadSignature,
            Reason(() => init.Complete(response with { ReceiverEphemeral = malloryPoint })));
    }

    [Fact]
    public void Tampered_response_fields_are_bad_signature_at_the_initiator()
    {
        var responder = Responder(_sender);
        foreach (var tamper in new Func<SessionOpenResponse, SessionOpenResponse>[]
                 {
                     r => r with { ReceiverSignature = Bytes.Flip(r.ReceiverSignature, 300) },
                     r => r with { SessionId = Bytes.Flip(r.SessionId, 3) },
                     r => r with { ReceiverNonce = Bytes.Flip(r.ReceiverNonce, 9) },
                     r => r with { ExpiresUnixMs = r.ExpiresUnixMs + 3_600_000 },
                     r => r with { MaxImagePixels = r.MaxImagePixels * 2 },
                 })
        {
            using var init = Initiator();
            var response = responder.Accept(init.Request).Response;
            Assert.Equal(HandshakeFailureReason.BadSignature, Reason(() => init.Complete(tamper(response))));
        }
    }

    [Fact]
    public void Sender_missing_from_the_allow_list_is_not_allowed()
    {
        using var stranger = Identity.Generate();
        using var init = Initiator();
        Assert.Equal(HandshakeFailureReason.NotAllowed, Reason(() => Responder(stranger).Accept(init.Request)));
        Assert.Equal(HandshakeFailureReason.NotAllowed,
            Reason(() => new HandshakeResponder(_receiver, AllowList.Empty, Options()).Accept(init.Request)));
    }

    [Fact]
    public void Receiver_other_than_the_pinned_one_is_wrong_peer()
    {
        using var impostor = Identity.Generate();
        var impostorResponder = new HandshakeResponder(impostor, new AllowList([new AllowListEntry(_sender.Fingerprint, null)]), Options());
        // The signed request names its receiver: another receiver refuses it (it cannot be replayed elsewhere) ...
        using var init = Initiator();
        var refused = Assert.Throws<HandshakeException>(() => impostorResponder.Accept(init.Request));
        Assert.Equal(HandshakeFailureReason.WrongPeer, refused.Reason);
        Assert.Contains("another receiver", refused.Message);

        // ... and a response from a receiver other than the pinned one is refused by the sender.
        using var forImpostor = Initiator(impostor.Fingerprint);
        var response = impostorResponder.Accept(forImpostor.Request).Response;
        var e = Assert.Throws<HandshakeException>(() => init.Complete(response));
        Assert.Equal(HandshakeFailureReason.WrongPeer, e.Reason);
        Assert.Contains(_receiver.Fingerprint.Hex, e.Message);

        // Swapping in the pinned receiver's public key without its private key fails the signature instead.
        using var init2 = Initiator();
        using var forImpostor2 = Initiator(impostor.Fingerprint);
        var forged = impostorResponder.Accept(forImpostor2.Request).Response with { ReceiverIdentity = _receiver.PublicKeySpki };
        Assert.Equal(HandshakeFailureReason.BadSignature, Reason(() => init2.Complete(forged)));
    }

    [Fact]
    public void Request_timestamp_outside_the_skew_window_is_skew()
    {
        var responder = Responder(_sender);
        using var old = Initiator();
        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(HandshakeFailureReason.Skew, Reason(() => responder.Accept(old.Request)));

        _clock.Now = T0 + TimeSpan.FromHours(1);
        using var early = Initiator();               // sender clock ahead of the receiver's
        _clock.Now = T0 + TimeSpan.FromHours(1) - TimeSpan.FromMinutes(6);
        Assert.Equal(HandshakeFailureReason.Skew, Reason(() => responder.Accept(early.Request)));

        _clock.Now = T0 + TimeSpan.FromHours(1) - TimeSpan.FromMinutes(4);   // within 5 minutes: fine
        Assert.NotNull(responder.Accept(early.Request).Session);

        var strict = new HandshakeResponder(_receiver, new AllowList([new AllowListEntry(_sender.Fingerprint, null)]),
            new HandshakeOptions { TimeProvider = _clock, MaxClockSkew = TimeSpan.FromMinutes(1) });
        Assert.Equal(HandshakeFailureReason.Skew, Reason(() => strict.Accept(early.Request)));
    }

    [Fact]
    public void Expired_sessions_are_refused_by_the_initiator_and_the_store()
    {
        var responder = new HandshakeResponder(_receiver, new AllowList([new AllowListEntry(_sender.Fingerprint, null)]),
            new HandshakeOptions { TimeProvider = _clock, SessionLifetime = TimeSpan.FromSeconds(30) });
        using var init = Initiator();
        var acceptance = responder.Accept(init.Request);
        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HandshakeFailureReason.Expired, Reason(() => init.Complete(acceptance.Response)));

        var store = new SessionStore(new SessionStoreOptions { TimeProvider = _clock });
        _clock.Now = T0;
        store.Add(acceptance.Session);
        Assert.Same(acceptance.Session, store.Get(acceptance.Session.SessionId));
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HandshakeFailureReason.Expired, Reason(() => store.Get(acceptance.Session.SessionId)));
        Assert.Equal(HandshakeFailureReason.UnknownSession, Reason(() => store.Get(acceptance.Session.SessionId)));
    }

    [Fact]
    public void Malformed_request_fields_are_malformed()
    {
        using var init = Initiator();
        var r = init.Request;
        var responder = Responder(_sender);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var offCurve = (byte[])r.SenderEphemeral.Clone();
        offCurve[64] ^= 1; // y changed: no longer on P-256
        var cases = new (string What, SessionOpenRequest Request)[]
        {
            ("version", r with { ProtocolVersion = 1 }),
            ("receiver fingerprint length", r with { ReceiverFingerprint = r.ReceiverFingerprint[..31] }),
            ("nonce length", r with { SenderNonce = r.SenderNonce[..31] }),
            ("model id length", r with { ModelId = [.. r.ModelId, 0] }),
            ("signature length", r with { SenderSignature = r.SenderSignature[..63] }),
            ("empty model", r with { ModelName = "" }),
            ("long model", r with { ModelName = new string('m', 129) }),
            ("empty mode", r with { CipherMode = "" }),
            ("ephemeral length", r with { SenderEphemeral = r.SenderEphemeral[..64] }),
            ("compressed ephemeral", r with { SenderEphemeral = [0x02, .. r.SenderEphemeral[1..]] }),
            ("off-curve ephemeral", r with { SenderEphemeral = offCurve }),
            ("identity garbage", r with { SenderIdentity = [0x30, 0x03, 1, 2, 3] }),
            ("identity P-384", r with { SenderIdentity = p384.ExportSubjectPublicKeyInfo() }),
            ("identity empty", r with { SenderIdentity = [] }),
        };
        foreach (var (what, req) in cases)
        {
            var e = Assert.Throws<HandshakeException>(() => responder.Accept(req));
            Assert.True(e.Reason == HandshakeFailureReason.Malformed, $"{what}: got {e.Reason} ({e.Message})");
        }
    }

    [Fact]
    public void Validly_signed_request_for_an_unsupported_cipher_mode_is_malformed()
    {
        using var init = Initiator(mode: CipherModes.Logistic);
        var aesOnly = new HandshakeResponder(_receiver, new AllowList([new AllowListEntry(_sender.Fingerprint, null)]),
            new HandshakeOptions { TimeProvider = _clock, SupportedCipherModes = [CipherModes.Aes256Gcm] });
        var e = Assert.Throws<HandshakeException>(() => aesOnly.Accept(init.Request));
        Assert.Equal(HandshakeFailureReason.Malformed, e.Reason);
        Assert.Contains("logistic", e.Message);
    }

    [Fact]
    public void Malformed_response_fields_are_malformed()
    {
        var responder = Responder(_sender);
        foreach (var tamper in new Func<SessionOpenResponse, SessionOpenResponse>[]
                 {
                     r => r with { SessionId = r.SessionId[..15] },
                     r => r with { ReceiverNonce = [] },
                     r => r with { ReceiverSignature = r.ReceiverSignature[..10] },
                     r => r with { ReceiverEphemeral = new byte[65] },
                     r => r with { ReceiverIdentity = [1, 2, 3] },
                     r => r with { MaxImagePixels = 0 },
                 })
        {
            using var init = Initiator();
            var response = responder.Accept(init.Request).Response;
            Assert.Equal(HandshakeFailureReason.Malformed, Reason(() => init.Complete(tamper(response))));
        }
    }

    [Fact]
    public void Initiator_completes_once_and_validates_its_arguments()
    {
        using var init = Initiator();
        var response = Responder(_sender).Accept(init.Request).Response;
        init.Complete(response);
        Assert.Throws<InvalidOperationException>(() => init.Complete(response));
        Assert.Throws<ArgumentException>(() => new HandshakeInitiator(_sender, _receiver.Fingerprint, "m", new byte[31], CipherModes.Logistic));
        Assert.Throws<ArgumentException>(() => new HandshakeInitiator(_sender, _receiver.Fingerprint, "m", _modelId, "rot13"));
        Assert.Throws<ArgumentException>(() => new HandshakeInitiator(_sender, _receiver.Fingerprint, "", _modelId, CipherModes.Logistic));
    }

    [Fact]
    public async Task A_flood_of_one_captured_request_is_refused_and_leaves_other_sessions_alone()
    {
        // An eavesdropper replays a captured request 1,100 times at once inside the skew window: every copy is refused
        // (Replayed), no session is created for it, and a session the same sender opened before is still there.
        var responder = Responder(_sender);
        var store = new SessionStore(new SessionStoreOptions { TimeProvider = _clock });
        using var earlier = Initiator();
        var live = responder.Accept(earlier.Request).Session;
        store.Add(live);
        using var init = Initiator();
        var first = responder.Accept(init.Request);
        store.Add(first.Session);
        var reasons = await Task.WhenAll(Enumerable.Range(0, 1100).Select(_ => Task.Run(() =>
        {
            try
            {
                store.Add(responder.Accept(init.Request).Session);
                return (HandshakeFailureReason?)null;
            }
            catch (HandshakeException e)
            {
                return e.Reason;
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(reasons, r => Assert.Equal(HandshakeFailureReason.Replayed, r));
        Assert.Equal(2, store.Count);
        Assert.True(store.TryGet(live.SessionId, out _));
        Assert.True(store.TryGet(first.Session.SessionId, out _));

        // Once the request is too old for the clock check, the clock refuses it (and the cache may forget it).
        _clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(HandshakeFailureReason.Skew, Reason(() => responder.Accept(init.Request)));
    }

    [Fact]
    public void Options_validate_their_values()
    {
        var o = new HandshakeOptions();
        Assert.Equal(TimeSpan.FromMinutes(5), o.MaxClockSkew);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.MaxClockSkew = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.SessionLifetime = TimeSpan.FromDays(8));
        Assert.Throws<ArgumentOutOfRangeException>(() => o.MaxImagePixels = 0);
        Assert.Throws<ArgumentException>(() => o.SupportedCipherModes = ["paper"]);
        Assert.Throws<ArgumentException>(() => o.SupportedCipherModes = []);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SessionStoreOptions { Capacity = 0 });
    }
}

public class SessionStoreTests
{
    private static Session NewSession(ManualClock clock, TimeSpan lifetime, Identity? sender = null)
    {
        using var fresh = Identity.Generate();
        var s = sender ?? fresh;
        using var r = Identity.Generate();
        var options = new HandshakeOptions { TimeProvider = clock, SessionLifetime = lifetime };
        using var init = new HandshakeInitiator(s, r.Fingerprint, "m", new byte[32], CipherModes.Aes256Gcm, options);
        return new HandshakeResponder(r, new AllowList([new AllowListEntry(s.Fingerprint, null)]), options).Accept(init.Request).Session;
    }

    [Fact]
    public void Bounded_store_evicts_expired_then_soonest_expiring()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new SessionStore(new SessionStoreOptions { Capacity = 3, TimeProvider = clock });
        var shortLived = NewSession(clock, TimeSpan.FromMinutes(1));
        var a = NewSession(clock, TimeSpan.FromHours(2));
        var b = NewSession(clock, TimeSpan.FromHours(3));
        store.Add(shortLived);
        store.Add(a);
        store.Add(b);
        clock.Advance(TimeSpan.FromMinutes(2));
        var c = NewSession(clock, TimeSpan.FromHours(4));
        store.Add(c);                                 // evicts the expired one
        Assert.Equal(3, store.Count);
        Assert.False(store.TryGet(shortLived.SessionId, out _));
        var d = NewSession(clock, TimeSpan.FromHours(5));
        // Full of other senders' live sessions: the new one is refused; nobody else's is evicted.
        Assert.Equal(HandshakeFailureReason.TooManySessions, Assert.Throws<HandshakeException>(() => store.Add(d)).Reason);
        Assert.Equal(3, store.Count);
        Assert.True(store.TryGet(a.SessionId, out _));
        Assert.True(store.TryGet(b.SessionId, out var gotB));
        Assert.Same(b, gotB);
        Assert.True(store.Remove(b.SessionId));
        Assert.Equal(2, store.Count);
        Assert.Equal(HandshakeFailureReason.Malformed, Assert.Throws<HandshakeException>(() => store.Get(new byte[5])).Reason);
    }

    [Fact]
    public async Task Concurrent_adds_and_gets_stay_consistent_and_bounded()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new SessionStore(new SessionStoreOptions { Capacity = 50, TimeProvider = clock });
        var sessions = Enumerable.Range(0, 80).Select(_ => NewSession(clock, TimeSpan.FromHours(1))).ToArray();
        var tasks = sessions.Select(s => Task.Run(() =>
        {
            try
            {
                store.Add(s);
            }
            catch (HandshakeException e) when (e.Reason == HandshakeFailureReason.TooManySessions)
            {
                return false;
            }
            return store.TryGet(s.SessionId, out _);
        }));
        var added = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(50, added.Count(x => x));
        Assert.Equal(50, store.Count);
        Assert.Equal(50, sessions.Count(s => store.TryGet(s.SessionId, out _)));
    }

    [Fact]
    public void A_sender_over_its_session_cap_loses_its_own_oldest_session_only()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new SessionStore(new SessionStoreOptions { Capacity = 100, MaxSessionsPerSender = 3, TimeProvider = clock });
        using var busy = Identity.Generate();
        var other = NewSession(clock, TimeSpan.FromHours(1));
        store.Add(other);
        var own = new List<Session>();
        for (int i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var s = NewSession(clock, TimeSpan.FromHours(1), busy);
            store.Add(s);
            own.Add(s);
        }
        Assert.Equal(3, store.CountFor(busy.Fingerprint));
        Assert.All(own[..7], s => Assert.False(store.TryGet(s.SessionId, out _)));
        Assert.All(own[7..], s => Assert.True(store.TryGet(s.SessionId, out _)));
        Assert.True(store.TryGet(other.SessionId, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SessionStoreOptions { MaxSessionsPerSender = 0 });
    }
}
