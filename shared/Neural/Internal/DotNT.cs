using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SecureTransmit.Neural.Internal;

/// <summary>
/// "NT" products where both operands are contiguous along the summed axis:
/// <c>C[i,j] += Σ_p A[i·lda + p] · B[j·ldb + p]</c>. Used for weight gradients (dW = dY·colᵀ), where
/// transposing either operand for the packed GEMM would cost as much as the product. A block of up to
/// 4 rows of A × 4 rows of B keeps 16 vector accumulators in registers over the whole p range, then
/// reduces each horizontally once. One kernel, generic over the vector width (<see cref="IWidth{TV}"/>);
/// the scalar path is <see cref="ScalarKernels.DotNTBlock"/>.
/// </summary>
internal static unsafe class DotNT
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(SimdPath path, int m, int n, int len, float* a, int lda, float* b, int ldb, float* c, int ldc)
    {
        KernelCalls.Note(path);
        // Outer loop over B's rows (the large im2col matrix, one 4-row block at a time in L1),
        // inner over A's rows (the small dY block, reused from L1/L2).
        for (int j0 = 0; j0 < n; j0 += 4)
        {
            int nj = Math.Min(4, n - j0);
            for (int i0 = 0; i0 < m; i0 += 4)
            {
                int mi = Math.Min(4, m - i0);
                float* ap = a + (long)i0 * lda, bp = b + (long)j0 * ldb, cp = c + (long)i0 * ldc + j0;
                switch (path)
                {
                    case SimdPath.Avx512: Block<W512, Vector512<float>>(mi, nj, len, ap, lda, bp, ldb, cp, ldc); break;
                    case SimdPath.Avx2: Block<W256, Vector256<float>>(mi, nj, len, ap, lda, bp, ldb, cp, ldc); break;
                    default: ScalarKernels.DotNTBlock(mi, nj, len, ap, lda, bp, ldb, cp, ldc); break;
                }
            }
        }
    }

    private static void Block<TW, TV>(int mi, int nj, int len, float* a, int lda, float* b, int ldb, float* c, int ldc)
        where TW : struct, IWidth<TV> where TV : unmanaged
    {
        switch (mi)
        {
            case 1: Block<TW, TV, R1>(nj, len, a, lda, b, ldb, c, ldc); break;
            case 2: Block<TW, TV, R2>(nj, len, a, lda, b, ldb, c, ldc); break;
            case 3: Block<TW, TV, R3>(nj, len, a, lda, b, ldb, c, ldc); break;
            default: Block<TW, TV, R4>(nj, len, a, lda, b, ldb, c, ldc); break;
        }
    }

    private static void Block<TW, TV, TA>(int nj, int len, float* a, int lda, float* b, int ldb, float* c, int ldc)
        where TW : struct, IWidth<TV> where TV : unmanaged where TA : struct, IRows
    {
        switch (nj)
        {
            case 1: K<TW, TV, TA, R1>(len, a, lda, b, ldb, c, ldc); break;
            case 2: K<TW, TV, TA, R2>(len, a, lda, b, ldb, c, ldc); break;
            case 3: K<TW, TV, TA, R3>(len, a, lda, b, ldb, c, ldc); break;
            default: K<TW, TV, TA, R4>(len, a, lda, b, ldb, c, ldc); break;
        }
    }

    /// <summary>One TA.N × TB.N block: vector accumulators over the whole length, then one reduction each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void K<TW, TV, TA, TB>(int len, float* a, int lda, float* b, int ldb, float* c, int ldc)
        where TW : struct, IWidth<TV> where TV : unmanaged where TA : struct, IRows where TB : struct, IRows
    {
        TV s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        TV s20 = default, s21 = default, s22 = default, s23 = default, s30 = default, s31 = default, s32 = default, s33 = default;
        float* a0 = a, a1 = a + lda, a2 = a + 2L * lda, a3 = a + 3L * lda;
        float* b0 = b, b1 = b + ldb, b2 = b + 2L * ldb, b3 = b + 3L * ldb;
        int n = TW.Count, last = len - n, p = 0;
        for (; p <= last; p += n)
        {
            TV vb0 = TW.Load(b0 + p), vb1 = default, vb2 = default, vb3 = default;
            if (TB.N > 1) vb1 = TW.Load(b1 + p);
            if (TB.N > 2) vb2 = TW.Load(b2 + p);
            if (TB.N > 3) vb3 = TW.Load(b3 + p);
            {
                var va = TW.Load(a0 + p);
                s00 = TW.MulAdd(va, vb0, s00);
                if (TB.N > 1) s01 = TW.MulAdd(va, vb1, s01);
                if (TB.N > 2) s02 = TW.MulAdd(va, vb2, s02);
                if (TB.N > 3) s03 = TW.MulAdd(va, vb3, s03);
            }
            if (TA.N > 1)
            {
                var va = TW.Load(a1 + p);
                s10 = TW.MulAdd(va, vb0, s10);
                if (TB.N > 1) s11 = TW.MulAdd(va, vb1, s11);
                if (TB.N > 2) s12 = TW.MulAdd(va, vb2, s12);
                if (TB.N > 3) s13 = TW.MulAdd(va, vb3, s13);
            }
            if (TA.N > 2)
            {
                var va = TW.Load(a2 + p);
                s20 = TW.MulAdd(va, vb0, s20);
                if (TB.N > 1) s21 = TW.MulAdd(va, vb1, s21);
                if (TB.N > 2) s22 = TW.MulAdd(va, vb2, s22);
                if (TB.N > 3) s23 = TW.MulAdd(va, vb3, s23);
            }
            if (TA.N > 3)
            {
                var va = TW.Load(a3 + p);
                s30 = TW.MulAdd(va, vb0, s30);
                if (TB.N > 1) s31 = TW.MulAdd(va, vb1, s31);
                if (TB.N > 2) s32 = TW.MulAdd(va, vb2, s32);
                if (TB.N > 3) s33 = TW.MulAdd(va, vb3, s33);
            }
        }
        float* c0 = c, c1 = c + ldc, c2 = c + 2L * ldc, c3 = c + 3L * ldc;
        c0[0] += TW.Sum(s00) + Tail(a0, b0, p, len);
        if (TB.N > 1) c0[1] += TW.Sum(s01) + Tail(a0, b1, p, len);
        if (TB.N > 2) c0[2] += TW.Sum(s02) + Tail(a0, b2, p, len);
        if (TB.N > 3) c0[3] += TW.Sum(s03) + Tail(a0, b3, p, len);
        if (TA.N > 1) c1[0] += TW.Sum(s10) + Tail(a1, b0, p, len);
        if (TA.N > 1 && TB.N > 1) c1[1] += TW.Sum(s11) + Tail(a1, b1, p, len);
        if (TA.N > 1 && TB.N > 2) c1[2] += TW.Sum(s12) + Tail(a1, b2, p, len);
        if (TA.N > 1 && TB.N > 3) c1[3] += TW.Sum(s13) + Tail(a1, b3, p, len);
        if (TA.N > 2) c2[0] += TW.Sum(s20) + Tail(a2, b0, p, len);
        if (TA.N > 2 && TB.N > 1) c2[1] += TW.Sum(s21) + Tail(a2, b1, p, len);
        if (TA.N > 2 && TB.N > 2) c2[2] += TW.Sum(s22) + Tail(a2, b2, p, len);
        if (TA.N > 2 && TB.N > 3) c2[3] += TW.Sum(s23) + Tail(a2, b3, p, len);
        if (TA.N > 3) c3[0] += TW.Sum(s30) + Tail(a3, b0, p, len);
        if (TA.N > 3 && TB.N > 1) c3[1] += TW.Sum(s31) + Tail(a3, b1, p, len);
        if (TA.N > 3 && TB.N > 2) c3[2] += TW.Sum(s32) + Tail(a3, b2, p, len);
        if (TA.N > 3 && TB.N > 3) c3[3] += TW.Sum(s33) + Tail(a3, b3, p, len);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tail(float* a, float* b, int p, int len)
    {
        float s = 0f;
        for (; p < len; p++) s += a[p] * b[p];
        return s;
    }
}

