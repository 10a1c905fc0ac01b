namespace SecureTransmit.Imaging;

/// <summary>
/// The one exception type the decoders and <see cref="ImageIO"/> throw for malformed, unsupported or
/// over-limit image data. The message is a single line that names the format and the problem,
/// e.g. <c>PNG: CRC mismatch in chunk IDAT</c>; <see cref="ImageIO.Load(string, ImageDecoderOptions?)"/>
/// prefixes it with the file path. Low-level causes (truncation, zlib errors, overflow) are kept as
/// <see cref="Exception.InnerException"/> but never escape on their own.
/// </summary>
public sealed class ImageFormatException : Exception
{
    public ImageFormatException(string message) : base(message) { }

    public ImageFormatException(string message, Exception? innerException) : base(message, innerException)
    {
        OverLimit = innerException is ImageFormatException { OverLimit: true };
    }

    /// <summary>
    /// True when the data may be fine but is larger than a decoder limit allows (<see cref="ImageDecoderOptions.MaxPixels"/>
    /// or the PNG inflate cap), so a caller can say "too large" rather than "corrupt". Kept when a message is re-wrapped.
    /// </summary>
    public bool OverLimit { get; init; }
}
