namespace SecureTransmit.Metrics;

/// <summary>Rate helpers for rate–distortion reporting.</summary>
public static class Rate
{
    /// <summary>Bits per pixel: 8 · <paramref name="byteCount"/> / (width · height). Counts pixels, not samples.</summary>
    public static double BitsPerPixel(long byteCount, int width, int height)
    {
        if (byteCount < 0) throw new MetricsException($"bpp: byte count must be non-negative (got {byteCount})");
        if (width <= 0 || height <= 0) throw new MetricsException($"bpp: width and height must be positive (got {width}x{height})");
        return 8.0 * byteCount / ((double)width * height);
    }

    /// <summary>Compression ratio raw / compressed, e.g. W·H·C bytes over the payload size; +∞ for 0 bytes.</summary>
    public static double CompressionRatio(long rawBytes, long compressedBytes)
    {
        if (rawBytes < 0 || compressedBytes < 0) throw new MetricsException($"compression ratio: sizes must be non-negative (got {rawBytes}, {compressedBytes})");
        return compressedBytes == 0 ? double.PositiveInfinity : (double)rawBytes / compressedBytes;
    }
}
