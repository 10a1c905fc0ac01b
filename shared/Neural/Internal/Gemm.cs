using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SecureTransmit.Neural.Internal;

/// <summary>
/// Single-precision GEMM, <c>C = alpha·op(A)·op(B) + beta·C</c>, row-major, with BLAS semantics
/// (op(A) is m×k, op(B) is k×n; when beta is 0, C is not read, so NaNs in C do not leak).
/// <para>
/// Structure (Goto/BLIS): the k axis is cut into blocks of at most KC; for each block a slab of B
/// (KC×NC) is packed into NR-wide column panels and a block of A (MC×KC) into row panels of at most MR
/// rows; the microkernel (<see cref="GemmKernels"/>) keeps an MR×NR tile of C in registers while it
/// streams one A panel (L2) against one B panel (L1). Large products are split over the cores by
/// columns (or rows when C is tall and narrow), each thread with its own packing buffers; small ones
/// run on the calling thread.
/// </para>
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>Products below this many multiply-adds run on one thread.</summary>
    public const long ParallelThreshold = 1L << 18;

    public readonly record struct Blocking(int NR, int MR, int KC, int MC, int NC);

    /// <summary>For tuning experiments only (the benchmark's "tune" mode): replaces the blocking of every path.</summary>
    internal static Blocking? TuningOverride;

    public static Blocking BlockingFor(SimdPath path) => TuningOverride is { } t && path != SimdPath.Scalar ? t with { NR = path == SimdPath.Avx512 ? 32 : 16, MR = Math.Min(t.MR, path == SimdPath.Avx512 ? 12 : 6) } : path switch
    {
        SimdPath.Avx512 => new Blocking(32, 12, 256, 144, 2048),
        SimdPath.Avx2 => new Blocking(16, 6, 256, 120, 2048),
        _ => new Blocking(8, 4, 256, 64, 1024),
    };

    /// <summary>Span front end with bounds checks. Threads: 0 = all cores when the product is large.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
                             ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
                             float beta, Span<float> c, int ldc, SimdPath? path = null, int threads = 0)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"negative GEMM size m={m} n={n} k={k}");
        CheckOperand("A", a.Length, transA ? k : m, transA ? m : k, lda);
        CheckOperand("B", b.Length, transB ? n : k, transB ? k : n, ldb);
        CheckOperand("C", c.Length, m, n, ldc);
        var p = path ?? Simd.Active;
        if (!Simd.IsSupported(p)) throw new PlatformNotSupportedException($"this CPU cannot run the {p} path");
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
            Sgemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, p, threads);
    }

    private static void CheckOperand(string name, int length, int rows, int cols, int ld)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) throw new ArgumentException($"GEMM {name}: leading dimension {ld} < {cols} columns");
        if ((long)(rows - 1) * ld + cols > length)
            throw new ArgumentException($"GEMM {name}: {rows}x{cols} with ld {ld} needs {(long)(rows - 1) * ld + cols} values, got {length}");
    }

    /// <summary>Pointer entry. <paramref name="threads"/>: 0 = decide by size, 1 = calling thread only.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
                             float* a, int lda, float* b, int ldb, float beta, float* c, int ldc,
                             SimdPath path, int threads = 0)
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        long work = (long)m * n * k;
        int t = threads > 0 ? threads : work < ParallelThreshold ? 1 : Environment.ProcessorCount;
        var bl = BlockingFor(path);
        if (t > 1 && m >= t * bl.MR * 4)
        {
            SharedB(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, path, bl, t);
            return;
        }
        if (t > 1)
        {
            // Split columns in NR multiples when C is wide enough, else rows.
            int colChunks = Math.Min(t, n / (bl.NR * 2));
            int rowChunks = Math.Min(t, m / bl.MR);
            if (colChunks >= t || (colChunks >= rowChunks && colChunks > 1))
            {
                int parts = colChunks;
                int panels = (n + bl.NR - 1) / bl.NR;
                Parallel.For(0, parts, i =>
                {
                    int j0 = Math.Min(n, panels * i / parts * bl.NR), j1 = Math.Min(n, panels * (i + 1) / parts * bl.NR);
                    if (j1 > j0)
                        Serial(transA, transB, m, j1 - j0, k, alpha, a, lda,
                               transB ? b + (long)j0 * ldb : b + j0, ldb, beta, c + j0, ldc, path, bl);
                });
                return;
            }
            if (rowChunks > 1)
            {
                int parts = rowChunks;
                Parallel.For(0, parts, i =>
                {
                    int i0 = (int)((long)m * i / parts), i1 = (int)((long)m * (i + 1) / parts);
                    if (i1 > i0)
                        Serial(transA, transB, i1 - i0, n, k, alpha,
                               transA ? a + i0 : a + (long)i0 * lda, lda, b, ldb, beta, c + (long)i0 * ldc, ldc, path, bl);
                });
                return;
            }
        }
        Serial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, path, bl);
    }

    /// <summary>C = beta·C (beta 0 writes zeros without reading C).</summary>
    public static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f) row.Clear();
            else Elementwise.Scale(row, beta);
        }
    }

    /// <summary>Number of k blocks and the size of block <c>index</c>: near-equal blocks of at most KC.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int KBlocks(int k, int kcMax) => (k + kcMax - 1) / kcMax;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int KBlockStart(int k, int blocks, int index) => (int)((long)k * index / blocks);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Serial(bool transA, bool transB, int m, int n, int k, float alpha,
                               float* a, int lda, float* b, int ldb, float beta, float* c, int ldc,
                               SimdPath path, Blocking bl)
    {
        int kBlocks = KBlocks(k, bl.KC);
        int kcMax = (k + kBlocks - 1) / kBlocks;
        int ncMax = Math.Min(bl.NC, (n + bl.NR - 1) / bl.NR * bl.NR);
        int mcMax = Math.Min(bl.MC, m);
        float* bufB = Scratch.For(ScratchSlot.GemmB).Get(kcMax * ncMax);
        float* bufA = Scratch.For(ScratchSlot.GemmA).Get(kcMax * mcMax);
        for (int jc = 0; jc < n; jc += bl.NC)
        {
            int nc = Math.Min(bl.NC, n - jc);
            for (int kb = 0; kb < kBlocks; kb++)
            {
                int pc = KBlockStart(k, kBlocks, kb), kc = KBlockStart(k, kBlocks, kb + 1) - pc;
                PackB(transB, b, ldb, pc, kc, jc, nc, bufB, bl.NR);
                float betaBlock = kb == 0 ? beta : 1f;
                for (int ic = 0; ic < m; ic += bl.MC)
                {
                    int mc = Math.Min(bl.MC, m - ic);
                    PackA(transA, a, lda, ic, mc, pc, kc, bufA, bl.MR);
                    Macro(path, mc, nc, kc, bufA, bufB, c + (long)ic * ldc + jc, ldc, alpha, betaBlock, null, bl);
                }
            }
        }
    }

    /// <summary>
    /// The multi-threaded blocked loop: for each k block the workers first pack the shared slab of B
    /// together (each a share of its NR panels), then each computes its own share of C's rows, packing
    /// its own blocks of A. Nothing is packed twice.
    /// </summary>
    private static void SharedB(bool transA, bool transB, int m, int n, int k, float alpha,
                                float* a, int lda, float* b, int ldb, float beta, float* c, int ldc,
                                SimdPath path, Blocking bl, int threads)
    {
        int kBlocks = KBlocks(k, bl.KC);
        int kcMax = (k + kBlocks - 1) / kBlocks;
        int ncMax = Math.Min(bl.NC, (n + bl.NR - 1) / bl.NR * bl.NR);
        float* bufB = Scratch.For(ScratchSlot.GemmSharedB).Get(kcMax * ncMax);
        // Row shares in whole MR panels.
        int rowPanels = (m + bl.MR - 1) / bl.MR;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        for (int jc = 0; jc < n; jc += bl.NC)
        {
            int nc = Math.Min(bl.NC, n - jc);
            int panels = (nc + bl.NR - 1) / bl.NR;
            for (int kb = 0; kb < kBlocks; kb++)
            {
                int pc = KBlockStart(k, kBlocks, kb), kc = KBlockStart(k, kBlocks, kb + 1) - pc;
                int jcLocal = jc;
                Parallel.For(0, threads, options, w =>
                {
                    int p0 = panels * w / threads, p1 = panels * (w + 1) / threads;
                    if (p1 > p0)
                        PackB(transB, b, ldb, pc, kc, jcLocal + p0 * bl.NR, Math.Min(nc, p1 * bl.NR) - p0 * bl.NR, bufB + (long)p0 * bl.NR * kc, bl.NR);
                });
                float betaBlock = kb == 0 ? beta : 1f;
                Parallel.For(0, threads, options, w =>
                {
                    int r0 = Math.Min(m, rowPanels * w / threads * bl.MR), r1 = Math.Min(m, rowPanels * (w + 1) / threads * bl.MR);
                    if (r1 <= r0) return;
                    float* bufA = Scratch.For(ScratchSlot.GemmA).Get(kcMax * Math.Min(bl.MC, r1 - r0));
                    for (int ic = r0; ic < r1; ic += bl.MC)
                    {
                        int mc = Math.Min(bl.MC, r1 - ic);
                        PackA(transA, a, lda, ic, mc, pc, kc, bufA, bl.MR);
                        Macro(path, mc, nc, kc, bufA, bufB, c + (long)ic * ldc + jcLocal, ldc, alpha, betaBlock, null, bl);
                    }
                });
            }
        }
    }

    /// <summary>Rows of panel <paramref name="index"/> when <paramref name="m"/> rows are cut into near-equal panels of at most MR.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PanelCount(int m, int mr) => (m + mr - 1) / mr;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PanelStart(int m, int panels, int index) => m * index / panels;

    /// <summary>
    /// Packs rows [i0, i0+mc) × k-columns [p0, p0+kc) of op(A) into near-equal row panels of at most
    /// <paramref name="mr"/> rows; panel rows r0..r1 land at <c>dst + r0*kc</c>, k-major.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transA, float* a, int lda, int i0, int mc, int p0, int kc, float* dst, int mr)
    {
        int panels = PanelCount(mc, mr);
        for (int q = 0; q < panels; q++)
        {
            int r0 = PanelStart(mc, panels, q), rows = PanelStart(mc, panels, q + 1) - r0;
            float* d = dst + (long)r0 * kc;
            if (transA)
            {
                // op(A)[i, p] = A[p, i]: each k step reads `rows` contiguous values.
                float* src = a + (long)p0 * lda + i0 + r0;
                for (int p = 0; p < kc; p++, src += lda, d += rows)
                    for (int i = 0; i < rows; i++) d[i] = src[i];
            }
            else
            {
                for (int i = 0; i < rows; i++)
                {
                    float* src = a + (long)(i0 + r0 + i) * lda + p0;
                    float* di = d + i;
                    for (int p = 0; p < kc; p++) di[(long)p * rows] = src[p];
                }
            }
        }
    }

    /// <summary>
    /// Packs k-rows [p0, p0+kc) × columns [j0, j0+nc) of op(B) into NR-wide panels (zero-padded),
    /// panel j at <c>dst + j*NR*kc</c>, k-major.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transB, float* b, int ldb, int p0, int kc, int j0, int nc, float* dst, int nr)
    {
        for (int jp = 0; jp < nc; jp += nr)
        {
            int w = Math.Min(nr, nc - jp);
            float* d = dst + (long)jp * kc;
            if (transB)
            {
                // op(B)[p, j] = B[j, p]
                if (w < nr)
                    for (int p = 0; p < kc; p++) new Span<float>(d + (long)p * nr + w, nr - w).Clear();
                for (int j = 0; j < w; j++)
                {
                    float* src = b + (long)(j0 + jp + j) * ldb + p0;
                    float* dj = d + j;
                    for (int p = 0; p < kc; p++) dj[(long)p * nr] = src[p];
                }
            }
            else
            {
                float* src = b + (long)p0 * ldb + j0 + jp;
                if (w == nr && nr == 32 && Vector512.IsHardwareAccelerated)
                {
                    for (int p = 0; p < kc; p++, src += ldb, d += 32)
                    {
                        Vector512.Load(src).Store(d);
                        Vector512.Load(src + 16).Store(d + 16);
                    }
                }
                else if (w == nr && nr == 16 && Vector256.IsHardwareAccelerated)
                {
                    for (int p = 0; p < kc; p++, src += ldb, d += 16)
                    {
                        Vector256.Load(src).Store(d);
                        Vector256.Load(src + 8).Store(d + 8);
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += ldb, d += nr)
                    {
                        int j = 0;
                        for (; j < w; j++) d[j] = src[j];
                        for (; j < nr; j++) d[j] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Runs the microkernel over an mc×nc block of C from packed A (row panels as <see cref="PackA"/>)
    /// and packed B (NR panels). <paramref name="bias"/> (per row of the block, may be null) is added.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Macro(SimdPath path, int mc, int nc, int kc, float* packedA, float* packedB,
                             float* c, int ldc, float alpha, float beta, float* bias, Blocking bl)
    {
        int panels = PanelCount(mc, bl.MR);
        int nr = bl.NR;
        float* tile = stackalloc float[12 * 32];
        for (int jr = 0; jr < nc; jr += nr)
        {
            int w = Math.Min(nr, nc - jr);
            float* bp = packedB + (long)jr * kc;
            for (int q = 0; q < panels; q++)
            {
                int r0 = PanelStart(mc, panels, q), rows = PanelStart(mc, panels, q + 1) - r0;
                float* ap = packedA + (long)r0 * kc;
                float* cp = c + (long)r0 * ldc + jr;
                float* bq = bias == null ? null : bias + r0;
                if (w == nr)
                {
                    GemmKernels.Run(path, rows, kc, ap, bp, cp, ldc, alpha, beta, bq);
                }
                else
                {
                    GemmKernels.Run(path, rows, kc, ap, bp, tile, nr, 1f, 0f, null);
                    for (int i = 0; i < rows; i++)
                    {
                        float bi = bq == null ? 0f : bq[i];
                        float* crow = cp + (long)i * ldc;
                        float* trow = tile + i * nr;
                        if (beta == 0f) for (int j = 0; j < w; j++) crow[j] = alpha * trow[j] + bi;
                        else for (int j = 0; j < w; j++) crow[j] = alpha * trow[j] + beta * crow[j] + bi;
                    }
                }
            }
        }
    }
}
