namespace SecureTransmit.Security.Internal;

/// <summary>
/// Canonical handshake transcript encoding (SECURITY.md, "Handshake"). Every element is
/// item(b) = u32be(len(b)) || b, so no two field sequences encode to the same bytes.
/// </summary>
internal static class Transcript
{
    /// <summary>
    /// T_req = item("securetransmit/v2/open") || item(u32be(version)) || item(sender_identity)
    ///      || item(sender_ephemeral) || item(sender_nonce) || item(utf8(model_name)) || item(model_id)
    ///      || item(utf8(cipher_mode)) || item(u64be(timestamp_unix_ms)) || item(receiver_fingerprint).
    /// </summary>
    public static byte[] EncodeRequest(SessionOpenRequest r) =>
        new ByteBuilder(512)
            .Item(Labels.TranscriptOpen)
            .ItemU32(r.ProtocolVersion)
            .Item(r.SenderIdentity)
            .Item(r.SenderEphemeral)
            .Item(r.SenderNonce)
            .ItemUtf8(r.ModelName)
            .Item(r.ModelId)
            .ItemUtf8(r.CipherMode)
            .ItemU64(r.TimestampUnixMs)
            .Item(r.ReceiverFingerprint)
            .ToArray();

    /// <summary>
    /// T_resp = item("securetransmit/v2/accept") || item(session_id) || item(receiver_identity)
    ///       || item(receiver_ephemeral) || item(receiver_nonce) || item(u64be(expires_unix_ms))
    ///       || item(u32be(max_image_pixels)).
    /// </summary>
    public static byte[] EncodeResponsePart(SessionOpenResponse r) =>
        new ByteBuilder(512)
            .Item(Labels.TranscriptAccept)
            .Item(r.SessionId)
            .Item(r.ReceiverIdentity)
            .Item(r.ReceiverEphemeral)
            .Item(r.ReceiverNonce)
            .ItemU64(r.ExpiresUnixMs)
            .ItemU32(r.MaxImagePixels)
            .ToArray();

    /// <summary>T = T_req || T_resp: what the receiver signs and what the keys are bound to.</summary>
    public static byte[] EncodeFull(SessionOpenRequest request, SessionOpenResponse response) =>
        [.. EncodeRequest(request), .. EncodeResponsePart(response)];
}
