using System.Security.Cryptography;
using SecureTransmit.Security.Internal;

namespace SecureTransmit.Security;

/// <summary>What the responder produced for one accepted request.</summary>
/// <param name="Session">The new session (add it to the <see cref="SessionStore"/>).</param>
/// <param name="Response">The signed response to send.</param>
/// <param name="Sender">The allow-list entry of the sender.</param>
public sealed record HandshakeAcceptance(Session Session, SessionOpenResponse Response, AllowListEntry Sender);

/// <summary>
/// Receiver side of the session handshake. <see cref="Accept"/> checks, in this order: protocol
/// version and field encodings (Malformed), the sender's signature over the request transcript
/// (BadSignature), the allow-list (NotAllowed), the timestamp against the receiver clock (Skew) and the
/// cipher mode (Malformed); then answers with its own ephemeral key, nonce and session id, signs the
/// full transcript and derives the session keys. Thread-safe: one instance serves every request.
/// </summary>
public sealed class HandshakeResponder
{
    private readonly Identity _identity;
    private AllowList _allowList;
    private readonly HandshakeOptions _options;
    private readonly HandshakeReplayCache _seen;

    public HandshakeResponder(Identity identity, AllowList allowList, HandshakeOptions? options = null)
    {
        _identity = identity ?? throw new ArgumentNullException(nameof(identity));
        _allowList = allowList ?? throw new ArgumentNullException(nameof(allowList));
        _options = options ?? new HandshakeOptions();
        _seen = new HandshakeReplayCache(_options.MaxClockSkew, _options.TimeProvider);
    }

    /// <summary>The allow-list in force; <see cref="ReplaceAllowList"/> swaps it while serving (receiver allow/revoke).</summary>
    public AllowList AllowList => Volatile.Read(ref _allowList);

    /// <summary>Replaces the allow-list atomically: requests accepted from now on are checked against the new one.</summary>
    public void ReplaceAllowList(AllowList allowList) => Volatile.Write(ref _allowList, allowList ?? throw new ArgumentNullException(nameof(allowList)));

    public Fingerprint Fingerprint => _identity.Fingerprint;

    /// <exception cref="HandshakeException">See the class summary for reasons and order.</exception>
    public HandshakeAcceptance Accept(SessionOpenRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ProtocolVersion != ProtocolConstants.ProtocolVersion)
            throw HandshakeChecks.Malformed($"unsupported protocol_version {request.ProtocolVersion}; this receiver speaks {ProtocolConstants.ProtocolVersion}");
        HandshakeChecks.Length(request.SenderNonce, ProtocolConstants.HandshakeNonceLength, "sender_nonce");
        HandshakeChecks.Length(request.ModelId, ProtocolConstants.ModelIdLength, "model_id");
        HandshakeChecks.Length(request.SenderSignature, ProtocolConstants.SignatureLength, "sender_signature");
        HandshakeChecks.Length(request.ReceiverFingerprint, ProtocolConstants.FingerprintLength, "receiver_fingerprint");
        HandshakeChecks.Name(request.ModelName, "model_name");
        HandshakeChecks.Name(request.CipherMode, "cipher_mode");
        var peerPoint = HandshakeChecks.Ephemeral(request.SenderEphemeral, "sender_ephemeral");
        var sender = HandshakeChecks.Identity(request.SenderIdentity, "sender_identity");
        var timestamp = HandshakeChecks.FromUnixMs(request.TimestampUnixMs);

        var requestTranscript = Transcript.EncodeRequest(request);
        if (!sender.Verify(requestTranscript, request.SenderSignature))
            throw new HandshakeException(HandshakeFailureReason.BadSignature,
                "the sender's signature over the request transcript does not verify");

        // The signed request names its receiver: one captured for another receiver is refused here.
        if (!CryptographicOperations.FixedTimeEquals(request.ReceiverFingerprint, _identity.Fingerprint.ToArray()))
            throw new HandshakeException(HandshakeFailureReason.WrongPeer,
                "the request is addressed to another receiver (receiver_fingerprint is not this receiver's)");

        if (!AllowList.TryGet(sender.Fingerprint, out var entry))
            throw new HandshakeException(HandshakeFailureReason.NotAllowed,
                $"sender {sender.Fingerprint.Hex} is not on this receiver's allow-list");

        var now = _options.TimeProvider.GetUtcNow();
        var skew = (now - timestamp).Duration();
        if (skew > _options.MaxClockSkew)
            throw new HandshakeException(HandshakeFailureReason.Skew,
                $"request timestamp {timestamp:O} is {skew.TotalSeconds:F0} s from the receiver clock {now:O}; at most {_options.MaxClockSkew.TotalSeconds:F0} s allowed");

        // Checked after the signature and the clock, so only a genuine, fresh request can enter the cache; a copy of
        // it (a replay) is refused for as long as its timestamp would pass the skew check.
        if (!_seen.TryAdd(request.SenderSignature, timestamp))
            throw new HandshakeException(HandshakeFailureReason.Replayed,
                "this OpenSessionRequest was already used (replayed handshake); every request needs a fresh nonce");

        if (!_options.SupportedCipherModes.Contains(request.CipherMode, StringComparer.Ordinal))
            throw HandshakeChecks.Malformed(
                $"cipher mode '{request.CipherMode}' is not supported here (supported: {string.Join(", ", _options.SupportedCipherModes)})");

        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(now.Add(_options.SessionLifetime).ToUnixTimeMilliseconds());
        var unsigned = new SessionOpenResponse
        {
            SessionId = RandomNumberGenerator.GetBytes(ProtocolConstants.SessionIdLength),
            ReceiverIdentity = _identity.PublicKeySpki,
            ReceiverEphemeral = P256.EncodeUncompressed(ephemeral.ExportParameters(false)),
            ReceiverNonce = RandomNumberGenerator.GetBytes(ProtocolConstants.HandshakeNonceLength),
            ExpiresUnixMs = (ulong)expires.ToUnixTimeMilliseconds(),
            MaxImagePixels = _options.MaxImagePixels,
        };
        var transcript = Transcript.EncodeFull(request, unsigned);
        var response = unsigned with { ReceiverSignature = _identity.Sign(transcript) };

        var z = HandshakeChecks.Agree(ephemeral, peerPoint);
        var sessionKey = KeySchedule.DeriveSessionKey(z, transcript);
        CryptographicOperations.ZeroMemory(z);
        var keys = SessionKeys.FromSessionKey(sessionKey, response.SessionId);
        CryptographicOperations.ZeroMemory(sessionKey);
        var session = new Session(SessionRole.Responder, response.SessionId, keys, sender, request.ModelName, request.ModelId,
            request.CipherMode, expires, response.MaxImagePixels, SHA256.HashData(transcript));
        return new HandshakeAcceptance(session, response, entry);
    }
}
