using SecureTransmit.Neural.Layers;

namespace SecureTransmit.Neural.Models;

/// <summary>
/// The convolutional autoencoders of paper A ("Secure Image Reconstruction using Deep Learning-based
/// Autoencoder with Integrated Encryption Layers", §2.1) on 32×32 RGB tiles in [0, 1]: three
/// Conv(3×3, same)+ReLU+MaxPool(2) stages 3→32→16→8 channels take the tile to a 4×4×8 map; a dense
/// "encryption" layer (128 units) makes the latent; a dense "decryption" layer (256 units) and a mirrored
/// Conv+ReLU+Upsample(2) decoder with a sigmoid output rebuild the tile.
/// </summary>
public static class Cae
{
    /// <summary>
    /// <c>cae-compact</c>: the reference reading where the dense layers act on the flattened map, giving a
    /// compact 128-value latent (24:1 before quantization).
    /// </summary>
    public static ModelSpec Compact { get; } = new(
        "cae-compact", 32, 3, [128], init => CompactEncoder(init), init => CompactDecoder(init),
        """
        cae-compact (paper A CAE, dense layers on the flattened map), tile [3,32,32] -> latent [128]
          encoder: 0 Conv2d 3->32 3x3 same [32,32,32], 1 ReLU, 2 MaxPool2d(2) [32,16,16],
                   3 Conv2d 32->16 [16,16,16], 4 ReLU, 5 MaxPool2d [16,8,8],
                   6 Conv2d 16->8 [8,8,8], 7 ReLU, 8 MaxPool2d [8,4,4],
                   9 Flatten [128], 10 Linear 128->128 ("encryption"), 11 ReLU -> latent [128]
          decoder: 0 Linear 128->256 ("decryption"), 1 ReLU, 2 Reshape [16,4,4],
                   3 Conv2d 16->16 [16,4,4], 4 ReLU, 5 Upsample x2 [16,8,8],
                   6 Conv2d 16->32 [32,8,8], 7 ReLU, 8 Upsample [32,16,16],
                   9 Conv2d 32->32 [32,16,16], 10 ReLU, 11 Upsample [32,32,32],
                   12 Conv2d 32->3 [3,32,32], 13 Sigmoid
        """);

    /// <summary>
    /// <c>cae-paper</c>: the faithful Keras reading. A Keras <c>Dense</c> applied to a 4×4×8 channels-last
    /// map acts on the last (channel) axis of every pixel, so "encryption" is a per-pixel 8→128 map and the
    /// latent is [128,4,4] = 2048 values (1.5:1 before quantization); "decryption" is per-pixel 128→256.
    /// The decoder convolutions mirror the encoder's filter counts (8, 16, 32) as a Keras CAE decoder does,
    /// then a 3-filter sigmoid convolution.
    /// </summary>
    public static ModelSpec Paper { get; } = new(
        "cae-paper", 32, 3, [128, 4, 4], init => PaperEncoder(false, init), init => PaperDecoder(false, init),
        """
        cae-paper (paper A CAE, Keras Dense on the 4x4x8 map = per-pixel), tile [3,32,32] -> latent [128,4,4]
          encoder: 0 Conv2d 3->32 3x3 same [32,32,32], 1 ReLU, 2 MaxPool2d(2) [32,16,16],
                   3 Conv2d 32->16 [16,16,16], 4 ReLU, 5 MaxPool2d [16,8,8],
                   6 Conv2d 16->8 [8,8,8], 7 ReLU, 8 MaxPool2d [8,4,4],
                   9 PointwiseLinear 8->128 ("encryption", Dense 128) [128,4,4], 10 ReLU -> latent [128,4,4]
          decoder: 0 PointwiseLinear 128->256 ("decryption", Dense 256) [256,4,4], 1 ReLU,
                   2 Conv2d 256->8 [8,4,4], 3 ReLU, 4 Upsample x2 [8,8,8],
                   5 Conv2d 8->16 [16,8,8], 6 ReLU, 7 Upsample [16,16,16],
                   8 Conv2d 16->32 [32,16,16], 9 ReLU, 10 Upsample [32,32,32],
                   11 Conv2d 32->3 [3,32,32], 12 Sigmoid
        """);

    /// <summary>
    /// <c>cae-paper-bn</c>: <c>cae-paper</c> with BatchNorm2d after each hidden convolution, before its ReLU
    /// (the paper's "auxiliary" model). The output convolution has none: in Keras its sigmoid is the layer's
    /// own activation, so nothing sits between them.
    /// </summary>
    public static ModelSpec PaperBatchNorm { get; } = new(
        "cae-paper-bn", 32, 3, [128, 4, 4], init => PaperEncoder(true, init), init => PaperDecoder(true, init),
        """
        cae-paper-bn (cae-paper + BatchNorm2d after every hidden conv), tile [3,32,32] -> latent [128,4,4]
          encoder: 0 Conv2d 3->32 [32,32,32], 1 BatchNorm2d(32), 2 ReLU, 3 MaxPool2d [32,16,16],
                   4 Conv2d 32->16 [16,16,16], 5 BatchNorm2d(16), 6 ReLU, 7 MaxPool2d [16,8,8],
                   8 Conv2d 16->8 [8,8,8], 9 BatchNorm2d(8), 10 ReLU, 11 MaxPool2d [8,4,4],
                   12 PointwiseLinear 8->128 [128,4,4], 13 ReLU -> latent [128,4,4]
          decoder: 0 PointwiseLinear 128->256 [256,4,4], 1 ReLU,
                   2 Conv2d 256->8 [8,4,4], 3 BatchNorm2d(8), 4 ReLU, 5 Upsample [8,8,8],
                   6 Conv2d 8->16 [16,8,8], 7 BatchNorm2d(16), 8 ReLU, 9 Upsample [16,16,16],
                   10 Conv2d 16->32 [32,16,16], 11 BatchNorm2d(32), 12 ReLU, 13 Upsample [32,32,32],
                   14 Conv2d 32->3 [3,32,32], 15 Sigmoid
        """);

