namespace SecureTransmit.Security.Internal;

/// <summary>Domain-separation labels (ASCII). Listed in SECURITY.md; changing one breaks the protocol.</summary>
internal static class Labels
{
    public static ReadOnlySpan<byte> TranscriptOpen => "securetransmit/v1/open"u8;
    public static ReadOnlySpan<byte> TranscriptAccept => "securetransmit/v1/accept"u8;
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
