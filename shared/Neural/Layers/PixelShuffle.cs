using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural.Layers;

/// <summary>
/// Depth to space (PyTorch <c>nn.PixelShuffle(r)</c>): [N, C·r², H, W] → [N, C, H·r, W·r] with
/// <c>y[n, c, h·r + i, w·r + j] = x[n, c·r² + i·r + j, h, w]</c>. A 3×3 convolution to C·r² channels followed by this
/// layer is a stride-r transposed convolution ("sub-pixel convolution", Shi et al. 2016) that runs on the fast
/// stride-1 engine. No parameters; Backward is the inverse permutation.
/// </summary>
public sealed class PixelShuffle(int upscaleFactor) : Module
{
    private float[]? _outCache, _gradCache;
    private int[]? _inShape;

    public int UpscaleFactor { get; } = upscaleFactor > 0 ? upscaleFactor : throw new ArgumentOutOfRangeException(nameof(upscaleFactor));

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int r = UpscaleFactor;
        if (input.Rank != 4 || input[1] % (r * r) != 0)
            throw new ArgumentException($"PixelShuffle({r}) expects [N, C·{r * r}, H, W], got {input.ShapeString}");
        int n = input[0], c = input[1] / (r * r), h = input[2], w = input[3];
        var y = Buffers.Uninitialized(BufferReuse, ref _outCache, n, c, h * r, w * r);
        Shuffle.DepthToSpace(input.Data, y.Data, n, c, h, w, r, inverse: false);
        _inShape = input.Shape;
        return y;
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var s = _inShape ?? throw new InvalidOperationException("PixelShuffle.Backward needs a Forward first");
        int r = UpscaleFactor, n = s[0], c = s[1] / (r * r), h = s[2], w = s[3];
        if (gradOutput.Rank != 4 || gradOutput[0] != n || gradOutput[1] != c || gradOutput[2] != h * r || gradOutput[3] != w * r)
            throw new ArgumentException($"PixelShuffle gradient must be [{n},{c},{h * r},{w * r}], got {gradOutput.ShapeString}");
        var dx = Buffers.Uninitialized(BufferReuse, ref _gradCache, s);
        Shuffle.DepthToSpace(dx.Data, gradOutput.Data, n, c, h, w, r, inverse: true);
        return dx;
    }

    public override string ToString() => $"PixelShuffle(upscale_factor={UpscaleFactor})";
}

/// <summary>
/// Space to depth (PyTorch <c>nn.PixelUnshuffle(r)</c>): [N, C, H·r, W·r] → [N, C·r², H, W], the inverse of
/// <see cref="PixelShuffle"/>. This layer followed by a k×k "same" convolution is a stride-r convolution with an
/// r·k-wide receptive field (for r = 2, k = 3: a 6×6 stride-2 convolution, which contains the 5×5 stride-2 one of
/// Ballé et al.), run on the fast stride-1 engine. H and W must be multiples of r.
/// </summary>
public sealed class PixelUnshuffle(int downscaleFactor) : Module
{
    private float[]? _outCache, _gradCache;
    private int[]? _inShape;

    public int DownscaleFactor { get; } = downscaleFactor > 0 ? downscaleFactor : throw new ArgumentOutOfRangeException(nameof(downscaleFactor));

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int r = DownscaleFactor;
        if (input.Rank != 4 || input[2] % r != 0 || input[3] % r != 0)
            throw new ArgumentException($"PixelUnshuffle({r}) expects [N, C, H, W] with H and W multiples of {r}, got {input.ShapeString}");
        int n = input[0], c = input[1], h = input[2] / r, w = input[3] / r;
        var y = Buffers.Uninitialized(BufferReuse, ref _outCache, n, c * r * r, h, w);
        Shuffle.DepthToSpace(y.Data, input.Data, n, c, h, w, r, inverse: true);
        _inShape = input.Shape;
        return y;
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var s = _inShape ?? throw new InvalidOperationException("PixelUnshuffle.Backward needs a Forward first");
        int r = DownscaleFactor, n = s[0], c = s[1], h = s[2] / r, w = s[3] / r;
        if (gradOutput.Rank != 4 || gradOutput[0] != n || gradOutput[1] != c * r * r || gradOutput[2] != h || gradOutput[3] != w)
            throw new ArgumentException($"PixelUnshuffle gradient must be [{n},{c * r * r},{h},{w}], got {gradOutput.ShapeString}");
        if (!InputGradientRequired) return new Tensor(0);
        var dx = Buffers.Uninitialized(BufferReuse, ref _gradCache, s);
        Shuffle.DepthToSpace(gradOutput.Data, dx.Data, n, c, h, w, r, inverse: false);
        return dx;
    }

    public override string ToString() => $"PixelUnshuffle(downscale_factor={DownscaleFactor})";
}

/// <summary>The permutation both layers share.</summary>
internal static class Shuffle
{
    /// <summary>
    /// Depth [N, C·r², H, W] ⇄ space [N, C, H·r, W·r]. <paramref name="inverse"/> = false writes space from depth,
    /// true writes depth from space.
    /// </summary>
    public static void DepthToSpace(float[] depth, float[] space, int n, int c, int h, int w, int r, bool inverse)
    {
        int planes = n * c;
        Parallelism.For(planes, Parallelism.WorkersFor(planes, (long)h * w * r * r), (s, e, _) =>
        {
            for (int p = s; p < e; p++)
            {
                int sw = w * r;
                int spaceBase = p * h * r * sw;
                for (int i = 0; i < r; i++)
                    for (int j = 0; j < r; j++)
                    {
                        int depthBase = (p * r * r + i * r + j) * h * w;
                        for (int y = 0; y < h; y++)
                        {
                            int d = depthBase + y * w, o = spaceBase + (y * r + i) * sw + j;
                            if (inverse) for (int x = 0; x < w; x++) depth[d + x] = space[o + x * r];
                            else for (int x = 0; x < w; x++) space[o + x * r] = depth[d + x];
                        }
                    }
            }
        });
    }
}
