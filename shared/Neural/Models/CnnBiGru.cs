using SecureTransmit.Neural.Internal;
using SecureTransmit.Neural.Layers;

namespace SecureTransmit.Neural.Models;

/// <summary>
/// <c>cnn-bigru</c>: the hybrid CNN + bidirectional-GRU autoencoder of paper A (section 2.2, Fig. 2),
/// on 32×32 RGB tiles. Shapes are PyTorch's (NCHW for images, [N, T, F] batch-first for sequences);
/// the paper's model is Keras (channels-last), and the two reshapes below reproduce Keras' element order
/// with explicit permutations.
/// <code>
/// encoder                                              shape after the layer
///   input                                              [N,  3, 32, 32]
///   conv1       Conv2d(3→32, 3×3, same) + ReLU         [N, 32, 32, 32]
///   pool1       MaxPool2d(2)                           [N, 32, 16, 16]
///   conv2       Conv2d(32→64, 3×3, same) + ReLU        [N, 64, 16, 16]
///   pool2       MaxPool2d(2)                           [N, 64,  8,  8]
///   to_sequence NCHW → NHWC, flatten, view (16, 256)   [N, 16, 256]
///   gru1        bidirectional GRU(256→128), sequences  [N, 16, 256]   (forward ‖ reverse)
///   encryption  Linear(256→128) per step + ReLU        [N, 16, 128]   = the latent, 2048 values
/// decoder
///   decryption  Linear(128→256) per step + ReLU        [N, 16, 256]
///   gru2        bidirectional GRU(256→128), sequences  [N, 16, 256]
///   to_image    view (16, 16, 16) channels-last → NCHW [N, 16, 16, 16]
///   conv3       Conv2d(16→64, 3×3, same) + ReLU        [N, 64, 16, 16]
///   up          Upsample ×2 (nearest)                  [N, 64, 32, 32]
///   conv4       Conv2d(64→32, 3×3, same) + ReLU        [N, 32, 32, 32]
///   conv5       Conv2d(32→3, 3×3, same) + Sigmoid      [N,  3, 32, 32]
/// </code>
/// <para>Why these shapes:</para>
/// <list type="bullet">
/// <item>Paper: conv 32 filters 3×3 ReLU, max pooling, conv 64 filters, max pooling → for a 32×32 tile
/// an 8×8×64 map (4096 values), "flattened and reshaped into (16, 256)". In Keras that is
/// <c>Reshape((16, 256))</c> of the channels-last map: the flat index is (h·8 + w)·64 + c, so time step
/// t = 0..15 holds the 4 pixels h = t / 2, w = 4·(t mod 2) … +3 of half an image row, 64 channels each.
/// <c>to_sequence</c> does exactly that permutation (NCHW → NHWC, then a view).</item>
/// <item>Paper: "Bidirectional GRU layer consisting of 128 units" before a dense layer that maps to
/// "128 units": the GRU keeps return_sequences (so the dense sees a sequence), giving [N, 16, 2·128].</item>
/// <item>A Keras <c>Dense</c> on a [N, 16, 256] tensor acts on the last axis of every step, so the
/// "encryption" layer (128 units, ReLU) makes a latent of 16 × 128 = 2048 values per tile
/// (compression 3072 / 2048 = 1.5 before quantization). Being a ReLU output it is non-negative.</item>
/// <item>"A second decryption layer with 256 units symmetrically re-expands these features": per step
/// 128 → 256. The paper names no activation; ReLU is used, mirroring the encryption layer.</item>
/// <item>"A second Bidirectional GRU … reformats the decoded features into (16, 16, 16)": 16 steps ×
/// 256 = 4096 = 16·16·16, read channels-last, so time step t becomes image row h = t (16 pixels × 16
/// channels). <c>to_image</c> views [N, 16, 256] as NHWC [N, 16, 16, 16] and permutes to NCHW.</item>
/// <item>The paper's decoder is "convolutional layers and UpSampling … concluding convolutional layer
/// with three filters and a sigmoid": one upsampling restores 16 → 32. Filters 64 then 32 mirror the
/// encoder; the sigmoid gives pixels in [0, 1] (inputs are normalized to [0, 1]).</item>
/// </list>
/// <para>
/// State_dict keys (encoder): conv1.weight, conv1.bias, conv2.weight, conv2.bias, gru1.weight_ih_l0,
/// gru1.weight_hh_l0, gru1.bias_ih_l0, gru1.bias_hh_l0, gru1.*_reverse, encryption.weight, encryption.bias;
/// (decoder): decryption.weight, decryption.bias, gru2.*, conv3.*, conv4.*, conv5.*.
/// </para>
/// </summary>
public static class CnnBiGru
{
    public const string Name = "cnn-bigru";
    public const int TileSize = 32;