/// <summary>
/// dW-style products read straight from zero-bordered images, without an im2col matrix:
/// <c>C[i,j] += Σ_g Σ_h Σ_w dy_g[i·hw + h·W + w] · padded_g[off[j] + h·Wp + w]</c>, for image rows whose
/// width W is a multiple of the vector width. Accumulators stay in registers across a group of images.
/// </summary>
internal static unsafe class DotImage
{
    /// <summary>True when <see cref="Run"/> handles width <paramref name="w"/> on <paramref name="path"/>.</summary>
    public static bool Supports(SimdPath path, int w) => path switch
    {
        SimdPath.Avx512 or SimdPath.Avx2 => w % 8 == 0,
        _ => false,
    };

    /// <param name="dy">Gradient of image 0 of the group, [m, h·w]; image g at <c>dy + g·dyImageStride</c>.</param>
    /// <param name="padded">Padded image 0, image g at <c>padded + g·paddedImageStride</c>.</param>
    /// <param name="offsets">Offset of col row j in a padded image (channel, dh, dw).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(SimdPath path, int m, int n, int images, int h, int w, int wp,
                           float* dy, long dyImageStride, float* padded, long paddedImageStride, int* offsets, float* c, int ldc)
    {
        // 512-bit rows need a width divisible by 16; 8-wide rows use the 256-bit kernel (AVX-512 implies it).
        bool wide = path == SimdPath.Avx512 && w % 16 == 0;
        KernelCalls.Note(wide ? SimdPath.Avx512 : SimdPath.Avx2);
        // Outer over dY row blocks (4 channels of the group's gradients stay in L1), inner over col rows,
        // consecutive ones sharing an input channel plane of the padded images (also L1-sized).
        for (int i0 = 0; i0 < m; i0 += 4)
        {
            int mi = Math.Min(4, m - i0);
            for (int j0 = 0; j0 < n; j0 += 4)
            {
                int nj = Math.Min(4, n - j0);
                var args = new Args(images, h, w, wp, dy + (long)i0 * h * w, dyImageStride, padded, paddedImageStride, offsets + j0,
                                    c + (long)i0 * ldc + j0, ldc);
                if (wide) Block<W512, Vector512<float>>(mi, nj, in args);
                else Block<W256, Vector256<float>>(mi, nj, in args);
            }
        }
    }

    private readonly struct Args(int images, int h, int w, int wp, float* dy, long dyStride, float* padded, long padStride, int* off, float* c, int ldc)
    {
        public readonly int Images = images, H = h, W = w, Wp = wp, Ldc = ldc;
        public readonly float* Dy = dy, Padded = padded, C = c;
        public readonly long DyStride = dyStride, PadStride = padStride;
        public readonly int* Off = off;
    }

    private static void Block<TW, TV>(int mi, int nj, in Args a)
        where TW : struct, IWidth<TV> where TV : unmanaged
    {
        switch (mi)
        {
            case 1: Block<TW, TV, R1>(nj, in a); break;
            case 2: Block<TW, TV, R2>(nj, in a); break;
            case 3: Block<TW, TV, R3>(nj, in a); break;
            default: Block<TW, TV, R4>(nj, in a); break;
        }
    }

    private static void Block<TW, TV, TA>(int nj, in Args a)
        where TW : struct, IWidth<TV> where TV : unmanaged where TA : struct, IRows
    {
        switch (nj)
        {
            case 1: K<TW, TV, TA, R1>(in a); break;
            case 2: K<TW, TV, TA, R2>(in a); break;
            case 3: K<TW, TV, TA, R3>(in a); break;
            default: K<TW, TV, TA, R4>(in a); break;
        }
    }

    /// <summary>One TA.N × TB.N block over every image row of the group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void K<TW, TV, TA, TB>(in Args a)
        where TW : struct, IWidth<TV> where TV : unmanaged where TA : struct, IRows where TB : struct, IRows
    {
        TV s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        TV s20 = default, s21 = default, s22 = default, s23 = default, s30 = default, s31 = default, s32 = default, s33 = default;
        int hw = a.H * a.W, n = TW.Count;
        int o0 = a.Off[0], o1 = TB.N > 1 ? a.Off[1] : 0, o2 = TB.N > 2 ? a.Off[2] : 0, o3 = TB.N > 3 ? a.Off[3] : 0;
        for (int g = 0; g < a.Images; g++)
        {
            float* img = a.Padded + g * a.PadStride;
            float* d0 = a.Dy + g * a.DyStride, d1 = d0 + hw, d2 = d1 + hw, d3 = d2 + hw;
            for (int r = 0; r < a.H; r++)
            {
                float* row = img + r * a.Wp;
                int dyRow = r * a.W;
                for (int x = 0; x < a.W; x += n)
                {
                    TV vb0 = TW.Load(row + o0 + x), vb1 = default, vb2 = default, vb3 = default;
                    if (TB.N > 1) vb1 = TW.Load(row + o1 + x);
                    if (TB.N > 2) vb2 = TW.Load(row + o2 + x);
                    if (TB.N > 3) vb3 = TW.Load(row + o3 + x);
                    {
                        var va = TW.Load(d0 + dyRow + x);
                        s00 = TW.MulAdd(va, vb0, s00);
                        if (TB.N > 1) s01 = TW.MulAdd(va, vb1, s01);
                        if (TB.N > 2) s02 = TW.MulAdd(va, vb2, s02);
                        if (TB.N > 3) s03 = TW.MulAdd(va, vb3, s03);
                    }
                    if (TA.N > 1)
                    {
                        var va = TW.Load(d1 + dyRow + x);
                        s10 = TW.MulAdd(va, vb0, s10);
                        if (TB.N > 1) s11 = TW.MulAdd(va, vb1, s11);
                        if (TB.N > 2) s12 = TW.MulAdd(va, vb2, s12);
                        if (TB.N > 3) s13 = TW.MulAdd(va, vb3, s13);
                    }
                    if (TA.N > 2)
                    {
                        var va = TW.Load(d2 + dyRow + x);
                        s20 = TW.MulAdd(va, vb0, s20);
                        if (TB.N > 1) s21 = TW.MulAdd(va, vb1, s21);
                        if (TB.N > 2) s22 = TW.MulAdd(va, vb2, s22);
                        if (TB.N > 3) s23 = TW.MulAdd(va, vb3, s23);
                    }
                    if (TA.N > 3)
                    {
                        var va = TW.Load(d3 + dyRow + x);
                        s30 = TW.MulAdd(va, vb0, s30);
                        if (TB.N > 1) s31 = TW.MulAdd(va, vb1, s31);
                        if (TB.N > 2) s32 = TW.MulAdd(va, vb2, s32);
                        if (TB.N > 3) s33 = TW.MulAdd(va, vb3, s33);
                    }
                }
            }
        }
        float* c0 = a.C, c1 = c0 + a.Ldc, c2 = c0 + 2L * a.Ldc, c3 = c0 + 3L * a.Ldc;
        c0[0] += TW.Sum(s00);
        if (TB.N > 1) c0[1] += TW.Sum(s01);
        if (TB.N > 2) c0[2] += TW.Sum(s02);
        if (TB.N > 3) c0[3] += TW.Sum(s03);
        if (TA.N > 1) c1[0] += TW.Sum(s10);
        if (TA.N > 1 && TB.N > 1) c1[1] += TW.Sum(s11);
        if (TA.N > 1 && TB.N > 2) c1[2] += TW.Sum(s12);
        if (TA.N > 1 && TB.N > 3) c1[3] += TW.Sum(s13);
        if (TA.N > 2) c2[0] += TW.Sum(s20);
        if (TA.N > 2 && TB.N > 1) c2[1] += TW.Sum(s21);
        if (TA.N > 2 && TB.N > 2) c2[2] += TW.Sum(s22);
        if (TA.N > 2 && TB.N > 3) c2[3] += TW.Sum(s23);
        if (TA.N > 3) c3[0] += TW.Sum(s30);
        if (TA.N > 3 && TB.N > 1) c3[1] += TW.Sum(s31);
        if (TA.N > 3 && TB.N > 2) c3[2] += TW.Sum(s32);
        if (TA.N > 3 && TB.N > 3) c3[3] += TW.Sum(s33);
    }
}
