namespace SecureTransmit.Security.Internal;

/// <summary>Domain-separation labels (ASCII). Listed in SECURITY.md; changing one breaks the protocol.</summary>
internal static class Labels
{
    public static ReadOnlySpan<byte> TranscriptOpen => "securetransmit/v2/open"u8;
    public static ReadOnlySpan<byte> TranscriptAccept => "securetransmit/v2/accept"u8;
    public static ReadOnlySpan<byte> SubkeyUpload => "securetransmit/v2 subkey upload"u8;
    public static ReadOnlySpan<byte> SubkeyMetadata => "securetransmit/v2 subkey metadata"u8;
    public static ReadOnlySpan<byte> SubkeyReceipt => "securetransmit/v2 subkey receipt"u8;
    public static ReadOnlySpan<byte> UploadHello => "securetransmit/v2 upload"u8;
    public static ReadOnlySpan<byte> MetadataAad => "securetransmit/v2 metadata"u8;
    public static ReadOnlySpan<byte> ReceiptAad => "securetransmit/v2 receipt"u8;
    public static ReadOnlySpan<byte> SessionKeysInfo => "securetransmit/v1 session keys"u8;
    public static ReadOnlySpan<byte> SubkeyKeyWrap => "securetransmit/v1 subkey key-wrap"u8;
    public static ReadOnlySpan<byte> SubkeyPacketMac => "securetransmit/v1 subkey packet-mac"u8;
    public static ReadOnlySpan<byte> SubkeyAesGcm => "securetransmit/v1 subkey aes-256-gcm"u8;
    public static ReadOnlySpan<byte> SubkeyLogistic => "securetransmit/v1 subkey logistic"u8;
    public static ReadOnlySpan<byte> LogisticImageInfo => "securetransmit/v1 logistic"u8;
    public static ReadOnlySpan<byte> LogisticParams => "securetransmit/v1 logistic params"u8;
    public static ReadOnlySpan<byte> KeyWrapAad => "securetransmit/v1 key-wrap"u8;
    public static ReadOnlySpan<byte> PacketMac => "securetransmit/v1 packet-mac"u8;
}
