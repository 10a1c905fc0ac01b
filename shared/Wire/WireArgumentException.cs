namespace SecureTransmit.Wire;

/// <summary>
/// Bad input handed to the library (an invalid option value, metadata key or value, method definition, address or
/// certificate). The message names the problem in one line. Failed calls are reported as <see cref="RpcException"/>.
/// </summary>
public sealed class WireArgumentException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public WireArgumentException(string message, string? paramName = null, Exception? inner = null)
        : base(message, paramName, inner)
    {
    }
}
