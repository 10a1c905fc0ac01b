using System.Security.Cryptography;
using SecureTransmit.Security.Internal;

namespace SecureTransmit.Security;

/// <summary>
/// Sender side of the session handshake. The constructor prepares and signs the
/// <see cref="Request"/> (send it as OpenSessionRequest); <see cref="Complete"/> checks the
/// OpenSessionResponse (receiver signature, pinned receiver fingerprint, expiry) and derives the keys.
/// One instance runs one handshake.
/// </summary>
public sealed class HandshakeInitiator : IDisposable
{
    private readonly Fingerprint _expectedReceiver;
    private readonly HandshakeOptions _options;
    private ECDiffieHellman? _ephemeral;

    /// <param name="identity">The sender's long-term identity (signs the request).</param>
    /// <param name="expectedReceiver">Pinned receiver fingerprint; any other receiver is refused.</param>
    /// <param name="modelName">Decoder model name, e.g. "cae-compact" (1..128 UTF-8 bytes).</param>
    /// <param name="modelId">SHA-256 of the decoder weights (32 bytes).</param>
    /// <param name="cipherMode">"logistic" or "aes-256-gcm".</param>
    /// <param name="options">Clock and skew; defaults when null.</param>
    public HandshakeInitiator(Identity identity, Fingerprint expectedReceiver, string modelName, ReadOnlySpan<byte> modelId,
        string cipherMode, HandshakeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(expectedReceiver);
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        if (System.Text.Encoding.UTF8.GetByteCount(modelName) > ProtocolConstants.MaxNameLength)
            throw new ArgumentException($"model name longer than {ProtocolConstants.MaxNameLength} UTF-8 bytes", nameof(modelName));
        if (modelId.Length != ProtocolConstants.ModelIdLength)
            throw new ArgumentException($"model id must be {ProtocolConstants.ModelIdLength} bytes (SHA-256), got {modelId.Length}", nameof(modelId));
        if (!CipherModes.TryGet(cipherMode, out _))
            throw new ArgumentException($"unknown cipher mode '{cipherMode}' (known: {string.Join(", ", CipherModes.All)})", nameof(cipherMode));

        _expectedReceiver = expectedReceiver;
        _options = options ?? new HandshakeOptions();
        _ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

        var unsigned = new SessionOpenRequest
        {
            ProtocolVersion = ProtocolConstants.ProtocolVersion,
            SenderIdentity = identity.PublicKeySpki,
            SenderEphemeral = P256.EncodeUncompressed(_ephemeral.ExportParameters(false)),
            SenderNonce = RandomNumberGenerator.GetBytes(ProtocolConstants.HandshakeNonceLength),
            ModelName = modelName,
            ModelId = modelId.ToArray(),
            CipherMode = cipherMode,
            TimestampUnixMs = (ulong)_options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
            ReceiverFingerprint = expectedReceiver.ToArray(),
        };
        Request = unsigned with { SenderSignature = identity.Sign(Transcript.EncodeRequest(unsigned)) };
    }

    /// <summary>The signed request to send.</summary>
    public SessionOpenRequest Request { get; }

    /// <summary>Verifies the response and returns the session.</summary>
    /// <exception cref="HandshakeException">
    /// <see cref="HandshakeFailureReason.Malformed"/> (bad field), <see cref="HandshakeFailureReason.WrongPeer"/>
    /// (receiver is not the pinned identity), <see cref="HandshakeFailureReason.BadSignature"/>,
    /// <see cref="HandshakeFailureReason.Expired"/> (expiry already past).
    /// </exception>
    public Session Complete(SessionOpenResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var ephemeral = _ephemeral ?? throw new InvalidOperationException("this handshake was already completed or disposed");
        try
        {
            HandshakeChecks.Length(response.SessionId, ProtocolConstants.SessionIdLength, "session_id");
            HandshakeChecks.Length(response.ReceiverNonce, ProtocolConstants.HandshakeNonceLength, "receiver_nonce");
            HandshakeChecks.Length(response.ReceiverSignature, ProtocolConstants.SignatureLength, "receiver_signature");
            var peerPoint = HandshakeChecks.Ephemeral(response.ReceiverEphemeral, "receiver_ephemeral");
            var receiver = HandshakeChecks.Identity(response.ReceiverIdentity, "receiver_identity");
            if (response.MaxImagePixels == 0) throw HandshakeChecks.Malformed("max_image_pixels is 0");

            if (!receiver.Fingerprint.Equals(_expectedReceiver))
                throw new HandshakeException(HandshakeFailureReason.WrongPeer,
                    $"the receiver's identity {receiver.Fingerprint.Hex} is not the pinned {_expectedReceiver.Hex}");

            var transcript = Transcript.EncodeFull(Request, response);
            if (!receiver.Verify(transcript, response.ReceiverSignature))
                throw new HandshakeException(HandshakeFailureReason.BadSignature,
                    "the receiver's signature over the handshake transcript does not verify");

            var expires = HandshakeChecks.FromUnixMs(response.ExpiresUnixMs);
            var now = _options.TimeProvider.GetUtcNow();
            if (expires <= now)
                throw new HandshakeException(HandshakeFailureReason.Expired,
                    $"the session expires at {expires:O}, which is not after now ({now:O})");

            var z = HandshakeChecks.Agree(ephemeral, peerPoint);
            var sessionKey = KeySchedule.DeriveSessionKey(z, transcript);
            CryptographicOperations.ZeroMemory(z);
            var keys = SessionKeys.FromSessionKey(sessionKey, response.SessionId);
            CryptographicOperations.ZeroMemory(sessionKey);
            return new Session(SessionRole.Initiator, response.SessionId, keys, receiver, Request.ModelName, Request.ModelId,
                Request.CipherMode, expires, response.MaxImagePixels, SHA256.HashData(transcript));
        }
        finally
        {
            ephemeral.Dispose();
            _ephemeral = null;
        }
    }

    public void Dispose()
    {
        _ephemeral?.Dispose();
        _ephemeral = null;
    }
}
