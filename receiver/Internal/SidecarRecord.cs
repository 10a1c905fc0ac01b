using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// The JSON sidecar stored next to each PNG, field by field. It names the sender by fingerprint; it never holds a
/// session id or any key material.
/// </summary>
public sealed record SidecarRecord
{
    [JsonPropertyName("image_id")] public required string ImageId { get; init; }
    [JsonPropertyName("display_name")] public required string DisplayName { get; init; }
    [JsonPropertyName("sender_fingerprint")] public required string SenderFingerprint { get; init; }
    [JsonPropertyName("sequence")] public required ulong Sequence { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("model_id")] public required string ModelId { get; init; }
    [JsonPropertyName("cipher")] public required string Cipher { get; init; }
    [JsonPropertyName("width")] public required int Width { get; init; }
    [JsonPropertyName("height")] public required int Height { get; init; }
    [JsonPropertyName("color_type")] public required string ColorType { get; init; }
    [JsonPropertyName("stored_bit_depth")] public required int StoredBitDepth { get; init; }
    [JsonPropertyName("notes")] public required IReadOnlyList<string> Notes { get; init; }
    [JsonPropertyName("tile")] public required int Tile { get; init; }
    [JsonPropertyName("tiles")] public required int Tiles { get; init; }
    [JsonPropertyName("latent_bytes")] public required long LatentBytes { get; init; }
    [JsonPropertyName("wire_bytes")] public required long WireBytes { get; init; }
    [JsonPropertyName("png_bytes")] public required long PngBytes { get; init; }
    [JsonPropertyName("original_png_bytes")] public required ulong OriginalPngBytes { get; init; }
    [JsonPropertyName("ratio_vs_png")] public double? RatioVsPng { get; init; }
    [JsonPropertyName("bpp")] public required double Bpp { get; init; }
    [JsonPropertyName("receive_ms")] public required double ReceiveMs { get; init; }
    [JsonPropertyName("decrypt_ms")] public required double DecryptMs { get; init; }
    [JsonPropertyName("decode_ms")] public required double DecodeMs { get; init; }
    [JsonPropertyName("png_ms")] public required double PngMs { get; init; }
    [JsonPropertyName("received_at")] public required string ReceivedAt { get; init; }
    [JsonPropertyName("psnr")] public double? Psnr { get; init; }
    [JsonPropertyName("ssim")] public double? Ssim { get; init; }

    /// <summary>The record as a JSON object (what the store writes and the dashboard serves).</summary>
    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this)!.AsObject();
}
