using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural.Layers;

/// <summary>
/// Max pooling with a square window and stride equal to the window (PyTorch <c>nn.MaxPool2d(k)</c>,
/// no padding, floor mode): [N, C, H, W] → [N, C, ⌊H/k⌋, ⌊W/k⌋]. Within a window the first maximum in
/// row-major order wins (later equal values do not replace it) and a NaN wins over numbers (the last NaN), as in
/// PyTorch; backward routes each output gradient to that one input position.
/// </summary>
public sealed unsafe class MaxPool2d : Module
{
    private byte[]? _argmax;
    private int[]? _inputShape;
    private float[]? _outCache, _gradCache;

    public MaxPool2d(int kernelSize = 2)
    {
        if (kernelSize is < 1 or > 15) throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "pool window must be 1..15");
        KernelSize = kernelSize;
    }

    public int KernelSize { get; }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4) throw new ArgumentException($"MaxPool2d expects [N,C,H,W], got {input.ShapeString}");
        int n = input[0], c = input[1], h = input[2], w = input[3], k = KernelSize;
        int ho = h / k, wo = w / k;
        if (ho == 0 || wo == 0) throw new ArgumentException($"MaxPool2d({k}) input {input.ShapeString} is smaller than the window");
        var output = Buffers.Uninitialized(BufferReuse, ref _outCache, n, c, ho, wo);
        int planes = n * c, outPlane = ho * wo;
        if (Training && (_argmax == null || _argmax.Length < planes * outPlane)) _argmax = new byte[planes * outPlane];
        byte[]? arg = Training ? _argmax : null;
        var xs = input.Data; var ys = output.Data;
        Parallelism.For(planes, Parallelism.WorkersFor(planes, h * w), (s, e, _) =>
        {
            fixed (float* xp = xs) fixed (float* yp = ys) fixed (byte* ap = arg)
                for (int pl = s; pl < e; pl++)
                {
                    float* x = xp + (long)pl * h * w;
                    float* y = yp + (long)pl * outPlane;
                    byte* a = ap == null ? null : ap + (long)pl * outPlane;
                    if (k == 2) Pool2(x, w, ho, wo, y, a);
                    else PoolK(x, w, ho, wo, k, y, a);
                }
        });
        _inputShape = Training ? (int[])input.Shape.Clone() : null;
        return output;
    }

    private static void Pool2(float* x, int w, int ho, int wo, float* y, byte* a)
    {
        bool vector = Simd.Active == SimdPath.Avx512;
        var evenIdx = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var oddIdx = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        int i0 = 0;
        if (vector && wo == 8 && w == 16)
        {
            // Two output rows (16 windows) at a time: input rows 2i and 2i+2 hold the windows' top-left/right
            // pairs, rows 2i+1 and 2i+3 the bottom ones, and output rows i and i+1 are contiguous.
            for (; i0 + 1 < ho; i0 += 2)
            {
                float* r0 = x + (long)(2 * i0) * w;
                var t0 = Vector512.Load(r0); var t1 = Vector512.Load(r0 + 2 * w);
                var u0 = Vector512.Load(r0 + w); var u1 = Vector512.Load(r0 + 3 * w);
                var m = Avx512F.PermuteVar16x32x2(t0, evenIdx, t1);
                var idx = Vector512<int>.Zero;
                Update(ref m, ref idx, Avx512F.PermuteVar16x32x2(t0, oddIdx, t1), 1);
                Update(ref m, ref idx, Avx512F.PermuteVar16x32x2(u0, evenIdx, u1), 2);
                Update(ref m, ref idx, Avx512F.PermuteVar16x32x2(u0, oddIdx, u1), 3);
                m.Store(y + (long)i0 * wo);
                if (a != null) Avx512F.ConvertToVector128Byte(idx).Store(a + (long)i0 * wo);
            }
        }
        for (int i = i0; i < ho; i++)
        {
            float* r0 = x + (long)(2 * i) * w, r1 = r0 + w;
            float* yr = y + (long)i * wo;
            byte* ar = a == null ? null : a + (long)i * wo;
            int j = 0;
            if (vector)
            {
                // 16 windows at a time: split both rows into even/odd columns, then the same ordered
                // "greater, or NaN" updates as the scalar loop, so ties and NaNs resolve identically.
                for (; j <= wo - 16; j += 16)
                {
                    var a0 = Vector512.Load(r0 + 2 * j); var a1 = Vector512.Load(r0 + 2 * j + 16);
                    var b0 = Vector512.Load(r1 + 2 * j); var b1 = Vector512.Load(r1 + 2 * j + 16);
                    var m = Avx512F.PermuteVar16x32x2(a0, evenIdx, a1);
                    var idx = Vector512<int>.Zero;
                    Update(ref m, ref idx, Avx512F.PermuteVar16x32x2(a0, oddIdx, a1), 1);
                    Update(ref m, ref idx, Avx512F.PermuteVar16x32x2(b0, evenIdx, b1), 2);
                    Update(ref m, ref idx, Avx512F.PermuteVar16x32x2(b0, oddIdx, b1), 3);
                    m.Store(yr + j);
                    if (ar != null) Avx512F.ConvertToVector128Byte(idx).Store(ar + j);
                }
            }
            else if (Simd.Active == SimdPath.Avx2)
            {
                for (; j <= wo - 8; j += 8)
                {
                    var a0 = Vector256.Load(r0 + 2 * j); var a1 = Vector256.Load(r0 + 2 * j + 8);
                    var b0 = Vector256.Load(r1 + 2 * j); var b1 = Vector256.Load(r1 + 2 * j + 8);
                    var m = Evens(a0, a1);
                    var idx = Vector256<int>.Zero;
                    Update(ref m, ref idx, Odds(a0, a1), 1);
                    Update(ref m, ref idx, Evens(b0, b1), 2);
                    Update(ref m, ref idx, Odds(b0, b1), 3);
                    m.Store(yr + j);
                    if (ar != null)
                    {
                        var s16 = Vector256.Narrow(idx, idx);                      // 0..3 fit any width
                        *(ulong*)(ar + j) = Vector256.Narrow(s16.AsUInt16(), s16.AsUInt16()).AsUInt64().ToScalar();
                    }
                }
            }
            for (; j < wo; j++)
            {
                float m = r0[2 * j]; int idx = 0;
                float v = r0[2 * j + 1]; if (v > m || float.IsNaN(v)) { m = v; idx = 1; }
                v = r1[2 * j]; if (v > m || float.IsNaN(v)) { m = v; idx = 2; }
                v = r1[2 * j + 1]; if (v > m || float.IsNaN(v)) { m = v; idx = 3; }
                yr[j] = m;
                if (ar != null) ar[j] = (byte)idx;
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Update(ref Vector512<float> m, ref Vector512<int> idx, Vector512<float> v, int k)
    {
        var take = Vector512.GreaterThan(v, m) | ~Vector512.Equals(v, v);
        m = Vector512.ConditionalSelect(take, v, m);
        idx = Vector512.ConditionalSelect(take.AsInt32(), Vector512.Create(k), idx);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Update(ref Vector256<float> m, ref Vector256<int> idx, Vector256<float> v, int k)
    {
        var take = Vector256.GreaterThan(v, m) | ~Vector256.Equals(v, v);
        m = Vector256.ConditionalSelect(take, v, m);
        idx = Vector256.ConditionalSelect(take.AsInt32(), Vector256.Create(k), idx);
    }

    /// <summary>Elements 0,2,..,14 of the 16 in (a, b), in order.</summary>
    private static Vector256<float> Evens(Vector256<float> a, Vector256<float> b) =>
        Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();

    /// <summary>Elements 1,3,..,15 of the 16 in (a, b), in order.</summary>
    private static Vector256<float> Odds(Vector256<float> a, Vector256<float> b) =>
        Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();

    private static void PoolK(float* x, int w, int ho, int wo, int k, float* y, byte* a)
    {
        for (int i = 0; i < ho; i++)
            for (int j = 0; j < wo; j++)
            {
                float m = float.NegativeInfinity; int idx = -1;
                for (int di = 0; di < k; di++)
                    for (int dj = 0; dj < k; dj++)
                    {
                        float v = x[(long)(i * k + di) * w + j * k + dj];
                        if (idx < 0 || v > m || float.IsNaN(v)) { m = v; idx = di * k + dj; }
                    }
                y[(long)i * wo + j] = m;
                if (a != null) a[(long)i * wo + j] = (byte)idx;
            }
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var shape = _inputShape ?? throw new InvalidOperationException("MaxPool2d.Backward needs a Forward in training mode first");
        int n = shape[0], c = shape[1], h = shape[2], w = shape[3], k = KernelSize, ho = h / k, wo = w / k;
        if (gradOutput.Rank != 4 || gradOutput[0] != n || gradOutput[1] != c || gradOutput[2] != ho || gradOutput[3] != wo)
            throw new ArgumentException($"MaxPool2d gradient must be [{n},{c},{ho},{wo}], got {gradOutput.ShapeString}");
        var gradInput = Buffers.Uninitialized(BufferReuse, ref _gradCache, shape);
        int planes = n * c, outPlane = ho * wo;
        var dys = gradOutput.Data; var dxs = gradInput.Data; var arg = _argmax!;
        Parallelism.For(planes, Parallelism.WorkersFor(planes, h * w), (s, e, _) =>
        {
            fixed (float* dyp = dys) fixed (float* dxp = dxs) fixed (byte* ap = arg)
                for (int pl = s; pl < e; pl++)
                {
                    float* dx = dxp + (long)pl * h * w;
                    float* dy = dyp + (long)pl * outPlane;
                    byte* a = ap + (long)pl * outPlane;
                    if (k == 2 && h == 2 * ho && w == 2 * wo) { Unpool2(dy, a, ho, wo, w, dx); continue; }
                    new Span<float>(dx, h * w).Clear();
                    for (int i = 0; i < ho; i++)
                        for (int j = 0; j < wo; j++)
                        {
                            int idx = a[i * wo + j], di = idx / k, dj = idx - di * k;
                            dx[(long)(i * k + di) * w + j * k + dj] = dy[i * wo + j];
                        }
                }
        });
        return gradInput;
    }

    /// <summary>Writes every input position of an even-sized plane once: the gradient at each window's argmax, zeros elsewhere.</summary>
    private static void Unpool2(float* dy, byte* a, int ho, int wo, int w, float* dx)
    {
        bool vector = Simd.Active == SimdPath.Avx512;
        var lo = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        var hi = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        for (int i = 0; i < ho; i++)
        {
            float* d0 = dx + (long)(2 * i) * w, d1 = d0 + w;
            float* g = dy + (long)i * wo;
            byte* ai = a + (long)i * wo;
            int j = 0;
            if (vector)
            {
                for (; j <= wo - 16; j += 16)
                {
                    var gv = Vector512.Load(g + j);
                    var idx = Avx512F.ConvertToVector512Int32(Vector128.Load(ai + j));
                    var v0 = Vector512.ConditionalSelect(Vector512.Equals(idx, Vector512<int>.Zero).AsSingle(), gv, Vector512<float>.Zero);
                    var v1 = Vector512.ConditionalSelect(Vector512.Equals(idx, Vector512.Create(1)).AsSingle(), gv, Vector512<float>.Zero);
                    var v2 = Vector512.ConditionalSelect(Vector512.Equals(idx, Vector512.Create(2)).AsSingle(), gv, Vector512<float>.Zero);
                    var v3 = Vector512.ConditionalSelect(Vector512.Equals(idx, Vector512.Create(3)).AsSingle(), gv, Vector512<float>.Zero);
                    Avx512F.PermuteVar16x32x2(v0, lo, v1).Store(d0 + 2 * j);
                    Avx512F.PermuteVar16x32x2(v0, hi, v1).Store(d0 + 2 * j + 16);
                    Avx512F.PermuteVar16x32x2(v2, lo, v3).Store(d1 + 2 * j);
                    Avx512F.PermuteVar16x32x2(v2, hi, v3).Store(d1 + 2 * j + 16);
                }
            }
            for (; j < wo; j++)
            {
                // Zero the window, then one store at the argmax (no data-dependent branches).
                d0[2 * j] = 0f; d0[2 * j + 1] = 0f; d1[2 * j] = 0f; d1[2 * j + 1] = 0f;
                int idx = ai[j];
                d0[2 * j + (idx >> 1) * w + (idx & 1)] = g[j];
            }
        }
    }

    public override string ToString() => $"MaxPool2d({KernelSize})";
}
