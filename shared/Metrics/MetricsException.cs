namespace SecureTransmit.Metrics;

/// <summary>
/// The one exception type this library throws for bad input: mismatched buffer lengths, non-positive
/// sizes, unsupported channel counts, out-of-range options. The message is one line that names the
/// argument and the problem, e.g. <c>SSIM: buffers differ in length (768 vs 767)</c>.
/// </summary>
public sealed class MetricsException : Exception
{
    public MetricsException(string message) : base(message) { }

    public MetricsException(string message, Exception? innerException) : base(message, innerException) { }
}
