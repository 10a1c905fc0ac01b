using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SecureTransmit.Neural.Internal;

/// <summary>
/// GEMM microkernels over packed panels. A panel of A holds <c>rows</c> rows k-major
/// (<c>a[p*rows + i]</c>); a panel of B holds NR columns k-major (<c>b[p*NR + j]</c>). A kernel computes the
/// rows×NR tile <c>acc = Σ_p a[p,i]·b[p,j]</c> and stores <c>C = alpha·acc + beta·C + bias[i]</c>
/// (C is not read when beta is 0; <paramref name="bias"/> may be null). Each kernel is written once, generic
/// over the vector width (<see cref="IWidth{TV}"/>): NR is two vectors, so 32 columns on AVX-512 and 16 on AVX2.
/// The scalar path is <see cref="ScalarKernels.Gemm"/>.
/// </summary>
internal static unsafe class GemmKernels
{
    /// <summary>Columns of a B panel (NR) per path.</summary>
    public static int PanelWidth(SimdPath path) => path switch { SimdPath.Avx512 => 32, SimdPath.Avx2 => 16, _ => ScalarKernels.PanelWidth };

    /// <summary>Most rows of an A panel (MR) per path.</summary>
    public static int MaxRows(SimdPath path) => path switch { SimdPath.Avx512 => 12, SimdPath.Avx2 => 6, _ => 4 };

    /// <summary>Runs the kernel of <paramref name="path"/> for a panel of <paramref name="rows"/> rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(SimdPath path, int rows, int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* bias)
    {
        switch (path)
        {
            case SimdPath.Avx512: Run<W512, Vector512<float>>(rows, kc, a, b, c, ldc, alpha, beta, bias); break;
            case SimdPath.Avx2: Run<W256, Vector256<float>>(rows, kc, a, b, c, ldc, alpha, beta, bias); break;
            default: ScalarKernels.Gemm(rows, kc, a, b, c, ldc, alpha, beta, bias); break;
        }
    }

