namespace SecureTransmit.Codec;

/// <summary>A packet or image that cannot be encoded or decoded; the message names the problem in one line.</summary>
public class CodecException(string message, Exception? inner = null) : Exception(message, inner);
