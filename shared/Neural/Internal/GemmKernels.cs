using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SecureTransmit.Neural.Internal;

/// <summary>A compile-time row count: the JIT specializes a generic kernel per struct and folds
/// <c>TRows.N</c> to a constant, so the unused accumulators of a short panel disappear.</summary>
internal interface IRows { static abstract int N { get; } }

internal struct R1 : IRows { public static int N => 1; }
internal struct R2 : IRows { public static int N => 2; }
internal struct R3 : IRows { public static int N => 3; }
internal struct R4 : IRows { public static int N => 4; }
internal struct R5 : IRows { public static int N => 5; }
internal struct R6 : IRows { public static int N => 6; }
internal struct R7 : IRows { public static int N => 7; }
internal struct R8 : IRows { public static int N => 8; }
internal struct R9 : IRows { public static int N => 9; }
internal struct R10 : IRows { public static int N => 10; }
internal struct R11 : IRows { public static int N => 11; }
internal struct R12 : IRows { public static int N => 12; }

/// <summary>
/// GEMM microkernels over packed panels. A panel of A holds <c>rows</c> rows k-major
/// (<c>a[p*rows + i]</c>); a panel of B holds NR columns k-major (<c>b[p*NR + j]</c>). A kernel computes the
/// rows×NR tile <c>acc = Σ_p a[p,i]·b[p,j]</c> and stores <c>C = alpha·acc + beta·C + bias[i]</c>
/// (C is not read when beta is 0; <paramref name="bias"/> may be null).
/// </summary>
internal static unsafe class GemmKernels
{
    /// <summary>Columns of a B panel (NR) per path.</summary>
    public static int PanelWidth(SimdPath path) => path switch { SimdPath.Avx512 => 32, SimdPath.Avx2 => 16, _ => 8 };

    /// <summary>Most rows of an A panel (MR) per path.</summary>
    public static int MaxRows(SimdPath path) => path switch { SimdPath.Avx512 => 12, SimdPath.Avx2 => 6, _ => 4 };

    /// <summary>Runs the kernel of <paramref name="path"/> for a panel of <paramref name="rows"/> rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(SimdPath path, int rows, int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* bias)
    {
        switch (path)
        {
            case SimdPath.Avx512: Run512(rows, kc, a, b, c, ldc, alpha, beta, bias); break;
            case SimdPath.Avx2: Run256(rows, kc, a, b, c, ldc, alpha, beta, bias); break;
            default: RunScalar(rows, kc, a, b, c, ldc, alpha, beta, bias); break;
        }
    }

