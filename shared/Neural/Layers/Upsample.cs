using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
        bool vector = Simd.Active == SimdPath.Avx512;
        var lowDup = Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
        var highDup = Vector512.Create(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
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
                        if (s == 2)
                        {
                            int j = 0;
                            if (vector)
                                for (; j <= w - 16; j += 16)
                                {
                                    var v = Vector512.Load(xr + j);
                                    Avx512F.PermuteVar16x32(v, lowDup).Store(yr + 2 * j);
                                    Avx512F.PermuteVar16x32(v, highDup).Store(yr + 2 * j + 16);
                                }
                            for (; j < w; j++) { float v = xr[j]; yr[2 * j] = v; yr[2 * j + 1] = v; }
                        }
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
        bool vector = Simd.Active == SimdPath.Avx512;
        var evenIdx = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var oddIdx = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        Parallelism.For(planes, Parallelism.WorkersFor(planes, h * w * s * s), (st, e, _) =>
        {
            fixed (float* dyp = dys) fixed (float* dxp = dxs)
                for (int pl = st; pl < e; pl++)
                {
                    float* dy = dyp + (long)pl * h * w * s * s;
                    float* dx = dxp + (long)pl * h * w;
                    int wo = w * s;
                    if (s == 2 && vector)
                    {
                        // dx[i,j] = (dy[2i,2j] + dy[2i,2j+1]) + (dy[2i+1,2j] + dy[2i+1,2j+1]), PyTorch's order.
                        for (int i = 0; i < h; i++)
                        {
                            float* r0 = dy + (long)(2 * i) * wo, r1 = r0 + wo;
                            float* o = dx + (long)i * w;
                            int j = 0;
                            for (; j <= w - 16; j += 16)
                            {
                                var a0 = Vector512.Load(r0 + 2 * j); var a1 = Vector512.Load(r0 + 2 * j + 16);
                                var b0 = Vector512.Load(r1 + 2 * j); var b1 = Vector512.Load(r1 + 2 * j + 16);
                                var top = Avx512F.PermuteVar16x32x2(a0, evenIdx, a1) + Avx512F.PermuteVar16x32x2(a0, oddIdx, a1);
                                var bottom = Avx512F.PermuteVar16x32x2(b0, evenIdx, b1);
                                ((top + bottom) + Avx512F.PermuteVar16x32x2(b0, oddIdx, b1)).Store(o + j);
                            }
                            for (; j < w; j++) o[j] = r0[2 * j] + r0[2 * j + 1] + r1[2 * j] + r1[2 * j + 1];
                        }
                        continue;
                    }
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
