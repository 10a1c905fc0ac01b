namespace SecureTransmit.Imaging;

/// <summary>
/// Limits every decoder applies before it allocates, so that a hostile file cannot make it allocate
/// without bound. Exceeding a limit is an <see cref="ImageFormatException"/>.
/// </summary>
public class ImageDecoderOptions
{
    /// <summary>Default for <see cref="MaxPixels"/>: 2^28 = 268,435,456 pixels (256 Mpx).</summary>
    public const long DefaultMaxPixels = 1L << 28;

    private long _maxPixels = DefaultMaxPixels;

    /// <summary>Largest width × height accepted. Default <see cref="DefaultMaxPixels"/>; must be ≥ 1.</summary>
    public long MaxPixels
    {
        get => _maxPixels;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1L);
            _maxPixels = value;
        }
    }

    /// <summary>Shared instance holding the defaults; do not modify it.</summary>
    internal static readonly ImageDecoderOptions Default = new();
}

/// <summary>PNG decoder limits: <see cref="ImageDecoderOptions.MaxPixels"/> plus the inflated-size cap.</summary>
public sealed class PngDecoderOptions : ImageDecoderOptions
{
    /// <summary>Default for <see cref="MaxDecompressedBytes"/>: 2^30 bytes (1 GiB).</summary>
    public const long DefaultMaxDecompressedBytes = 1L << 30;

    private long _maxDecompressedBytes = DefaultMaxDecompressedBytes;

    /// <summary>
    /// Largest size of the inflated IDAT stream (filter bytes included) that IHDR may imply.
    /// The decoder also never inflates more than IHDR implies, so a zlib "bomb" stops there.
    /// Default <see cref="DefaultMaxDecompressedBytes"/>; must be ≥ 1.
    /// </summary>
    public long MaxDecompressedBytes
    {
        get => _maxDecompressedBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1L);
            _maxDecompressedBytes = value;
        }
    }

    internal static new readonly PngDecoderOptions Default = new();

    internal static PngDecoderOptions From(ImageDecoderOptions? options) => options switch
    {
        null => Default,
        PngDecoderOptions png => png,
        _ => new PngDecoderOptions { MaxPixels = options.MaxPixels },
    };
}