    private static void Run512(int rows, int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* bias)
    {
        switch (rows)
        {
            case 1: K512<R1>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 2: K512<R2>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 3: K512<R3>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 4: K512<R4>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 5: K512<R5>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 6: K512<R6>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 7: K512<R7>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 8: K512<R8>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 9: K512<R9>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 10: K512<R10>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 11: K512<R11>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 12: K512<R12>(kc, a, b, c, ldc, alpha, beta, bias); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    private static void Run256(int rows, int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* bias)
    {
        switch (rows)
        {
            case 1: K256<R1>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 2: K256<R2>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 3: K256<R3>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 4: K256<R4>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 5: K256<R5>(kc, a, b, c, ldc, alpha, beta, bias); break;
            case 6: K256<R6>(kc, a, b, c, ldc, alpha, beta, bias); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void K512<TR>(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* bias) where TR : struct, IRows
    {
        Vector512<float> c0x = default, c0y = default; Vector512<float> c1x = default, c1y = default; Vector512<float> c2x = default, c2y = default; Vector512<float> c3x = default, c3y = default; Vector512<float> c4x = default, c4y = default; Vector512<float> c5x = default, c5y = default; Vector512<float> c6x = default, c6y = default; Vector512<float> c7x = default, c7y = default; Vector512<float> c8x = default, c8y = default; Vector512<float> c9x = default, c9y = default; Vector512<float> c10x = default, c10y = default; Vector512<float> c11x = default, c11y = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            Vector512<float> av;
            { av = Vector512.Create(a[0]); c0x = Avx512F.FusedMultiplyAdd(av, b0, c0x); c0y = Avx512F.FusedMultiplyAdd(av, b1, c0y); }
            if (TR.N > 1) { av = Vector512.Create(a[1]); c1x = Avx512F.FusedMultiplyAdd(av, b0, c1x); c1y = Avx512F.FusedMultiplyAdd(av, b1, c1y); }
            if (TR.N > 2) { av = Vector512.Create(a[2]); c2x = Avx512F.FusedMultiplyAdd(av, b0, c2x); c2y = Avx512F.FusedMultiplyAdd(av, b1, c2y); }
            if (TR.N > 3) { av = Vector512.Create(a[3]); c3x = Avx512F.FusedMultiplyAdd(av, b0, c3x); c3y = Avx512F.FusedMultiplyAdd(av, b1, c3y); }
            if (TR.N > 4) { av = Vector512.Create(a[4]); c4x = Avx512F.FusedMultiplyAdd(av, b0, c4x); c4y = Avx512F.FusedMultiplyAdd(av, b1, c4y); }
            if (TR.N > 5) { av = Vector512.Create(a[5]); c5x = Avx512F.FusedMultiplyAdd(av, b0, c5x); c5y = Avx512F.FusedMultiplyAdd(av, b1, c5y); }
            if (TR.N > 6) { av = Vector512.Create(a[6]); c6x = Avx512F.FusedMultiplyAdd(av, b0, c6x); c6y = Avx512F.FusedMultiplyAdd(av, b1, c6y); }
            if (TR.N > 7) { av = Vector512.Create(a[7]); c7x = Avx512F.FusedMultiplyAdd(av, b0, c7x); c7y = Avx512F.FusedMultiplyAdd(av, b1, c7y); }
            if (TR.N > 8) { av = Vector512.Create(a[8]); c8x = Avx512F.FusedMultiplyAdd(av, b0, c8x); c8y = Avx512F.FusedMultiplyAdd(av, b1, c8y); }
            if (TR.N > 9) { av = Vector512.Create(a[9]); c9x = Avx512F.FusedMultiplyAdd(av, b0, c9x); c9y = Avx512F.FusedMultiplyAdd(av, b1, c9y); }
            if (TR.N > 10) { av = Vector512.Create(a[10]); c10x = Avx512F.FusedMultiplyAdd(av, b0, c10x); c10y = Avx512F.FusedMultiplyAdd(av, b1, c10y); }
            if (TR.N > 11) { av = Vector512.Create(a[11]); c11x = Avx512F.FusedMultiplyAdd(av, b0, c11x); c11y = Avx512F.FusedMultiplyAdd(av, b1, c11y); }
            a += TR.N;
            b += 32;
        }
        Store512(c + 0 * ldc, c0x, c0y, alpha, beta, bias == null ? 0f : bias[0]);
        if (TR.N > 1) Store512(c + 1 * ldc, c1x, c1y, alpha, beta, bias == null ? 0f : bias[1]);
        if (TR.N > 2) Store512(c + 2 * ldc, c2x, c2y, alpha, beta, bias == null ? 0f : bias[2]);
        if (TR.N > 3) Store512(c + 3 * ldc, c3x, c3y, alpha, beta, bias == null ? 0f : bias[3]);
        if (TR.N > 4) Store512(c + 4 * ldc, c4x, c4y, alpha, beta, bias == null ? 0f : bias[4]);
        if (TR.N > 5) Store512(c + 5 * ldc, c5x, c5y, alpha, beta, bias == null ? 0f : bias[5]);
        if (TR.N > 6) Store512(c + 6 * ldc, c6x, c6y, alpha, beta, bias == null ? 0f : bias[6]);
        if (TR.N > 7) Store512(c + 7 * ldc, c7x, c7y, alpha, beta, bias == null ? 0f : bias[7]);
        if (TR.N > 8) Store512(c + 8 * ldc, c8x, c8y, alpha, beta, bias == null ? 0f : bias[8]);
        if (TR.N > 9) Store512(c + 9 * ldc, c9x, c9y, alpha, beta, bias == null ? 0f : bias[9]);
        if (TR.N > 10) Store512(c + 10 * ldc, c10x, c10y, alpha, beta, bias == null ? 0f : bias[10]);
        if (TR.N > 11) Store512(c + 11 * ldc, c11x, c11y, alpha, beta, bias == null ? 0f : bias[11]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> x, Vector512<float> y, float alpha, float beta, float bias)
    {
        if (alpha != 1f) { x *= alpha; y *= alpha; }
        if (beta == 1f) { x += Vector512.Load(c); y += Vector512.Load(c + 16); }
        else if (beta != 0f) { x = Avx512F.FusedMultiplyAdd(Vector512.Load(c), Vector512.Create(beta), x); y = Avx512F.FusedMultiplyAdd(Vector512.Load(c + 16), Vector512.Create(beta), y); }
        if (bias != 0f) { var bv = Vector512.Create(bias); x += bv; y += bv; }
        x.Store(c);
        y.Store(c + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void K256<TR>(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* bias) where TR : struct, IRows
    {
        Vector256<float> c0x = default, c0y = default; Vector256<float> c1x = default, c1y = default; Vector256<float> c2x = default, c2y = default; Vector256<float> c3x = default, c3y = default; Vector256<float> c4x = default, c4y = default; Vector256<float> c5x = default, c5y = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            Vector256<float> av;
            { av = Vector256.Create(a[0]); c0x = Fma.MultiplyAdd(av, b0, c0x); c0y = Fma.MultiplyAdd(av, b1, c0y); }
            if (TR.N > 1) { av = Vector256.Create(a[1]); c1x = Fma.MultiplyAdd(av, b0, c1x); c1y = Fma.MultiplyAdd(av, b1, c1y); }
            if (TR.N > 2) { av = Vector256.Create(a[2]); c2x = Fma.MultiplyAdd(av, b0, c2x); c2y = Fma.MultiplyAdd(av, b1, c2y); }
            if (TR.N > 3) { av = Vector256.Create(a[3]); c3x = Fma.MultiplyAdd(av, b0, c3x); c3y = Fma.MultiplyAdd(av, b1, c3y); }
            if (TR.N > 4) { av = Vector256.Create(a[4]); c4x = Fma.MultiplyAdd(av, b0, c4x); c4y = Fma.MultiplyAdd(av, b1, c4y); }
            if (TR.N > 5) { av = Vector256.Create(a[5]); c5x = Fma.MultiplyAdd(av, b0, c5x); c5y = Fma.MultiplyAdd(av, b1, c5y); }
            a += TR.N;
            b += 16;
        }
        Store256(c + 0 * ldc, c0x, c0y, alpha, beta, bias == null ? 0f : bias[0]);
        if (TR.N > 1) Store256(c + 1 * ldc, c1x, c1y, alpha, beta, bias == null ? 0f : bias[1]);
        if (TR.N > 2) Store256(c + 2 * ldc, c2x, c2y, alpha, beta, bias == null ? 0f : bias[2]);
        if (TR.N > 3) Store256(c + 3 * ldc, c3x, c3y, alpha, beta, bias == null ? 0f : bias[3]);
        if (TR.N > 4) Store256(c + 4 * ldc, c4x, c4y, alpha, beta, bias == null ? 0f : bias[4]);
        if (TR.N > 5) Store256(c + 5 * ldc, c5x, c5y, alpha, beta, bias == null ? 0f : bias[5]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> x, Vector256<float> y, float alpha, float beta, float bias)
    {
        if (alpha != 1f) { x *= alpha; y *= alpha; }
        if (beta == 1f) { x += Vector256.Load(c); y += Vector256.Load(c + 8); }
        else if (beta != 0f) { x = Fma.MultiplyAdd(Vector256.Load(c), Vector256.Create(beta), x); y = Fma.MultiplyAdd(Vector256.Load(c + 8), Vector256.Create(beta), y); }
        if (bias != 0f) { var bv = Vector256.Create(bias); x += bv; y += bv; }
        x.Store(c);
        y.Store(c + 8);
    }


    /// <summary>
    /// As <see cref="Run"/>, but B is not packed: k-row p of the NR-wide panel starts at
    /// <c>b + rowOffsets[p]</c> (an image row of the zero-bordered input, for implicit im2col). AVX paths only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RunIndirect(SimdPath path, int rows, int kc, float* a, float* b, int* rowOffsets, float* c, int ldc, float beta, float* bias)
    {
        if (path == SimdPath.Avx512)
        {
            switch (rows)
            {
                case 1: I512<R1>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 2: I512<R2>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 3: I512<R3>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 4: I512<R4>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 5: I512<R5>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 6: I512<R6>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 7: I512<R7>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 8: I512<R8>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 9: I512<R9>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 10: I512<R10>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 11: I512<R11>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 12: I512<R12>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                default: throw new ArgumentOutOfRangeException(nameof(rows));
            }
        }
        else if (path == SimdPath.Avx2)
        {
            switch (rows)
            {
                case 1: I256<R1>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 2: I256<R2>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 3: I256<R3>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 4: I256<R4>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 5: I256<R5>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                case 6: I256<R6>(kc, a, b, rowOffsets, c, ldc, beta, bias); break;
                default: throw new ArgumentOutOfRangeException(nameof(rows));
            }
        }
        else throw new ArgumentException("the indirect kernel needs a vector path", nameof(path));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void I512<TR>(int kc, float* a, float* b, int* rowOffsets, float* c, int ldc, float beta, float* bias) where TR : struct, IRows
    {
        Vector512<float> c0x = default, c0y = default; Vector512<float> c1x = default, c1y = default; Vector512<float> c2x = default, c2y = default; Vector512<float> c3x = default, c3y = default; Vector512<float> c4x = default, c4y = default; Vector512<float> c5x = default, c5y = default; Vector512<float> c6x = default, c6y = default; Vector512<float> c7x = default, c7y = default; Vector512<float> c8x = default, c8y = default; Vector512<float> c9x = default, c9y = default; Vector512<float> c10x = default, c10y = default; Vector512<float> c11x = default, c11y = default;
        for (int p = 0; p < kc; p++)
        {
            float* bp = b + rowOffsets[p];
            var b0 = Vector512.Load(bp);
            var b1 = Vector512.Load(bp + 16);
            Vector512<float> av;
            { av = Vector512.Create(a[0]); c0x = Avx512F.FusedMultiplyAdd(av, b0, c0x); c0y = Avx512F.FusedMultiplyAdd(av, b1, c0y); }
            if (TR.N > 1) { av = Vector512.Create(a[1]); c1x = Avx512F.FusedMultiplyAdd(av, b0, c1x); c1y = Avx512F.FusedMultiplyAdd(av, b1, c1y); }
            if (TR.N > 2) { av = Vector512.Create(a[2]); c2x = Avx512F.FusedMultiplyAdd(av, b0, c2x); c2y = Avx512F.FusedMultiplyAdd(av, b1, c2y); }
            if (TR.N > 3) { av = Vector512.Create(a[3]); c3x = Avx512F.FusedMultiplyAdd(av, b0, c3x); c3y = Avx512F.FusedMultiplyAdd(av, b1, c3y); }
            if (TR.N > 4) { av = Vector512.Create(a[4]); c4x = Avx512F.FusedMultiplyAdd(av, b0, c4x); c4y = Avx512F.FusedMultiplyAdd(av, b1, c4y); }
            if (TR.N > 5) { av = Vector512.Create(a[5]); c5x = Avx512F.FusedMultiplyAdd(av, b0, c5x); c5y = Avx512F.FusedMultiplyAdd(av, b1, c5y); }
            if (TR.N > 6) { av = Vector512.Create(a[6]); c6x = Avx512F.FusedMultiplyAdd(av, b0, c6x); c6y = Avx512F.FusedMultiplyAdd(av, b1, c6y); }
            if (TR.N > 7) { av = Vector512.Create(a[7]); c7x = Avx512F.FusedMultiplyAdd(av, b0, c7x); c7y = Avx512F.FusedMultiplyAdd(av, b1, c7y); }
            if (TR.N > 8) { av = Vector512.Create(a[8]); c8x = Avx512F.FusedMultiplyAdd(av, b0, c8x); c8y = Avx512F.FusedMultiplyAdd(av, b1, c8y); }
            if (TR.N > 9) { av = Vector512.Create(a[9]); c9x = Avx512F.FusedMultiplyAdd(av, b0, c9x); c9y = Avx512F.FusedMultiplyAdd(av, b1, c9y); }
            if (TR.N > 10) { av = Vector512.Create(a[10]); c10x = Avx512F.FusedMultiplyAdd(av, b0, c10x); c10y = Avx512F.FusedMultiplyAdd(av, b1, c10y); }
            if (TR.N > 11) { av = Vector512.Create(a[11]); c11x = Avx512F.FusedMultiplyAdd(av, b0, c11x); c11y = Avx512F.FusedMultiplyAdd(av, b1, c11y); }
            a += TR.N;
        }
        Store512(c + 0 * ldc, c0x, c0y, 1f, beta, bias == null ? 0f : bias[0]);
        if (TR.N > 1) Store512(c + 1 * ldc, c1x, c1y, 1f, beta, bias == null ? 0f : bias[1]);
        if (TR.N > 2) Store512(c + 2 * ldc, c2x, c2y, 1f, beta, bias == null ? 0f : bias[2]);
        if (TR.N > 3) Store512(c + 3 * ldc, c3x, c3y, 1f, beta, bias == null ? 0f : bias[3]);
        if (TR.N > 4) Store512(c + 4 * ldc, c4x, c4y, 1f, beta, bias == null ? 0f : bias[4]);
        if (TR.N > 5) Store512(c + 5 * ldc, c5x, c5y, 1f, beta, bias == null ? 0f : bias[5]);
        if (TR.N > 6) Store512(c + 6 * ldc, c6x, c6y, 1f, beta, bias == null ? 0f : bias[6]);
        if (TR.N > 7) Store512(c + 7 * ldc, c7x, c7y, 1f, beta, bias == null ? 0f : bias[7]);
        if (TR.N > 8) Store512(c + 8 * ldc, c8x, c8y, 1f, beta, bias == null ? 0f : bias[8]);
        if (TR.N > 9) Store512(c + 9 * ldc, c9x, c9y, 1f, beta, bias == null ? 0f : bias[9]);
        if (TR.N > 10) Store512(c + 10 * ldc, c10x, c10y, 1f, beta, bias == null ? 0f : bias[10]);
        if (TR.N > 11) Store512(c + 11 * ldc, c11x, c11y, 1f, beta, bias == null ? 0f : bias[11]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void I256<TR>(int kc, float* a, float* b, int* rowOffsets, float* c, int ldc, float beta, float* bias) where TR : struct, IRows
    {
        Vector256<float> c0x = default, c0y = default; Vector256<float> c1x = default, c1y = default; Vector256<float> c2x = default, c2y = default; Vector256<float> c3x = default, c3y = default; Vector256<float> c4x = default, c4y = default; Vector256<float> c5x = default, c5y = default;
        for (int p = 0; p < kc; p++)
        {
            float* bp = b + rowOffsets[p];
            var b0 = Vector256.Load(bp);
            var b1 = Vector256.Load(bp + 8);
            Vector256<float> av;
            { av = Vector256.Create(a[0]); c0x = Fma.MultiplyAdd(av, b0, c0x); c0y = Fma.MultiplyAdd(av, b1, c0y); }
            if (TR.N > 1) { av = Vector256.Create(a[1]); c1x = Fma.MultiplyAdd(av, b0, c1x); c1y = Fma.MultiplyAdd(av, b1, c1y); }
            if (TR.N > 2) { av = Vector256.Create(a[2]); c2x = Fma.MultiplyAdd(av, b0, c2x); c2y = Fma.MultiplyAdd(av, b1, c2y); }
            if (TR.N > 3) { av = Vector256.Create(a[3]); c3x = Fma.MultiplyAdd(av, b0, c3x); c3y = Fma.MultiplyAdd(av, b1, c3y); }
            if (TR.N > 4) { av = Vector256.Create(a[4]); c4x = Fma.MultiplyAdd(av, b0, c4x); c4y = Fma.MultiplyAdd(av, b1, c4y); }
            if (TR.N > 5) { av = Vector256.Create(a[5]); c5x = Fma.MultiplyAdd(av, b0, c5x); c5y = Fma.MultiplyAdd(av, b1, c5y); }
            a += TR.N;
        }
        Store256(c + 0 * ldc, c0x, c0y, 1f, beta, bias == null ? 0f : bias[0]);
        if (TR.N > 1) Store256(c + 1 * ldc, c1x, c1y, 1f, beta, bias == null ? 0f : bias[1]);
        if (TR.N > 2) Store256(c + 2 * ldc, c2x, c2y, 1f, beta, bias == null ? 0f : bias[2]);
        if (TR.N > 3) Store256(c + 3 * ldc, c3x, c3y, 1f, beta, bias == null ? 0f : bias[3]);
        if (TR.N > 4) Store256(c + 4 * ldc, c4x, c4y, 1f, beta, bias == null ? 0f : bias[4]);
        if (TR.N > 5) Store256(c + 5 * ldc, c5x, c5y, 1f, beta, bias == null ? 0f : bias[5]);
    }


    /// <summary>
    /// Indirect kernel for few rows (≤ 6): a 64-wide tile from two 32-wide B runs, the second
    /// <paramref name="secondRun"/> floats after the first (the next image row, or the next 32 columns),
    /// stored as 64 contiguous floats of each C row. Four accumulators per row keep the FMA pipes busy
    /// where a 32-wide tile of 3 rows would wait on FMA latency. AVX-512 only.
    /// </summary>
    public static void RunIndirectWide(int rows, int kc, float* a, float* b, int* rowOffsets, int secondRun, float* c, int ldc, float beta, float* bias)
    {
        switch (rows)
        {
            case 1: W512<R1>(kc, a, b, rowOffsets, secondRun, c, ldc, beta, bias); break;
            case 2: W512<R2>(kc, a, b, rowOffsets, secondRun, c, ldc, beta, bias); break;
            case 3: W512<R3>(kc, a, b, rowOffsets, secondRun, c, ldc, beta, bias); break;
            case 4: W512<R4>(kc, a, b, rowOffsets, secondRun, c, ldc, beta, bias); break;
            case 5: W512<R5>(kc, a, b, rowOffsets, secondRun, c, ldc, beta, bias); break;
            case 6: W512<R6>(kc, a, b, rowOffsets, secondRun, c, ldc, beta, bias); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void W512<TR>(int kc, float* a, float* b, int* rowOffsets, int secondRun, float* c, int ldc, float beta, float* bias) where TR : struct, IRows
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default; Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default; Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default; Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default; Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default; Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
        for (int p = 0; p < kc; p++)
        {
            float* bp = b + rowOffsets[p];
            var b0 = Vector512.Load(bp);
            var b1 = Vector512.Load(bp + 16);
            var b2 = Vector512.Load(bp + secondRun);
            var b3 = Vector512.Load(bp + secondRun + 16);
            Vector512<float> av;
            { av = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(av, b0, c00); c01 = Avx512F.FusedMultiplyAdd(av, b1, c01); c02 = Avx512F.FusedMultiplyAdd(av, b2, c02); c03 = Avx512F.FusedMultiplyAdd(av, b3, c03); }
            if (TR.N > 1) { av = Vector512.Create(a[1]); c10 = Avx512F.FusedMultiplyAdd(av, b0, c10); c11 = Avx512F.FusedMultiplyAdd(av, b1, c11); c12 = Avx512F.FusedMultiplyAdd(av, b2, c12); c13 = Avx512F.FusedMultiplyAdd(av, b3, c13); }
            if (TR.N > 2) { av = Vector512.Create(a[2]); c20 = Avx512F.FusedMultiplyAdd(av, b0, c20); c21 = Avx512F.FusedMultiplyAdd(av, b1, c21); c22 = Avx512F.FusedMultiplyAdd(av, b2, c22); c23 = Avx512F.FusedMultiplyAdd(av, b3, c23); }
            if (TR.N > 3) { av = Vector512.Create(a[3]); c30 = Avx512F.FusedMultiplyAdd(av, b0, c30); c31 = Avx512F.FusedMultiplyAdd(av, b1, c31); c32 = Avx512F.FusedMultiplyAdd(av, b2, c32); c33 = Avx512F.FusedMultiplyAdd(av, b3, c33); }
            if (TR.N > 4) { av = Vector512.Create(a[4]); c40 = Avx512F.FusedMultiplyAdd(av, b0, c40); c41 = Avx512F.FusedMultiplyAdd(av, b1, c41); c42 = Avx512F.FusedMultiplyAdd(av, b2, c42); c43 = Avx512F.FusedMultiplyAdd(av, b3, c43); }
            if (TR.N > 5) { av = Vector512.Create(a[5]); c50 = Avx512F.FusedMultiplyAdd(av, b0, c50); c51 = Avx512F.FusedMultiplyAdd(av, b1, c51); c52 = Avx512F.FusedMultiplyAdd(av, b2, c52); c53 = Avx512F.FusedMultiplyAdd(av, b3, c53); }
            a += TR.N;
        }
        { float bi = bias == null ? 0f : bias[0]; Store512(c + 0 * ldc, c00, c01, 1f, beta, bi); Store512(c + 0 * ldc + 32, c02, c03, 1f, beta, bi); }
        if (TR.N > 1) { float bi = bias == null ? 0f : bias[1]; Store512(c + 1 * ldc, c10, c11, 1f, beta, bi); Store512(c + 1 * ldc + 32, c12, c13, 1f, beta, bi); }
        if (TR.N > 2) { float bi = bias == null ? 0f : bias[2]; Store512(c + 2 * ldc, c20, c21, 1f, beta, bi); Store512(c + 2 * ldc + 32, c22, c23, 1f, beta, bi); }
        if (TR.N > 3) { float bi = bias == null ? 0f : bias[3]; Store512(c + 3 * ldc, c30, c31, 1f, beta, bi); Store512(c + 3 * ldc + 32, c32, c33, 1f, beta, bi); }
        if (TR.N > 4) { float bi = bias == null ? 0f : bias[4]; Store512(c + 4 * ldc, c40, c41, 1f, beta, bi); Store512(c + 4 * ldc + 32, c42, c43, 1f, beta, bi); }
        if (TR.N > 5) { float bi = bias == null ? 0f : bias[5]; Store512(c + 5 * ldc, c50, c51, 1f, beta, bi); Store512(c + 5 * ldc + 32, c52, c53, 1f, beta, bi); }
    }

    /// <summary>Portable kernel: up to 4 rows × 8 columns, plain multiply-add.</summary>
    private static void RunScalar(int rows, int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* bias)
    {
        const int nr = 8;
        float* acc = stackalloc float[4 * nr];
        new Span<float>(acc, 4 * nr).Clear();
        for (int p = 0; p < kc; p++)
        {
            for (int i = 0; i < rows; i++)
            {
                float ai = a[i];
                float* row = acc + i * nr;
                for (int j = 0; j < nr; j++) row[j] += ai * b[j];
            }
            a += rows;
            b += nr;
        }
        for (int i = 0; i < rows; i++)
        {
            float bi = bias == null ? 0f : bias[i];
            float* crow = c + i * ldc;
            for (int j = 0; j < nr; j++)
            {
                float v = alpha * acc[i * nr + j] + bi;
                crow[j] = beta == 0f ? v : v + beta * crow[j];
            }
        }
    }
}