    /// <summary>Time steps of both GRUs.</summary>
    public const int Steps = 16;

    /// <summary>Latent features per time step (the encryption layer's units).</summary>
    public const int LatentFeatures = 128;

    private const int GruUnits = 128;

    public static ModelSpec Spec { get; } = new(
        Name, TileSize, inputChannels: 3, latentShape: [Steps, LatentFeatures],
        () => CreateEncoder(), () => CreateDecoder(),
        "cnn-bigru (paper A, CNN + BiGRU autoencoder), 32x32x3 tile -> latent [16,128]:\n" +
        "  encoder: conv1 3->32 3x3 ReLU [32,32,32], pool1 [32,16,16], conv2 32->64 3x3 ReLU [64,16,16], pool2 [64,8,8],\n" +
        "           to_sequence NHWC-flatten -> [16,256], gru1 BiGRU(128) -> [16,256], encryption Dense 128 ReLU -> [16,128]\n" +
        "  decoder: decryption Dense 256 ReLU -> [16,256], gru2 BiGRU(128) -> [16,256], to_image (16,16,16) NHWC -> [16,16,16],\n" +
        "           conv3 16->64 ReLU [64,16,16], up x2 [64,32,32], conv4 64->32 ReLU [32,32,32], conv5 32->3 Sigmoid [3,32,32]");

    /// <summary>A fresh encoder: [N, 3, 32, 32] → [N, 16, 128].</summary>
    public static Sequential CreateEncoder(Init? init = null) => new(
        ("conv1", new Conv2d(3, 32, 3, init: init)),
        ("relu1", new ReLU()),
        ("pool1", new MaxPool2d(2)),
        ("conv2", new Conv2d(32, 64, 3, init: init)),
        ("relu2", new ReLU()),
        ("pool2", new MaxPool2d(2)),
        ("to_sequence", new ChannelsLastToSequence(Steps)),
        ("gru1", new GRU(256, GruUnits, bidirectional: true, init: init)),
        ("encryption", new Linear(2 * GruUnits, LatentFeatures, init: init)),
        ("relu3", new ReLU()));

    /// <summary>A fresh decoder: [N, 16, 128] → [N, 3, 32, 32].</summary>
    public static Sequential CreateDecoder(Init? init = null) => new(
        ("decryption", new Linear(LatentFeatures, 256, init: init)),
        ("relu1", new ReLU()),
        ("gru2", new GRU(256, GruUnits, bidirectional: true, init: init)),
        ("to_image", new SequenceToChannelsFirst(16, 16, 16)),
        ("conv3", new Conv2d(16, 64, 3, init: init)),
        ("relu2", new ReLU()),
        ("up", new Upsample(2)),
        ("conv4", new Conv2d(64, 32, 3, init: init)),
        ("relu3", new ReLU()),
        ("conv5", new Conv2d(32, 3, 3, init: init)),
        ("sigmoid", new Sigmoid()));
}

/// <summary>
/// [N, C, H, W] → [N, T, H·W·C / T]: the map is read channels-last (NHWC, as Keras holds it), flattened
/// and viewed as T steps, i.e. out[n, t, f] with flat index t·F + f = (h·W + w)·C + c taken from
/// in[n, c, h, w]. Equals Keras <c>Reshape((T, F))</c> on a channels-last map. Backward is the inverse permutation.
/// </summary>
public sealed class ChannelsLastToSequence : Module
{
    private int[]? _inputShape;
    private float[]? _outCache, _gradCache;

    public ChannelsLastToSequence(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        Steps = steps;
    }

