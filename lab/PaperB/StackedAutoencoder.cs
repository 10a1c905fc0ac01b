using SecureTransmit.Neural;
using SecureTransmit.Neural.Layers;

namespace SecureTransmit.Lab.PaperB;

/// <summary>Where the paper takes its compressed representation from.</summary>
internal enum SaeLevel
{
    /// <summary>The 16-unit layer h1: 64 → 16, compression ratio 4:1.</summary>
    Ratio4 = 16,

    /// <summary>The 4-unit layer h2: 64 → 16 → 4, compression ratio 16:1.</summary>
    Ratio16 = 4,
}

/// <summary>Which part of the training a progress report belongs to.</summary>
internal enum SaeStage
{
    /// <summary>Greedy pre-training of the first autoencoder, 64→16→64.</summary>
    Pretrain1,

    /// <summary>Greedy pre-training of the second autoencoder, 16→4→16, on the first layer's codes.</summary>
    Pretrain2,

    /// <summary>Fine-tuning of the whole stack 64→16→4→16→64 by backpropagation.</summary>
    FineTune,
}

/// <summary>
/// Paper B's five-layer stacked autoencoder on 8×8 patches with sigmoid units: encoder X(64) → h1(16) → h2(4),
/// decoder the mirror h2(4) → h1'(16) → X'(64). The two autoencoders of greedy pre-training share their layers
/// with the stack, so after fine-tuning the 4:1 path (X → h1 → X') is the paper's "new model with only the
/// layers {X, h1}" that shares the fine-tuned parameters.
/// <para>
/// Parameters (PyTorch naming): <c>enc1.0</c> Linear 64→16, <c>enc2.0</c> Linear 16→4, <c>dec2.0</c> Linear 4→16,
/// <c>dec1.0</c> Linear 16→64, each followed by a Sigmoid. Values are in [0, 1] (pixels / 255).
/// </para>
/// </summary>
internal sealed class StackedAutoencoder
{
    /// <summary>Units of the input layer: one 8×8 patch of one colour plane.</summary>
    public const int InputUnits = 64;

    /// <summary>Side of the square patch.</summary>
    public const int PatchSize = 8;

    /// <param name="init">Generator of the initial weights (PyTorch's default rules); the same seed gives the same model.</param>
    public StackedAutoencoder(Init init)
    {
        ArgumentNullException.ThrowIfNull(init);
        Encoder1 = new Sequential(new Linear(InputUnits, 16, init: init), new Sigmoid());
        Encoder2 = new Sequential(new Linear(16, 4, init: init), new Sigmoid());
        Decoder2 = new Sequential(new Linear(4, 16, init: init), new Sigmoid());
        Decoder1 = new Sequential(new Linear(16, InputUnits, init: init), new Sigmoid());
    }

    /// <summary>X → h1: Linear 64→16, Sigmoid.</summary>
    public Sequential Encoder1 { get; }

    /// <summary>h1 → h2: Linear 16→4, Sigmoid.</summary>
    public Sequential Encoder2 { get; }

    /// <summary>h2 → h1': Linear 4→16, Sigmoid (mirror of <see cref="Encoder2"/>).</summary>
    public Sequential Decoder2 { get; }

    /// <summary>h1 → X': Linear 16→64, Sigmoid (mirror of <see cref="Encoder1"/>).</summary>
    public Sequential Decoder1 { get; }

    /// <summary>Every parameter, named as a PyTorch state_dict of the stack would name it.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters() =>
        Encoder1.NamedParameters("enc1.").Concat(Encoder2.NamedParameters("enc2."))
            .Concat(Decoder2.NamedParameters("dec2.")).Concat(Decoder1.NamedParameters("dec1."));

    /// <summary>A copy with the same parameter values (independent of this one).</summary>
    public StackedAutoencoder Clone()
    {
        var copy = new StackedAutoencoder(new Init(0));
        foreach (var ((_, from), (_, to)) in NamedParameters().Zip(copy.NamedParameters()))
            from.Value.Span.CopyTo(to.Value.Span);
        return copy;
    }

    /// <summary>Latent units per patch at a level: 16 or 4.</summary>
    public static int LatentUnits(SaeLevel level) => level switch
    {
        SaeLevel.Ratio4 => 16,
        SaeLevel.Ratio16 => 4,
        _ => throw new PaperBException($"unknown level {level}"),
    };

    /// <summary>Patches [n·64] in [0, 1] → codes [n·16] (4:1) or [n·4] (16:1), in [0, 1].</summary>
    public float[] Encode(float[] patches, SaeLevel level)
    {
        var h1 = Infer(Encoder1, patches, InputUnits);
        return level == SaeLevel.Ratio4 ? h1 : Infer(Encoder2, h1, 16);
    }

    /// <summary>Codes [n·16] or [n·4] → patches [n·64].</summary>
    public float[] Decode(float[] codes, SaeLevel level)
    {
        var h1 = level == SaeLevel.Ratio4 ? codes : Infer(Decoder2, codes, 4);
        return Infer(Decoder1, h1, 16);
    }

    /// <summary>Runs a part in inference mode on [n·inUnits] values and returns a fresh array.</summary>
    internal static float[] Infer(Module part, float[] values, int inUnits)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0 || values.Length % inUnits != 0)
            throw new PaperBException($"expected a positive multiple of {inUnits} values, got {values.Length}");
        bool training = part.Training, reuse = part.BufferReuse;
        part.Eval();
        part.ReuseBuffers(false);
        try
        {
            var y = part.Forward(new Tensor(values, values.Length / inUnits, inUnits));
            return y.Span.ToArray();
        }
        finally
        {
            part.Train(training);
            part.ReuseBuffers(reuse);
        }
    }
}