    private static void Run<TW, TV>(int rows, int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* bias)
        where TW : struct, IWidth<TV> where TV : unmanaged
    {
        KernelCalls.Note(TW.Path);
        switch (rows)
        {
            case 1: K<TW, TV, R1>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 2: K<TW, TV, R2>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 3: K<TW, TV, R3>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 4: K<TW, TV, R4>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 5: K<TW, TV, R5>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 6: K<TW, TV, R6>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 7: K<TW, TV, R7>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 8: K<TW, TV, R8>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 9: K<TW, TV, R9>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 10: K<TW, TV, R10>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 11: K<TW, TV, R11>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 12: K<TW, TV, R12>(kc, a, b, c, ldc, alpha, beta, bias); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    /// <summary>The packed kernel: TR.N rows × two vectors of columns, B advancing by NR = 2·Count per k step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void K<TW, TV, TR>(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* bias)
        where TW : struct, IWidth<TV> where TV : unmanaged where TR : struct, IRows
    {
        TV c0x = default, c0y = default, c1x = default, c1y = default, c2x = default, c2y = default;
        TV c3x = default, c3y = default, c4x = default, c4y = default, c5x = default, c5y = default;
        TV c6x = default, c6y = default, c7x = default, c7y = default, c8x = default, c8y = default;
        TV c9x = default, c9y = default, c10x = default, c10y = default, c11x = default, c11y = default;
        int n = TW.Count;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TW.Load(b), b1 = TW.Load(b + n), av;
            { av = TW.Splat(a[0]); c0x = TW.MulAdd(av, b0, c0x); c0y = TW.MulAdd(av, b1, c0y); }
            if (TR.N > 1) { av = TW.Splat(a[1]); c1x = TW.MulAdd(av, b0, c1x); c1y = TW.MulAdd(av, b1, c1y); }
            if (TR.N > 2) { av = TW.Splat(a[2]); c2x = TW.MulAdd(av, b0, c2x); c2y = TW.MulAdd(av, b1, c2y); }
            if (TR.N > 3) { av = TW.Splat(a[3]); c3x = TW.MulAdd(av, b0, c3x); c3y = TW.MulAdd(av, b1, c3y); }
            if (TR.N > 4) { av = TW.Splat(a[4]); c4x = TW.MulAdd(av, b0, c4x); c4y = TW.MulAdd(av, b1, c4y); }
            if (TR.N > 5) { av = TW.Splat(a[5]); c5x = TW.MulAdd(av, b0, c5x); c5y = TW.MulAdd(av, b1, c5y); }
            if (TR.N > 6) { av = TW.Splat(a[6]); c6x = TW.MulAdd(av, b0, c6x); c6y = TW.MulAdd(av, b1, c6y); }
            if (TR.N > 7) { av = TW.Splat(a[7]); c7x = TW.MulAdd(av, b0, c7x); c7y = TW.MulAdd(av, b1, c7y); }
            if (TR.N > 8) { av = TW.Splat(a[8]); c8x = TW.MulAdd(av, b0, c8x); c8y = TW.MulAdd(av, b1, c8y); }
            if (TR.N > 9) { av = TW.Splat(a[9]); c9x = TW.MulAdd(av, b0, c9x); c9y = TW.MulAdd(av, b1, c9y); }
            if (TR.N > 10) { av = TW.Splat(a[10]); c10x = TW.MulAdd(av, b0, c10x); c10y = TW.MulAdd(av, b1, c10y); }
            if (TR.N > 11) { av = TW.Splat(a[11]); c11x = TW.MulAdd(av, b0, c11x); c11y = TW.MulAdd(av, b1, c11y); }
            a += TR.N;
            b += 2 * n;
        }
        StoreRow<TW, TV>(c, ldc, 0, c0x, c0y, alpha, beta, bias);
        if (TR.N > 1) StoreRow<TW, TV>(c, ldc, 1, c1x, c1y, alpha, beta, bias);
        if (TR.N > 2) StoreRow<TW, TV>(c, ldc, 2, c2x, c2y, alpha, beta, bias);
        if (TR.N > 3) StoreRow<TW, TV>(c, ldc, 3, c3x, c3y, alpha, beta, bias);
        if (TR.N > 4) StoreRow<TW, TV>(c, ldc, 4, c4x, c4y, alpha, beta, bias);
        if (TR.N > 5) StoreRow<TW, TV>(c, ldc, 5, c5x, c5y, alpha, beta, bias);
        if (TR.N > 6) StoreRow<TW, TV>(c, ldc, 6, c6x, c6y, alpha, beta, bias);
        if (TR.N > 7) StoreRow<TW, TV>(c, ldc, 7, c7x, c7y, alpha, beta, bias);
        if (TR.N > 8) StoreRow<TW, TV>(c, ldc, 8, c8x, c8y, alpha, beta, bias);
        if (TR.N > 9) StoreRow<TW, TV>(c, ldc, 9, c9x, c9y, alpha, beta, bias);
        if (TR.N > 10) StoreRow<TW, TV>(c, ldc, 10, c10x, c10y, alpha, beta, bias);
        if (TR.N > 11) StoreRow<TW, TV>(c, ldc, 11, c11x, c11y, alpha, beta, bias);
    }

    /// <summary>Stores row <paramref name="i"/> of a tile (bias[i] added when bias is not null).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TW, TV>(float* c, int ldc, int i, TV x, TV y, float alpha, float beta, float* bias)
        where TW : struct, IWidth<TV> where TV : unmanaged
        => Store<TW, TV>(c + i * ldc, x, y, alpha, beta, bias == null ? 0f : bias[i]);

    /// <summary>C[0..2·Count) = alpha·(x, y) + beta·C + bias (C not read when beta is 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TW, TV>(float* c, TV x, TV y, float alpha, float beta, float bias)
        where TW : struct, IWidth<TV> where TV : unmanaged
    {
        int n = TW.Count;
        if (alpha != 1f) { x = TW.Scale(x, alpha); y = TW.Scale(y, alpha); }
        if (beta == 1f) { x = TW.Add(x, TW.Load(c)); y = TW.Add(y, TW.Load(c + n)); }
        else if (beta != 0f)
        {
            var bv = TW.Splat(beta);
            x = TW.MulAdd(TW.Load(c), bv, x);
            y = TW.MulAdd(TW.Load(c + n), bv, y);
        }
        if (bias != 0f) { var v = TW.Splat(bias); x = TW.Add(x, v); y = TW.Add(y, v); }
        TW.Store(c, x);
        TW.Store(c + n, y);
    }

    /// <summary>
    /// As <see cref="Run"/> with alpha 1, but B is not packed: k-row p of the NR-wide panel starts at
    /// <c>b + rowOffsets[p]</c> (an image row of the zero-bordered input, for implicit im2col). Vector paths only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RunIndirect(SimdPath path, int rows, int kc, float* a, float* b, int* rowOffsets, float* c, int ldc, float beta, float* bias)
    {
        switch (path)
        {
            case SimdPath.Avx512: RunIndirect<W512, Vector512<float>>(rows, kc, a, b, rowOffsets, c, ldc, beta, bias); break;
            case SimdPath.Avx2: RunIndirect<W256, Vector256<float>>(rows, kc, a, b, rowOffsets, c, ldc, beta, bias); break;
            default: throw new ArgumentException("the indirect kernel needs a vector path", nameof(path));
        }
    }

    private static void RunIndirect<TW, TV>(int rows, int kc, float* a, float* b, int* rowOffsets, float* c, int ldc, float beta, float* bias)
        where TW : struct, IWidth<TV> where TV : unmanaged
    {
        KernelCalls.Note(TW.Path);
        switch (rows)
        {
            case 1: I<TW, TV, R1>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
            case 2: I<TW, TV, R2>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
            case 3: I<TW, TV, R3>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
            case 4: I<TW, TV, R4>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
            case 5: I<TW, TV, R5>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
            case 6: I<TW, TV, R6>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
            case 7: I<TW, TV, R7>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
            case 8: I<TW, TV, R8>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
            case 9: I<TW, TV, R9>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
            case 10: I<TW, TV, R10>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
            case 11: I<TW, TV, R11>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
            case 12: I<TW, TV, R12>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    /// <summary>The indirect kernel: as <see cref="K{TW, TV, TR}"/>, B's k-row p read at <c>b + rowOffsets[p]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void I<TW, TV, TR>(int kc, float* a, float* b, int* rowOffsets, float* c, int ldc, float beta, float* bias)
        where TW : struct, IWidth<TV> where TV : unmanaged where TR : struct, IRows
    {
        TV c0x = default, c0y = default, c1x = default, c1y = default, c2x = default, c2y = default;
        TV c3x = default, c3y = default, c4x = default, c4y = default, c5x = default, c5y = default;
        TV c6x = default, c6y = default, c7x = default, c7y = default, c8x = default, c8y = default;
        TV c9x = default, c9y = default, c10x = default, c10y = default, c11x = default, c11y = default;
        int n = TW.Count;
        for (int p = 0; p < kc; p++)
        {
            float* bp = b + rowOffsets[p];
            TV b0 = TW.Load(bp), b1 = TW.Load(bp + n), av;
            { av = TW.Splat(a[0]); c0x = TW.MulAdd(av, b0, c0x); c0y = TW.MulAdd(av, b1, c0y); }
            if (TR.N > 1) { av = TW.Splat(a[1]); c1x = TW.MulAdd(av, b0, c1x); c1y = TW.MulAdd(av, b1, c1y); }
            if (TR.N > 2) { av = TW.Splat(a[2]); c2x = TW.MulAdd(av, b0, c2x); c2y = TW.MulAdd(av, b1, c2y); }
            if (TR.N > 3) { av = TW.Splat(a[3]); c3x = TW.MulAdd(av, b0, c3x); c3y = TW.MulAdd(av, b1, c3y); }
            if (TR.N > 4) { av = TW.Splat(a[4]); c4x = TW.MulAdd(av, b0, c4x); c4y = TW.MulAdd(av, b1, c4y); }
            if (TR.N > 5) { av = TW.Splat(a[5]); c5x = TW.MulAdd(av, b0, c5x); c5y = TW.MulAdd(av, b1, c5y); }
            if (TR.N > 6) { av = TW.Splat(a[6]); c6x = TW.MulAdd(av, b0, c6x); c6y = TW.MulAdd(av, b1, c6y); }
            if (TR.N > 7) { av = TW.Splat(a[7]); c7x = TW.MulAdd(av, b0, c7x); c7y = TW.MulAdd(av, b1, c7y); }
            if (TR.N > 8) { av = TW.Splat(a[8]); c8x = TW.MulAdd(av, b0, c8x); c8y = TW.MulAdd(av, b1, c8y); }
            if (TR.N > 9) { av = TW.Splat(a[9]); c9x = TW.MulAdd(av, b0, c9x); c9y = TW.MulAdd(av, b1, c9y); }
            if (TR.N > 10) { av = TW.Splat(a[10]); c10x = TW.MulAdd(av, b0, c10x); c10y = TW.MulAdd(av, b1, c10y); }
            if (TR.N > 11) { av = TW.Splat(a[11]); c11x = TW.MulAdd(av, b0, c11x); c11y = TW.MulAdd(av, b1, c11y); }
            a += TR.N;
        }
        StoreRow<TW, TV>(c, ldc, 0, c0x, c0y, 1f, beta, bias);
        if (TR.N > 1) StoreRow<TW, TV>(c, ldc, 1, c1x, c1y, 1f, beta, bias);
        if (TR.N > 2) StoreRow<TW, TV>(c, ldc, 2, c2x, c2y, 1f, beta, bias);
        if (TR.N > 3) StoreRow<TW, TV>(c, ldc, 3, c3x, c3y, 1f, beta, bias);
        if (TR.N > 4) StoreRow<TW, TV>(c, ldc, 4, c4x, c4y, 1f, beta, bias);
        if (TR.N > 5) StoreRow<TW, TV>(c, ldc, 5, c5x, c5y, 1f, beta, bias);
        if (TR.N > 6) StoreRow<TW, TV>(c, ldc, 6, c6x, c6y, 1f, beta, bias);
        if (TR.N > 7) StoreRow<TW, TV>(c, ldc, 7, c7x, c7y, 1f, beta, bias);
        if (TR.N > 8) StoreRow<TW, TV>(c, ldc, 8, c8x, c8y, 1f, beta, bias);
        if (TR.N > 9) StoreRow<TW, TV>(c, ldc, 9, c9x, c9y, 1f, beta, bias);
        if (TR.N > 10) StoreRow<TW, TV>(c, ldc, 10, c10x, c10y, 1f, beta, bias);
        if (TR.N > 11) StoreRow<TW, TV>(c, ldc, 11, c11x, c11y, 1f, beta, bias);
    }

    /// <summary>
    /// Indirect kernel for few rows (≤ 6): a 64-wide tile from two 32-wide B runs, the second
    /// <paramref name="secondRun"/> floats after the first (the next image row, or the next 32 columns),
    /// stored as 64 contiguous floats of each C row. Four accumulators per row keep the FMA pipes busy
    /// where a 32-wide tile of 3 rows would wait on FMA latency. AVX-512 only.
    /// </summary>
    public static void RunIndirectWide(int rows, int kc, float* a, float* b, int* rowOffsets, int secondRun, float* c, int ldc,
                                       float beta, float* bias)
    {
        KernelCalls.Note(SimdPath.Avx512);
        switch (rows)
        {
            case 1: Wide<W512, Vector512<float>, R1>(kc, a, b, rowOffsets, secondRun, c, ldc, beta, bias); break;
            case 2: Wide<W512, Vector512<float>, R2>(kc, a, b, rowOffsets, secondRun, c, ldc, beta, bias); break;
            case 3: Wide<W512, Vector512<float>, R3>(kc, a, b, rowOffsets, secondRun, c, ldc, beta, bias); break;
            case 4: Wide<W512, Vector512<float>, R4>(kc, a, b, rowOffsets, secondRun, c, ldc, beta, bias); break;
            case 5: Wide<W512, Vector512<float>, R5>(kc, a, b, rowOffsets, secondRun, c, ldc, beta, bias); break;
            case 6: Wide<W512, Vector512<float>, R6>(kc, a, b, rowOffsets, secondRun, c, ldc, beta, bias); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    /// <summary>The two-run kernel: TR.N rows × four vectors, two from each run.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Wide<TW, TV, TR>(int kc, float* a, float* b, int* rowOffsets, int secondRun, float* c, int ldc, float beta, float* bias)
        where TW : struct, IWidth<TV> where TV : unmanaged where TR : struct, IRows
    {
        TV c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        TV c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
        TV c40 = default, c41 = default, c42 = default, c43 = default, c50 = default, c51 = default, c52 = default, c53 = default;
        int n = TW.Count;
        for (int p = 0; p < kc; p++)
        {
            float* bp = b + rowOffsets[p];
            TV b0 = TW.Load(bp), b1 = TW.Load(bp + n), b2 = TW.Load(bp + secondRun), b3 = TW.Load(bp + secondRun + n), av;
            av = TW.Splat(a[0]);
            c00 = TW.MulAdd(av, b0, c00); c01 = TW.MulAdd(av, b1, c01); c02 = TW.MulAdd(av, b2, c02); c03 = TW.MulAdd(av, b3, c03);
            if (TR.N > 1)
            {
                av = TW.Splat(a[1]);
                c10 = TW.MulAdd(av, b0, c10); c11 = TW.MulAdd(av, b1, c11); c12 = TW.MulAdd(av, b2, c12); c13 = TW.MulAdd(av, b3, c13);
            }
            if (TR.N > 2)
            {
                av = TW.Splat(a[2]);
                c20 = TW.MulAdd(av, b0, c20); c21 = TW.MulAdd(av, b1, c21); c22 = TW.MulAdd(av, b2, c22); c23 = TW.MulAdd(av, b3, c23);
            }
            if (TR.N > 3)
            {
                av = TW.Splat(a[3]);
                c30 = TW.MulAdd(av, b0, c30); c31 = TW.MulAdd(av, b1, c31); c32 = TW.MulAdd(av, b2, c32); c33 = TW.MulAdd(av, b3, c33);
            }
            if (TR.N > 4)
            {
                av = TW.Splat(a[4]);
                c40 = TW.MulAdd(av, b0, c40); c41 = TW.MulAdd(av, b1, c41); c42 = TW.MulAdd(av, b2, c42); c43 = TW.MulAdd(av, b3, c43);
            }
            if (TR.N > 5)
            {
                av = TW.Splat(a[5]);
                c50 = TW.MulAdd(av, b0, c50); c51 = TW.MulAdd(av, b1, c51); c52 = TW.MulAdd(av, b2, c52); c53 = TW.MulAdd(av, b3, c53);
            }
            a += TR.N;
        }
        int w = 2 * n;
        { StoreRow<TW, TV>(c, ldc, 0, c00, c01, 1f, beta, bias); StoreRow<TW, TV>(c + w, ldc, 0, c02, c03, 1f, beta, bias); }
        if (TR.N > 1) { StoreRow<TW, TV>(c, ldc, 1, c10, c11, 1f, beta, bias); StoreRow<TW, TV>(c + w, ldc, 1, c12, c13, 1f, beta, bias); }
        if (TR.N > 2) { StoreRow<TW, TV>(c, ldc, 2, c20, c21, 1f, beta, bias); StoreRow<TW, TV>(c + w, ldc, 2, c22, c23, 1f, beta, bias); }
        if (TR.N > 3) { StoreRow<TW, TV>(c, ldc, 3, c30, c31, 1f, beta, bias); StoreRow<TW, TV>(c + w, ldc, 3, c32, c33, 1f, beta, bias); }
        if (TR.N > 4) { StoreRow<TW, TV>(c, ldc, 4, c40, c41, 1f, beta, bias); StoreRow<TW, TV>(c + w, ldc, 4, c42, c43, 1f, beta, bias); }
        if (TR.N > 5) { StoreRow<TW, TV>(c, ldc, 5, c50, c51, 1f, beta, bias); StoreRow<TW, TV>(c + w, ldc, 5, c52, c53, 1f, beta, bias); }
    }
}
