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
    private readonly AllowList _allowList;
    private readonly HandshakeOptions _options;

    public HandshakeResponder(Identity identity, AllowList allowList, HandshakeOptions? options = null)
    {
        _identity = identity ?? throw new ArgumentNullException(nameof(identity));
        _allowList = allowList ?? throw new ArgumentNullException(nameof(allowList));
        _options = options ?? new HandshakeOptions();
    }

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
        HandshakeChecks.Name(request.ModelName, "model_name");
        HandshakeChecks.Name(request.CipherMode, "cipher_mode");
        var peerPoint = HandshakeChecks.Ephemeral(request.SenderEphemeral, "sender_ephemeral");
        var sender = HandshakeChecks.Identity(request.SenderIdentity, "sender_identity");
        var timestamp = HandshakeChecks.FromUnixMs(request.TimestampUnixMs);

        var requestTranscript = Transcript.EncodeRequest(request);
        if (!sender.Verify(requestTranscript, request.SenderSignature))
            throw new HandshakeException(HandshakeFailureReason.BadSignature,
                "the sender's signature over the request transcript does not verify");

        if (!_allowList.TryGet(sender.Fingerprint, out var entry))
            throw new HandshakeException(HandshakeFailureReason.NotAllowed,
                $"sender {sender.Fingerprint.Hex} is not on this receiver's allow-list");

        var now = _options.TimeProvider.GetUtcNow();
        var skew = (now - timestamp).Duration();
        if (skew > _options.MaxClockSkew)
            throw new HandshakeException(HandshakeFailureReason.Skew,
                $"request timestamp {timestamp:O} is {skew.TotalSeconds:F0} s from the receiver clock {now:O}; at most {_options.MaxClockSkew.TotalSeconds:F0} s allowed");

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
