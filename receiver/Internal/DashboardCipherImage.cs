using SecureTransmit.Imaging;

namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// Draws ciphertext bytes as an 8-bit grayscale picture: byte i is pixel (i mod W, i div W), row-major,
/// W = ceil(sqrt(n)) capped at <see cref="MaxWidth"/>, H = ceil(n / W); the unused tail of the last row is 0 (black).
/// Good ciphertext looks like uniform noise; structure in it would be visible at a glance.
/// </summary>
internal static class DashboardCipherImage
{
    /// <summary>Widest picture drawn (256 × 256 = 64 KiB, the feed's preview size).</summary>
    public const int MaxWidth = 256;

    public static (int Width, int Height) Layout(int byteCount)
    {
        if (byteCount <= 0) return (1, 1);
        int w = (int)Math.Ceiling(Math.Sqrt(byteCount));
        w = Math.Clamp(w, 1, MaxWidth);
        int h = (byteCount + w - 1) / w;
        return (w, h);
    }

    public static Image Render(ReadOnlySpan<byte> ciphertext)
    {
        var (w, h) = Layout(ciphertext.Length);
        var pixels = new byte[w * h];
        ciphertext.CopyTo(pixels);
        return new Image(w, h, 1, pixels);
    }

    /// <summary>The picture as PNG. Level 1: ciphertext does not compress, so spend no time trying.</summary>
    public static byte[] RenderPng(ReadOnlySpan<byte> ciphertext) =>
        PngEncoder.Encode(Render(ciphertext), new PngEncoderOptions { CompressionLevel = 1, Filter = PngFilter.None });
}
