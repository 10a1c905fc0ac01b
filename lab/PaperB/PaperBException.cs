namespace SecureTransmit.Lab.PaperB;

/// <summary>A problem with the inputs or settings of the paper-B reproduction (bad option, missing or odd image).</summary>
internal sealed class PaperBException(string message) : Exception(message);
