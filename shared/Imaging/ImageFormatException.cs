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

    public ImageFormatException(string message, Exception? innerException) : base(message, innerException) { }
}
