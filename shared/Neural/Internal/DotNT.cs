using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SecureTransmit.Neural.Internal;

/// <summary>
/// "NT" products where both operands are contiguous along the summed axis:
/// <c>C[i,j] += Σ_p A[i·lda + p] · B[j·ldb + p]</c>. Used for weight gradients (dW = dY·colᵀ), where
/// transposing either operand for the packed GEMM would cost as much as the product. A block of up to
/// 4 rows of A × 4 rows of B keeps 16 vector accumulators in registers over the whole p range, then
/// reduces each horizontally once.
/// </summary>
internal static unsafe class DotNT
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(SimdPath path, int m, int n, int len, float* a, int lda, float* b, int ldb, float* c, int ldc)
    {
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
                    case SimdPath.Avx512: Block512(mi, nj, len, ap, lda, bp, ldb, cp, ldc); break;
                    case SimdPath.Avx2: Block256(mi, nj, len, ap, lda, bp, ldb, cp, ldc); break;
                    default: BlockScalar(mi, nj, len, ap, lda, bp, ldb, cp, ldc); break;
                }
            }
        }
    }

    private static void BlockScalar(int mi, int nj, int len, float* a, int lda, float* b, int ldb, float* c, int ldc)
    {
        for (int i = 0; i < mi; i++)
            for (int j = 0; j < nj; j++)
            {
                float s = 0f;
                float* ar = a + (long)i * lda, br = b + (long)j * ldb;
                for (int p = 0; p < len; p++) s += ar[p] * br[p];
                c[(long)i * ldc + j] += s;
            }
    }

    private static void Block512(int mi, int nj, int len, float* a, int lda, float* b, int ldb, float* c, int ldc)
    {
        switch (mi * 4 + nj - 5)
        {
            case 0: K512<R1, R1>(len, a, lda, b, ldb, c, ldc); break;
            case 1: K512<R1, R2>(len, a, lda, b, ldb, c, ldc); break;
            case 2: K512<R1, R3>(len, a, lda, b, ldb, c, ldc); break;
            case 3: K512<R1, R4>(len, a, lda, b, ldb, c, ldc); break;
            case 4: K512<R2, R1>(len, a, lda, b, ldb, c, ldc); break;
            case 5: K512<R2, R2>(len, a, lda, b, ldb, c, ldc); break;
            case 6: K512<R2, R3>(len, a, lda, b, ldb, c, ldc); break;
            case 7: K512<R2, R4>(len, a, lda, b, ldb, c, ldc); break;
            case 8: K512<R3, R1>(len, a, lda, b, ldb, c, ldc); break;
            case 9: K512<R3, R2>(len, a, lda, b, ldb, c, ldc); break;
            case 10: K512<R3, R3>(len, a, lda, b, ldb, c, ldc); break;
            case 11: K512<R3, R4>(len, a, lda, b, ldb, c, ldc); break;
            case 12: K512<R4, R1>(len, a, lda, b, ldb, c, ldc); break;
            case 13: K512<R4, R2>(len, a, lda, b, ldb, c, ldc); break;
            case 14: K512<R4, R3>(len, a, lda, b, ldb, c, ldc); break;
            case 15: K512<R4, R4>(len, a, lda, b, ldb, c, ldc); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void K512<TA, TB>(int len, float* a, int lda, float* b, int ldb, float* c, int ldc) where TA : struct, IRows where TB : struct, IRows
    {
        Vector512<float> s00 = default; Vector512<float> s01 = default; Vector512<float> s02 = default; Vector512<float> s03 = default; Vector512<float> s10 = default; Vector512<float> s11 = default; Vector512<float> s12 = default; Vector512<float> s13 = default; Vector512<float> s20 = default; Vector512<float> s21 = default; Vector512<float> s22 = default; Vector512<float> s23 = default; Vector512<float> s30 = default; Vector512<float> s31 = default; Vector512<float> s32 = default; Vector512<float> s33 = default;
        float* a0 = a, a1 = a + lda, a2 = a + 2L * lda, a3 = a + 3L * lda;
        float* b0 = b, b1 = b + ldb, b2 = b + 2L * ldb, b3 = b + 3L * ldb;
        int p = 0;
        for (; p <= len - 16; p += 16)
        {
            Vector512<float> vb0 = default; vb0 = Vector512.Load(b0 + p);
            Vector512<float> vb1 = default; if (TB.N > 1) vb1 = Vector512.Load(b1 + p);
            Vector512<float> vb2 = default; if (TB.N > 2) vb2 = Vector512.Load(b2 + p);
            Vector512<float> vb3 = default; if (TB.N > 3) vb3 = Vector512.Load(b3 + p);
            { var va = Vector512.Load(a0 + p); s00 = Avx512F.FusedMultiplyAdd(va, vb0, s00); if (TB.N > 1) s01 = Avx512F.FusedMultiplyAdd(va, vb1, s01); if (TB.N > 2) s02 = Avx512F.FusedMultiplyAdd(va, vb2, s02); if (TB.N > 3) s03 = Avx512F.FusedMultiplyAdd(va, vb3, s03); }
            if (TA.N > 1) { var va = Vector512.Load(a1 + p); s10 = Avx512F.FusedMultiplyAdd(va, vb0, s10); if (TB.N > 1) s11 = Avx512F.FusedMultiplyAdd(va, vb1, s11); if (TB.N > 2) s12 = Avx512F.FusedMultiplyAdd(va, vb2, s12); if (TB.N > 3) s13 = Avx512F.FusedMultiplyAdd(va, vb3, s13); }
            if (TA.N > 2) { var va = Vector512.Load(a2 + p); s20 = Avx512F.FusedMultiplyAdd(va, vb0, s20); if (TB.N > 1) s21 = Avx512F.FusedMultiplyAdd(va, vb1, s21); if (TB.N > 2) s22 = Avx512F.FusedMultiplyAdd(va, vb2, s22); if (TB.N > 3) s23 = Avx512F.FusedMultiplyAdd(va, vb3, s23); }
            if (TA.N > 3) { var va = Vector512.Load(a3 + p); s30 = Avx512F.FusedMultiplyAdd(va, vb0, s30); if (TB.N > 1) s31 = Avx512F.FusedMultiplyAdd(va, vb1, s31); if (TB.N > 2) s32 = Avx512F.FusedMultiplyAdd(va, vb2, s32); if (TB.N > 3) s33 = Avx512F.FusedMultiplyAdd(va, vb3, s33); }
        }
        if (true) c[0L * ldc + 0] += Vector512.Sum(s00) + Tail(a0, b0, p, len);
        if (TB.N > 1) c[0L * ldc + 1] += Vector512.Sum(s01) + Tail(a0, b1, p, len);
        if (TB.N > 2) c[0L * ldc + 2] += Vector512.Sum(s02) + Tail(a0, b2, p, len);
        if (TB.N > 3) c[0L * ldc + 3] += Vector512.Sum(s03) + Tail(a0, b3, p, len);
        if (TA.N > 1) c[1L * ldc + 0] += Vector512.Sum(s10) + Tail(a1, b0, p, len);
        if (TA.N > 1 && TB.N > 1) c[1L * ldc + 1] += Vector512.Sum(s11) + Tail(a1, b1, p, len);
        if (TA.N > 1 && TB.N > 2) c[1L * ldc + 2] += Vector512.Sum(s12) + Tail(a1, b2, p, len);
        if (TA.N > 1 && TB.N > 3) c[1L * ldc + 3] += Vector512.Sum(s13) + Tail(a1, b3, p, len);
        if (TA.N > 2) c[2L * ldc + 0] += Vector512.Sum(s20) + Tail(a2, b0, p, len);
        if (TA.N > 2 && TB.N > 1) c[2L * ldc + 1] += Vector512.Sum(s21) + Tail(a2, b1, p, len);
        if (TA.N > 2 && TB.N > 2) c[2L * ldc + 2] += Vector512.Sum(s22) + Tail(a2, b2, p, len);
        if (TA.N > 2 && TB.N > 3) c[2L * ldc + 3] += Vector512.Sum(s23) + Tail(a2, b3, p, len);
        if (TA.N > 3) c[3L * ldc + 0] += Vector512.Sum(s30) + Tail(a3, b0, p, len);
        if (TA.N > 3 && TB.N > 1) c[3L * ldc + 1] += Vector512.Sum(s31) + Tail(a3, b1, p, len);
        if (TA.N > 3 && TB.N > 2) c[3L * ldc + 2] += Vector512.Sum(s32) + Tail(a3, b2, p, len);
        if (TA.N > 3 && TB.N > 3) c[3L * ldc + 3] += Vector512.Sum(s33) + Tail(a3, b3, p, len);
    }

    private static void Block256(int mi, int nj, int len, float* a, int lda, float* b, int ldb, float* c, int ldc)
    {
        switch (mi * 4 + nj - 5)
        {
            case 0: K256<R1, R1>(len, a, lda, b, ldb, c, ldc); break;
            case 1: K256<R1, R2>(len, a, lda, b, ldb, c, ldc); break;
            case 2: K256<R1, R3>(len, a, lda, b, ldb, c, ldc); break;
            case 3: K256<R1, R4>(len, a, lda, b, ldb, c, ldc); break;
            case 4: K256<R2, R1>(len, a, lda, b, ldb, c, ldc); break;
            case 5: K256<R2, R2>(len, a, lda, b, ldb, c, ldc); break;
            case 6: K256<R2, R3>(len, a, lda, b, ldb, c, ldc); break;
            case 7: K256<R2, R4>(len, a, lda, b, ldb, c, ldc); break;
            case 8: K256<R3, R1>(len, a, lda, b, ldb, c, ldc); break;
            case 9: K256<R3, R2>(len, a, lda, b, ldb, c, ldc); break;
            case 10: K256<R3, R3>(len, a, lda, b, ldb, c, ldc); break;
            case 11: K256<R3, R4>(len, a, lda, b, ldb, c, ldc); break;
            case 12: K256<R4, R1>(len, a, lda, b, ldb, c, ldc); break;
            case 13: K256<R4, R2>(len, a, lda, b, ldb, c, ldc); break;
            case 14: K256<R4, R3>(len, a, lda, b, ldb, c, ldc); break;
            case 15: K256<R4, R4>(len, a, lda, b, ldb, c, ldc); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void K256<TA, TB>(int len, float* a, int lda, float* b, int ldb, float* c, int ldc) where TA : struct, IRows where TB : struct, IRows
    {
        Vector256<float> s00 = default; Vector256<float> s01 = default; Vector256<float> s02 = default; Vector256<float> s03 = default; Vector256<float> s10 = default; Vector256<float> s11 = default; Vector256<float> s12 = default; Vector256<float> s13 = default; Vector256<float> s20 = default; Vector256<float> s21 = default; Vector256<float> s22 = default; Vector256<float> s23 = default; Vector256<float> s30 = default; Vector256<float> s31 = default; Vector256<float> s32 = default; Vector256<float> s33 = default;
        float* a0 = a, a1 = a + lda, a2 = a + 2L * lda, a3 = a + 3L * lda;
        float* b0 = b, b1 = b + ldb, b2 = b + 2L * ldb, b3 = b + 3L * ldb;
        int p = 0;
        for (; p <= len - 8; p += 8)
        {
            Vector256<float> vb0 = default; vb0 = Vector256.Load(b0 + p);
            Vector256<float> vb1 = default; if (TB.N > 1) vb1 = Vector256.Load(b1 + p);
            Vector256<float> vb2 = default; if (TB.N > 2) vb2 = Vector256.Load(b2 + p);
            Vector256<float> vb3 = default; if (TB.N > 3) vb3 = Vector256.Load(b3 + p);
            { var va = Vector256.Load(a0 + p); s00 = Fma.MultiplyAdd(va, vb0, s00); if (TB.N > 1) s01 = Fma.MultiplyAdd(va, vb1, s01); if (TB.N > 2) s02 = Fma.MultiplyAdd(va, vb2, s02); if (TB.N > 3) s03 = Fma.MultiplyAdd(va, vb3, s03); }
            if (TA.N > 1) { var va = Vector256.Load(a1 + p); s10 = Fma.MultiplyAdd(va, vb0, s10); if (TB.N > 1) s11 = Fma.MultiplyAdd(va, vb1, s11); if (TB.N > 2) s12 = Fma.MultiplyAdd(va, vb2, s12); if (TB.N > 3) s13 = Fma.MultiplyAdd(va, vb3, s13); }
            if (TA.N > 2) { var va = Vector256.Load(a2 + p); s20 = Fma.MultiplyAdd(va, vb0, s20); if (TB.N > 1) s21 = Fma.MultiplyAdd(va, vb1, s21); if (TB.N > 2) s22 = Fma.MultiplyAdd(va, vb2, s22); if (TB.N > 3) s23 = Fma.MultiplyAdd(va, vb3, s23); }
            if (TA.N > 3) { var va = Vector256.Load(a3 + p); s30 = Fma.MultiplyAdd(va, vb0, s30); if (TB.N > 1) s31 = Fma.MultiplyAdd(va, vb1, s31); if (TB.N > 2) s32 = Fma.MultiplyAdd(va, vb2, s32); if (TB.N > 3) s33 = Fma.MultiplyAdd(va, vb3, s33); }
        }
        if (true) c[0L * ldc + 0] += Vector256.Sum(s00) + Tail(a0, b0, p, len);
        if (TB.N > 1) c[0L * ldc + 1] += Vector256.Sum(s01) + Tail(a0, b1, p, len);
        if (TB.N > 2) c[0L * ldc + 2] += Vector256.Sum(s02) + Tail(a0, b2, p, len);
        if (TB.N > 3) c[0L * ldc + 3] += Vector256.Sum(s03) + Tail(a0, b3, p, len);
        if (TA.N > 1) c[1L * ldc + 0] += Vector256.Sum(s10) + Tail(a1, b0, p, len);
        if (TA.N > 1 && TB.N > 1) c[1L * ldc + 1] += Vector256.Sum(s11) + Tail(a1, b1, p, len);
        if (TA.N > 1 && TB.N > 2) c[1L * ldc + 2] += Vector256.Sum(s12) + Tail(a1, b2, p, len);
        if (TA.N > 1 && TB.N > 3) c[1L * ldc + 3] += Vector256.Sum(s13) + Tail(a1, b3, p, len);
        if (TA.N > 2) c[2L * ldc + 0] += Vector256.Sum(s20) + Tail(a2, b0, p, len);
        if (TA.N > 2 && TB.N > 1) c[2L * ldc + 1] += Vector256.Sum(s21) + Tail(a2, b1, p, len);
        if (TA.N > 2 && TB.N > 2) c[2L * ldc + 2] += Vector256.Sum(s22) + Tail(a2, b2, p, len);
        if (TA.N > 2 && TB.N > 3) c[2L * ldc + 3] += Vector256.Sum(s23) + Tail(a2, b3, p, len);
        if (TA.N > 3) c[3L * ldc + 0] += Vector256.Sum(s30) + Tail(a3, b0, p, len);
        if (TA.N > 3 && TB.N > 1) c[3L * ldc + 1] += Vector256.Sum(s31) + Tail(a3, b1, p, len);
        if (TA.N > 3 && TB.N > 2) c[3L * ldc + 2] += Vector256.Sum(s32) + Tail(a3, b2, p, len);
        if (TA.N > 3 && TB.N > 3) c[3L * ldc + 3] += Vector256.Sum(s33) + Tail(a3, b3, p, len);
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
        // Outer over dY row blocks (4 channels of the group's gradients stay in L1), inner over col rows,
        // consecutive ones sharing an input channel plane of the padded images (also L1-sized).
        for (int i0 = 0; i0 < m; i0 += 4)
        {
            int mi = Math.Min(4, m - i0);
            for (int j0 = 0; j0 < n; j0 += 4)
            {
                int nj = Math.Min(4, n - j0);
                var args = new Args(images, h, w, wp, dy + (long)i0 * h * w, dyImageStride, padded, paddedImageStride, offsets + j0, c + (long)i0 * ldc + j0, ldc);
                // 512-bit rows need a width divisible by 16; 8-wide rows use the 256-bit kernel (AVX-512 implies it).
                if (path == SimdPath.Avx512 && w % 16 == 0) Block512(mi, nj, in args);
                else Block256(mi, nj, in args);
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

    private static void Block512(int mi, int nj, in Args a)
    {
        switch (mi * 4 + nj - 5)
        {
            case 0: K512<R1, R1>(in a); break;
            case 1: K512<R1, R2>(in a); break;
            case 2: K512<R1, R3>(in a); break;
            case 3: K512<R1, R4>(in a); break;
            case 4: K512<R2, R1>(in a); break;
            case 5: K512<R2, R2>(in a); break;
            case 6: K512<R2, R3>(in a); break;
            case 7: K512<R2, R4>(in a); break;
            case 8: K512<R3, R1>(in a); break;
            case 9: K512<R3, R2>(in a); break;
            case 10: K512<R3, R3>(in a); break;
            case 11: K512<R3, R4>(in a); break;
            case 12: K512<R4, R1>(in a); break;
            case 13: K512<R4, R2>(in a); break;
            case 14: K512<R4, R3>(in a); break;
            case 15: K512<R4, R4>(in a); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void K512<TA, TB>(in Args a) where TA : struct, IRows where TB : struct, IRows
    {
        Vector512<float> s00 = default; Vector512<float> s01 = default; Vector512<float> s02 = default; Vector512<float> s03 = default; Vector512<float> s10 = default; Vector512<float> s11 = default; Vector512<float> s12 = default; Vector512<float> s13 = default; Vector512<float> s20 = default; Vector512<float> s21 = default; Vector512<float> s22 = default; Vector512<float> s23 = default; Vector512<float> s30 = default; Vector512<float> s31 = default; Vector512<float> s32 = default; Vector512<float> s33 = default;
        int hw = a.H * a.W;
        int o0 = a.Off[0], o1 = TB.N > 1 ? a.Off[1] : 0, o2 = TB.N > 2 ? a.Off[2] : 0, o3 = TB.N > 3 ? a.Off[3] : 0;
        for (int g = 0; g < a.Images; g++)
        {
            float* img = a.Padded + g * a.PadStride;
            float* d0 = a.Dy + g * a.DyStride, d1 = d0 + hw, d2 = d1 + hw, d3 = d2 + hw;
            for (int r = 0; r < a.H; r++)
            {
                float* row = img + r * a.Wp;
                int dyRow = r * a.W;
                for (int x = 0; x < a.W; x += 16)
                {
                    Vector512<float> vb0 = default; vb0 = Vector512.Load(row + o0 + x);
                    Vector512<float> vb1 = default; if (TB.N > 1) vb1 = Vector512.Load(row + o1 + x);
                    Vector512<float> vb2 = default; if (TB.N > 2) vb2 = Vector512.Load(row + o2 + x);
                    Vector512<float> vb3 = default; if (TB.N > 3) vb3 = Vector512.Load(row + o3 + x);
                    { var va = Vector512.Load(d0 + dyRow + x); s00 = Avx512F.FusedMultiplyAdd(va, vb0, s00); if (TB.N > 1) s01 = Avx512F.FusedMultiplyAdd(va, vb1, s01); if (TB.N > 2) s02 = Avx512F.FusedMultiplyAdd(va, vb2, s02); if (TB.N > 3) s03 = Avx512F.FusedMultiplyAdd(va, vb3, s03); }
                    if (TA.N > 1) { var va = Vector512.Load(d1 + dyRow + x); s10 = Avx512F.FusedMultiplyAdd(va, vb0, s10); if (TB.N > 1) s11 = Avx512F.FusedMultiplyAdd(va, vb1, s11); if (TB.N > 2) s12 = Avx512F.FusedMultiplyAdd(va, vb2, s12); if (TB.N > 3) s13 = Avx512F.FusedMultiplyAdd(va, vb3, s13); }
                    if (TA.N > 2) { var va = Vector512.Load(d2 + dyRow + x); s20 = Avx512F.FusedMultiplyAdd(va, vb0, s20); if (TB.N > 1) s21 = Avx512F.FusedMultiplyAdd(va, vb1, s21); if (TB.N > 2) s22 = Avx512F.FusedMultiplyAdd(va, vb2, s22); if (TB.N > 3) s23 = Avx512F.FusedMultiplyAdd(va, vb3, s23); }
                    if (TA.N > 3) { var va = Vector512.Load(d3 + dyRow + x); s30 = Avx512F.FusedMultiplyAdd(va, vb0, s30); if (TB.N > 1) s31 = Avx512F.FusedMultiplyAdd(va, vb1, s31); if (TB.N > 2) s32 = Avx512F.FusedMultiplyAdd(va, vb2, s32); if (TB.N > 3) s33 = Avx512F.FusedMultiplyAdd(va, vb3, s33); }
                }
            }
        }
        if (true) a.C[0L * a.Ldc + 0] += Vector512.Sum(s00);
        if (TB.N > 1) a.C[0L * a.Ldc + 1] += Vector512.Sum(s01);
        if (TB.N > 2) a.C[0L * a.Ldc + 2] += Vector512.Sum(s02);
        if (TB.N > 3) a.C[0L * a.Ldc + 3] += Vector512.Sum(s03);
        if (TA.N > 1) a.C[1L * a.Ldc + 0] += Vector512.Sum(s10);
        if (TA.N > 1 && TB.N > 1) a.C[1L * a.Ldc + 1] += Vector512.Sum(s11);
        if (TA.N > 1 && TB.N > 2) a.C[1L * a.Ldc + 2] += Vector512.Sum(s12);
        if (TA.N > 1 && TB.N > 3) a.C[1L * a.Ldc + 3] += Vector512.Sum(s13);
        if (TA.N > 2) a.C[2L * a.Ldc + 0] += Vector512.Sum(s20);
        if (TA.N > 2 && TB.N > 1) a.C[2L * a.Ldc + 1] += Vector512.Sum(s21);
        if (TA.N > 2 && TB.N > 2) a.C[2L * a.Ldc + 2] += Vector512.Sum(s22);
        if (TA.N > 2 && TB.N > 3) a.C[2L * a.Ldc + 3] += Vector512.Sum(s23);
        if (TA.N > 3) a.C[3L * a.Ldc + 0] += Vector512.Sum(s30);
        if (TA.N > 3 && TB.N > 1) a.C[3L * a.Ldc + 1] += Vector512.Sum(s31);
        if (TA.N > 3 && TB.N > 2) a.C[3L * a.Ldc + 2] += Vector512.Sum(s32);
        if (TA.N > 3 && TB.N > 3) a.C[3L * a.Ldc + 3] += Vector512.Sum(s33);
    }

    private static void Block256(int mi, int nj, in Args a)
    {
        switch (mi * 4 + nj - 5)
        {
            case 0: K256<R1, R1>(in a); break;
            case 1: K256<R1, R2>(in a); break;
            case 2: K256<R1, R3>(in a); break;
            case 3: K256<R1, R4>(in a); break;
            case 4: K256<R2, R1>(in a); break;
            case 5: K256<R2, R2>(in a); break;
            case 6: K256<R2, R3>(in a); break;
            case 7: K256<R2, R4>(in a); break;
            case 8: K256<R3, R1>(in a); break;
            case 9: K256<R3, R2>(in a); break;
            case 10: K256<R3, R3>(in a); break;
            case 11: K256<R3, R4>(in a); break;
            case 12: K256<R4, R1>(in a); break;
            case 13: K256<R4, R2>(in a); break;
            case 14: K256<R4, R3>(in a); break;
            case 15: K256<R4, R4>(in a); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void K256<TA, TB>(in Args a) where TA : struct, IRows where TB : struct, IRows
    {
        Vector256<float> s00 = default; Vector256<float> s01 = default; Vector256<float> s02 = default; Vector256<float> s03 = default; Vector256<float> s10 = default; Vector256<float> s11 = default; Vector256<float> s12 = default; Vector256<float> s13 = default; Vector256<float> s20 = default; Vector256<float> s21 = default; Vector256<float> s22 = default; Vector256<float> s23 = default; Vector256<float> s30 = default; Vector256<float> s31 = default; Vector256<float> s32 = default; Vector256<float> s33 = default;
        int hw = a.H * a.W;
        int o0 = a.Off[0], o1 = TB.N > 1 ? a.Off[1] : 0, o2 = TB.N > 2 ? a.Off[2] : 0, o3 = TB.N > 3 ? a.Off[3] : 0;
        for (int g = 0; g < a.Images; g++)
        {
            float* img = a.Padded + g * a.PadStride;
            float* d0 = a.Dy + g * a.DyStride, d1 = d0 + hw, d2 = d1 + hw, d3 = d2 + hw;
            for (int r = 0; r < a.H; r++)
            {
                float* row = img + r * a.Wp;
                int dyRow = r * a.W;
                for (int x = 0; x < a.W; x += 8)
                {
                    Vector256<float> vb0 = default; vb0 = Vector256.Load(row + o0 + x);
                    Vector256<float> vb1 = default; if (TB.N > 1) vb1 = Vector256.Load(row + o1 + x);
                    Vector256<float> vb2 = default; if (TB.N > 2) vb2 = Vector256.Load(row + o2 + x);
                    Vector256<float> vb3 = default; if (TB.N > 3) vb3 = Vector256.Load(row + o3 + x);
                    { var va = Vector256.Load(d0 + dyRow + x); s00 = Fma.MultiplyAdd(va, vb0, s00); if (TB.N > 1) s01 = Fma.MultiplyAdd(va, vb1, s01); if (TB.N > 2) s02 = Fma.MultiplyAdd(va, vb2, s02); if (TB.N > 3) s03 = Fma.MultiplyAdd(va, vb3, s03); }
                    if (TA.N > 1) { var va = Vector256.Load(d1 + dyRow + x); s10 = Fma.MultiplyAdd(va, vb0, s10); if (TB.N > 1) s11 = Fma.MultiplyAdd(va, vb1, s11); if (TB.N > 2) s12 = Fma.MultiplyAdd(va, vb2, s12); if (TB.N > 3) s13 = Fma.MultiplyAdd(va, vb3, s13); }
                    if (TA.N > 2) { var va = Vector256.Load(d2 + dyRow + x); s20 = Fma.MultiplyAdd(va, vb0, s20); if (TB.N > 1) s21 = Fma.MultiplyAdd(va, vb1, s21); if (TB.N > 2) s22 = Fma.MultiplyAdd(va, vb2, s22); if (TB.N > 3) s23 = Fma.MultiplyAdd(va, vb3, s23); }
                    if (TA.N > 3) { var va = Vector256.Load(d3 + dyRow + x); s30 = Fma.MultiplyAdd(va, vb0, s30); if (TB.N > 1) s31 = Fma.MultiplyAdd(va, vb1, s31); if (TB.N > 2) s32 = Fma.MultiplyAdd(va, vb2, s32); if (TB.N > 3) s33 = Fma.MultiplyAdd(va, vb3, s33); }
                }
            }
        }
        if (true) a.C[0L * a.Ldc + 0] += Vector256.Sum(s00);
        if (TB.N > 1) a.C[0L * a.Ldc + 1] += Vector256.Sum(s01);
        if (TB.N > 2) a.C[0L * a.Ldc + 2] += Vector256.Sum(s02);
        if (TB.N > 3) a.C[0L * a.Ldc + 3] += Vector256.Sum(s03);
        if (TA.N > 1) a.C[1L * a.Ldc + 0] += Vector256.Sum(s10);
        if (TA.N > 1 && TB.N > 1) a.C[1L * a.Ldc + 1] += Vector256.Sum(s11);
        if (TA.N > 1 && TB.N > 2) a.C[1L * a.Ldc + 2] += Vector256.Sum(s12);
        if (TA.N > 1 && TB.N > 3) a.C[1L * a.Ldc + 3] += Vector256.Sum(s13);
        if (TA.N > 2) a.C[2L * a.Ldc + 0] += Vector256.Sum(s20);
        if (TA.N > 2 && TB.N > 1) a.C[2L * a.Ldc + 1] += Vector256.Sum(s21);
        if (TA.N > 2 && TB.N > 2) a.C[2L * a.Ldc + 2] += Vector256.Sum(s22);
        if (TA.N > 2 && TB.N > 3) a.C[2L * a.Ldc + 3] += Vector256.Sum(s23);
        if (TA.N > 3) a.C[3L * a.Ldc + 0] += Vector256.Sum(s30);
        if (TA.N > 3 && TB.N > 1) a.C[3L * a.Ldc + 1] += Vector256.Sum(s31);
        if (TA.N > 3 && TB.N > 2) a.C[3L * a.Ldc + 2] += Vector256.Sum(s32);
        if (TA.N > 3 && TB.N > 3) a.C[3L * a.Ldc + 3] += Vector256.Sum(s33);
    }

}