    public static Sequential CompactEncoder(Init? init = null) => new(
        new Conv2d(3, 32, 3, init: init), new ReLU(), new MaxPool2d(2),
        new Conv2d(32, 16, 3, init: init), new ReLU(), new MaxPool2d(2),
        new Conv2d(16, 8, 3, init: init), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(128, 128, init: init), new ReLU());

    public static Sequential CompactDecoder(Init? init = null) => new(
        new Linear(128, 256, init: init), new ReLU(), new Reshape(16, 4, 4),
        new Conv2d(16, 16, 3, init: init), new ReLU(), new Upsample(2),
        new Conv2d(16, 32, 3, init: init), new ReLU(), new Upsample(2),
        new Conv2d(32, 32, 3, init: init), new ReLU(), new Upsample(2),
        new Conv2d(32, 3, 3, init: init), new Sigmoid());

    public static Sequential PaperEncoder(bool batchNorm, Init? init = null)
    {
        var s = new Sequential();
        foreach (var (i, o) in new[] { (3, 32), (32, 16), (16, 8) })
        {
            s.Add(new Conv2d(i, o, 3, init: init));
            if (batchNorm) s.Add(new BatchNorm2d(o));
            s.Add(new ReLU());
            s.Add(new MaxPool2d(2));
        }
        s.Add(new PointwiseLinear(8, 128, init: init));
        s.Add(new ReLU());
        return s;
    }

    public static Sequential PaperDecoder(bool batchNorm, Init? init = null)
    {
        var s = new Sequential(new PointwiseLinear(128, 256, init: init), new ReLU());
        foreach (var (i, o) in new[] { (256, 8), (8, 16), (16, 32) })
        {
            s.Add(new Conv2d(i, o, 3, init: init));
            if (batchNorm) s.Add(new BatchNorm2d(o));
            s.Add(new ReLU());
            s.Add(new Upsample(2));
        }
        s.Add(new Conv2d(32, 3, 3, init: init));
        s.Add(new Sigmoid());
        return s;
    }
}

/// <summary>
/// The stacked autoencoders of paper B ("image compression and encryption using SAE and chaotic logistic
/// map") on 8×8 patches: each colour plane's patch is one sample [1,8,8] of 64 values in [0, 1], encoded by
/// sigmoid dense layers 64→16 (→4) and decoded by the mirror image with a sigmoid output.
/// </summary>
public static class Sae
{
    /// <summary><c>sae-4</c>: one hidden layer, 64→16 values per patch (4:1).</summary>
    public static ModelSpec Sae4 { get; } = new(
        "sae-4", 8, 1, [16], init => Encoder(false, init), init => Decoder(false, init),
        """
        sae-4 (paper B stacked autoencoder, CR 4:1), patch [1,8,8] (one colour plane) -> latent [16]
          encoder: 0 Flatten [64], 1 Linear 64->16, 2 Sigmoid -> latent [16]
          decoder: 0 Linear 16->64, 1 Sigmoid, 2 Reshape [1,8,8]
        """);

    /// <summary><c>sae-16</c>: two stacked layers, 64→16→4 values per patch (16:1).</summary>
    public static ModelSpec Sae16 { get; } = new(
        "sae-16", 8, 1, [4], init => Encoder(true, init), init => Decoder(true, init),
        """
        sae-16 (paper B stacked autoencoder, CR 16:1), patch [1,8,8] (one colour plane) -> latent [4]
          encoder: 0 Flatten [64], 1 Linear 64->16, 2 Sigmoid [16], 3 Linear 16->4, 4 Sigmoid -> latent [4]
          decoder: 0 Linear 4->16, 1 Sigmoid [16], 2 Linear 16->64, 3 Sigmoid [64], 4 Reshape [1,8,8]
        """);

    public static Sequential Encoder(bool deep, Init? init = null)
    {
        var s = new Sequential(new Flatten(), new Linear(64, 16, init: init), new Sigmoid());
        if (deep) { s.Add(new Linear(16, 4, init: init)); s.Add(new Sigmoid()); }
        return s;
    }

    public static Sequential Decoder(bool deep, Init? init = null)
    {
        var s = new Sequential();
        if (deep) { s.Add(new Linear(4, 16, init: init)); s.Add(new Sigmoid()); }
        s.Add(new Linear(16, 64, init: init));
        s.Add(new Sigmoid());
        s.Add(new Reshape(1, 8, 8));
        return s;
    }
}
