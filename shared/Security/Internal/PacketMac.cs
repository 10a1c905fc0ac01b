using System.Security.Cryptography;

namespace SecureTransmit.Security.Internal;

/// <summary>
/// Logistic-mode packet tag: the first 16 bytes of HMAC-SHA256(K_mac, "securetransmit/v1 packet-mac"
/// || u32be(len(header)) || header || u32be(len(key_block)) || key_block || u64be(len(ct)) || ct).
/// </summary>
internal static class PacketMac
{
    public static void Compute(ReadOnlySpan<byte> macKey, ReadOnlySpan<byte> header, ReadOnlySpan<byte> keyBlock,
        ReadOnlySpan<byte> ciphertext, Span<byte> tag)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, macKey);
        Span<byte> len = stackalloc byte[8];
        hmac.AppendData(Labels.PacketMac);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(len, (uint)header.Length);
        hmac.AppendData(len[..4]);
        hmac.AppendData(header);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(len, (uint)keyBlock.Length);
        hmac.AppendData(len[..4]);
        hmac.AppendData(keyBlock);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(len, (ulong)ciphertext.Length);
        hmac.AppendData(len);
        hmac.AppendData(ciphertext);
        Span<byte> full = stackalloc byte[32];
        hmac.GetHashAndReset(full);
        full[..ProtocolConstants.TagLength].CopyTo(tag);
        CryptographicOperations.ZeroMemory(full);
    }
}
