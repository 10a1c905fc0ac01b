using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural.Layers;

/// <summary>
/// Nearest-neighbour upsampling by an integer factor (PyTorch <c>nn.Upsample(scale_factor=s,
/// mode="nearest")</c>, Keras <c>UpSampling2D(s)</c>): [N, C, H, W] → [N, C, s·H, s·W], each input pixel
/// copied into an s×s block. Backward sums each block's gradient.
/// </summary>
public sealed unsafe class Upsample : Module
{
    private int[]? _inputShape;
    private float[]? _outCache, _gradCache;

    public Upsample(int scaleFactor = 2)
    {
        if (scaleFactor is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(scaleFactor), scaleFactor, "scale must be 1..64");
        ScaleFactor = scaleFactor;
    }

    public int ScaleFactor { get; }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4) throw new ArgumentException($"Upsample expects [N,C,H,W], got {input.ShapeString}");
        int n = input[0], c = input[1], h = input[2], w = input[3], s = ScaleFactor;
        var output = Buffers.Uninitialized(BufferReuse, ref _outCache, n, c, h * s, w * s);
        int planes = n * c;
        var xs = input.Data; var ys = output.Data;
        Parallelism.For(planes, Parallelism.WorkersFor(planes, h * w * s * s), (st, e, _) =>
        {
            fixed (float* xp = xs) fixed (float* yp = ys)
                for (int pl = st; pl < e; pl++)
                {
                    float* x = xp + (long)pl * h * w;
                    float* y = yp + (long)pl * h * w * s * s;
                    int wo = w * s;
                    for (int i = 0; i < h; i++)
                    {
                        float* yr = y + (long)i * s * wo;
                        float* xr = x + (long)i * w;
                        if (s == 2) for (int j = 0; j < w; j++) { float v = xr[j]; yr[2 * j] = v; yr[2 * j + 1] = v; }
                        else for (int j = 0; j < w; j++) { float v = xr[j]; for (int q = 0; q < s; q++) yr[j * s + q] = v; }
                        for (int r = 1; r < s; r++) ConvEngine.Copy(yr, yr + (long)r * wo, wo);
                    }
                }
        });
        _inputShape = Training ? (int[])input.Shape.Clone() : null;
        return output;
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var shape = _inputShape ?? throw new InvalidOperationException("Upsample.Backward needs a Forward in training mode first");
        int n = shape[0], c = shape[1], h = shape[2], w = shape[3], s = ScaleFactor;
        if (gradOutput.Rank != 4 || gradOutput[0] != n || gradOutput[1] != c || gradOutput[2] != h * s || gradOutput[3] != w * s)
            throw new ArgumentException($"Upsample gradient must be [{n},{c},{h * s},{w * s}], got {gradOutput.ShapeString}");
        var gradInput = Buffers.Uninitialized(BufferReuse, ref _gradCache, shape);
        int planes = n * c;
        var dys = gradOutput.Data; var dxs = gradInput.Data;
        Parallelism.For(planes, Parallelism.WorkersFor(planes, h * w * s * s), (st, e, _) =>
        {
            fixed (float* dyp = dys) fixed (float* dxp = dxs)
                for (int pl = st; pl < e; pl++)
                {
                    float* dy = dyp + (long)pl * h * w * s * s;
                    float* dx = dxp + (long)pl * h * w;
                    int wo = w * s;
                    for (int i = 0; i < h; i++)
                        for (int j = 0; j < w; j++)
                        {
                            float acc = 0f;
                            for (int r = 0; r < s; r++)
                            {
                                float* row = dy + (long)(i * s + r) * wo + j * s;
                                for (int q = 0; q < s; q++) acc += row[q];
                            }
                            dx[(long)i * w + j] = acc;
                        }
                }
        });
        return gradInput;
    }

    public override string ToString() => $"Upsample(scale_factor={ScaleFactor}, mode=nearest)";
}
