namespace SecureTransmit.Lab.Experiments;

/// <summary>A problem with an experiment's input or environment (bad profile, missing folder or tool); the message is one line.</summary>
internal sealed class ExperimentException(string message, Exception? inner = null) : Exception(message, inner);
