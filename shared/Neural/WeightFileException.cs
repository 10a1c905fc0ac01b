namespace SecureTransmit.Neural;

/// <summary>
/// A weight or checkpoint file that cannot be used: malformed safetensors, a tensor missing or
/// unexpected, a shape that does not fit the model, or a file made for another architecture.
/// The message names the file and the tensor.
/// </summary>
public sealed class WeightFileException : Exception
{
    public WeightFileException(string message) : base(message) { }

    public WeightFileException(string message, Exception inner) : base(message, inner) { }
}