    public int Steps { get; }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || (input[1] * input[2] * input[3]) % Steps != 0)
            throw new ArgumentException($"ChannelsLastToSequence({Steps}) expects [N, C, H, W] with C·H·W divisible by {Steps}, got {input.ShapeString}", nameof(input));
        _inputShape = (int[])input.Shape.Clone();
        int n = input[0], c = input[1], hw = input[2] * input[3];
        var output = Buffers.Uninitialized(BufferReuse, ref _outCache, n, Steps, c * hw / Steps);
        ChannelTranspose.ToChannelsLast(input.Span, output.Span, n, c, hw);
        return output;
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var shape = _inputShape ?? throw new InvalidOperationException("ChannelsLastToSequence.Backward needs a Forward first");
        if (gradOutput.Length != shape.Aggregate(1, (a, b) => a * b))
            throw new ArgumentException($"ChannelsLastToSequence gradient {gradOutput.ShapeString} does not match input [{string.Join(",", shape)}]", nameof(gradOutput));
        int n = shape[0], c = shape[1], hw = shape[2] * shape[3];
        var gradInput = Buffers.Uninitialized(BufferReuse, ref _gradCache, shape);
        ChannelTranspose.ToChannelsFirst(gradOutput.Span, gradInput.Span, n, c, hw);
        return gradInput;
    }

    public override string ToString() => $"ChannelsLastToSequence(steps={Steps})";
}

/// <summary>
/// [N, T, F] → [N, C, H, W] with T·F = H·W·C: the sequence is viewed as a channels-last map
/// [N, H, W, C] (Keras <c>Reshape((H, W, C))</c>) and permuted to NCHW, i.e.
/// out[n, c, h, w] = flat[n, (h·W + w)·C + c]. Backward is the inverse permutation.
/// </summary>
public sealed class SequenceToChannelsFirst : Module
{
    private int[]? _inputShape;
    private float[]? _outCache, _gradCache;

    public SequenceToChannelsFirst(int height, int width, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        Height = height; Width = width; Channels = channels;
    }

    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int per = Height * Width * Channels;
        if (input.Rank < 2 || input.Length != input[0] * per)
            throw new ArgumentException($"SequenceToChannelsFirst({Height},{Width},{Channels}) expects [N, ...] with {per} values per sample, got {input.ShapeString}", nameof(input));
        _inputShape = (int[])input.Shape.Clone();
        int n = input[0];
        var output = Buffers.Uninitialized(BufferReuse, ref _outCache, n, Channels, Height, Width);
        ChannelTranspose.ToChannelsFirst(input.Span, output.Span, n, Channels, Height * Width);
        return output;
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var shape = _inputShape ?? throw new InvalidOperationException("SequenceToChannelsFirst.Backward needs a Forward first");
        int n = shape[0];
        if (gradOutput.Rank != 4 || gradOutput[0] != n || gradOutput[1] != Channels || gradOutput[2] != Height || gradOutput[3] != Width)
            throw new ArgumentException($"SequenceToChannelsFirst gradient must be [{n},{Channels},{Height},{Width}], got {gradOutput.ShapeString}", nameof(gradOutput));
        var gradInput = Buffers.Uninitialized(BufferReuse, ref _gradCache, shape);
        ChannelTranspose.ToChannelsLast(gradOutput.Span, gradInput.Span, n, Channels, Height * Width);
        return gradInput;
    }

    public override string ToString() => $"SequenceToChannelsFirst(height={Height}, width={Width}, channels={Channels})";
}

/// <summary>Per-sample transposes between [C, P] (channels first) and [P, C] (channels last), P = H·W.</summary>
internal static class ChannelTranspose
{
    public static void ToChannelsLast(ReadOnlySpan<float> src, Span<float> dst, int n, int c, int p)
    {
        for (int b = 0; b < n; b++)
        {
            var s = src.Slice(b * c * p, c * p);
            var d = dst.Slice(b * c * p, c * p);
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < p; i++) d[i * c + ch] = s[ch * p + i];
        }
    }

    public static void ToChannelsFirst(ReadOnlySpan<float> src, Span<float> dst, int n, int c, int p)
    {
        for (int b = 0; b < n; b++)
        {
            var s = src.Slice(b * c * p, c * p);
            var d = dst.Slice(b * c * p, c * p);
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < p; i++) d[ch * p + i] = s[i * c + ch];
        }
    }
}
