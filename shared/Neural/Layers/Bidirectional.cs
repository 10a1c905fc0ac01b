namespace SecureTransmit.Neural.Layers;

/// <summary>
/// Keras-style spelling of a bidirectional recurrent layer. <c>Bidirectional(GRU(units))</c> in Keras
/// and <c>nn.GRU(..., bidirectional=True)</c> in PyTorch are the same computation: a forward and a
/// reverse GRU over the same input, outputs concatenated on the feature axis (forward half first).
/// Here that is one <see cref="GRU"/> module holding both directions, so its parameters carry
/// PyTorch's state_dict names (<c>weight_ih_l0</c> … <c>bias_hh_l0_reverse</c>).
/// </summary>
public static class Bidirectional
{
    /// <summary>
    /// A bidirectional GRU: [N, T, inputSize] → [N, T, 2·units] with <paramref name="returnSequences"/>
    /// (Keras <c>return_sequences=True</c>, the default here), else the two final states [N, 2·units].
    /// </summary>
    public static GRU Gru(int inputSize, int units, bool returnSequences = true, Init? init = null)
        => new(inputSize, units, bidirectional: true, returnSequences: returnSequences, init: init);
}
