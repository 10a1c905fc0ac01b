using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SecureTransmit.Neural.Internal;

/// <summary>
/// Stride-1 "same" convolution of one image by implicit im2col + the GEMM microkernels.
/// <para>
/// The image [C,H,W] is first copied into a zero-bordered buffer [C, H+k−1, W+k−1] (top/left border
/// <c>pad</c>, bottom/right <c>k−1−pad</c>); then the column matrix col[(c,dh,dw), (h,w)] =
/// padded[c, h+dh, w+dw] is never stored whole: each NR-wide panel of it is packed straight from the
/// padded image (runs of one image row are plain copies) and consumed at once by the microkernel
/// against the packed weights [O, C·k·k], so the working set stays in L1/L2.
/// </para>
/// </summary>
internal static unsafe class ConvEngine
{
    /// <summary>Largest k block of the conv GEMM (K = C·k·k is cut into near-equal blocks).</summary>
    public const int KcMax = 512;

    /// <summary>Floats needed for packed weights of an [O, K] matrix.</summary>
    public static int PackedWeightSize(int outChannels, int kTotal) => outChannels * kTotal;

    /// <summary>
    /// Packs weights [O, K] (row-major, K = C·k·k) into row panels per k block: block b (k range
    /// [s_b, e_b)) starts at <c>dst + O·s_b</c>.
    /// </summary>
    public static void PackWeights(float* w, int outChannels, int kTotal, float* dst, SimdPath path)
    {
        var bl = Gemm.BlockingFor(path);
        int blocks = Gemm.KBlocks(kTotal, KcMax);
        for (int b = 0; b < blocks; b++)
        {
            int s = Gemm.KBlockStart(kTotal, blocks, b), e = Gemm.KBlockStart(kTotal, blocks, b + 1);
            Gemm.PackA(false, w, kTotal, 0, outChannels, s, e - s, dst + (long)outChannels * s, bl.MR);
        }
    }

    /// <summary>Copies image [C,H,W] into the zero-bordered [C, H+k−1, W+k−1] buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pad(float* x, int c, int h, int w, int k, int pad, float* dst)
    {
        int hp = h + k - 1, wp = w + k - 1;
        if (k == 1) { Buffer.MemoryCopy(x, dst, (long)c * h * w * 4, (long)c * h * w * 4); return; }
        for (int ci = 0; ci < c; ci++)
        {
            float* plane = dst + (long)ci * hp * wp;
            new Span<float>(plane, pad * wp).Clear();
            new Span<float>(plane + (long)(pad + h) * wp, (hp - pad - h) * wp).Clear();
            for (int r = 0; r < h; r++)
            {
                float* row = plane + (long)(r + pad) * wp;
                for (int j = 0; j < pad; j++) row[j] = 0f;
                Copy(x + ((long)ci * h + r) * w, row + pad, w);
                for (int j = pad + w; j < wp; j++) row[j] = 0f;
            }
        }
    }

    /// <summary>Copies n floats (widest vectors first, then 8-, 4-wide and single steps for the tail).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* src, float* dst, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) Vector512.Load(src + i).Store(dst + i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.Load(src + i).Store(dst + i);
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 4; i += 4) Vector128.Load(src + i).Store(dst + i);
        for (; i < n; i++) dst[i] = src[i];
    }

    /// <summary>Offsets in the padded image of col row kk = (c, dh, dw), for kk in [0, C·k·k).</summary>
    public static int[] RowOffsets(int c, int h, int w, int k)
    {
        int hp = h + k - 1, wp = w + k - 1;
        var off = new int[c * k * k];
        for (int ci = 0, kk = 0; ci < c; ci++)
            for (int dh = 0; dh < k; dh++)
                for (int dw = 0; dw < k; dw++, kk++)
                    off[kk] = ci * hp * wp + dh * wp + dw;
        return off;
    }

    /// <summary>
    /// Packs columns [p0, p0+width) of col rows [k0, k0+kc) into a k-major panel of <paramref name="nr"/>
    /// columns (zero beyond width).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackPanel(float* padded, int* rowOffsets, int w, int wp, int k0, int kc, int p0, int width, int nr, float* dst)
    {
        // Split the columns into runs that stay in one image row.
        int* runStart = stackalloc int[nr + 1];
        int* runLen = stackalloc int[nr + 1];
        int* runBase = stackalloc int[nr + 1];
        int runs = 0;
        for (int j = 0; j < width;)
        {
            int p = p0 + j, h = p / w, col = p - h * w;
            int len = Math.Min(width - j, w - col);
            runStart[runs] = j; runLen[runs] = len; runBase[runs] = h * wp + col; runs++;
            j += len;
        }
        if (runs == 1 && width == nr)
        {
            int b = runBase[0];
            if (nr == 32 && Vector512.IsHardwareAccelerated)
            {
                for (int kk = 0; kk < kc; kk++)
                {
                    float* s = padded + rowOffsets[k0 + kk] + b;
                    float* d = dst + kk * 32;
                    Vector512.Load(s).Store(d);
                    Vector512.Load(s + 16).Store(d + 16);
                }
                return;
            }
            for (int kk = 0; kk < kc; kk++) Copy(padded + rowOffsets[k0 + kk] + b, dst + kk * nr, nr);
            return;
        }
        for (int kk = 0; kk < kc; kk++)
        {
            float* src = padded + rowOffsets[k0 + kk];
            float* d = dst + kk * nr;
            for (int r = 0; r < runs; r++) Copy(src + runBase[r], d + runStart[r], runLen[r]);
            for (int j = width; j < nr; j++) d[j] = 0f;
        }
    }

    /// <summary>Writes the column matrix col[K, H·W] of a padded image: row kk at <c>col + kk·ldcol</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Im2Col(float* padded, int* rowOffsets, int kTotal, int h, int w, int wp, float* col, int ldcol)
    {
        for (int kk = 0; kk < kTotal; kk++)
        {
            float* src = padded + rowOffsets[kk];
            float* d = col + (long)kk * ldcol;
            if (w == wp) Copy(src, d, h * w);
            else for (int r = 0; r < h; r++) Copy(src + r * wp, d + r * w, w);
        }
    }

    /// <summary>
    /// y[O, H·W] = Wpacked · col(padded) (+ bias) for one image, all k blocks. <paramref name="panel"/> holds
    /// at least KcMax·NR floats; <paramref name="tile"/> at least 12·32.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(SimdPath path, float* padded, int* rowOffsets, int kTotal, int h, int w, int wp,
                               float* packedW, int outChannels, float* bias, float* y, float* panel, float* tile)
    {
        var bl = Gemm.BlockingFor(path);
        int nr = bl.NR, hw = h * w;
        int blocks = Gemm.KBlocks(kTotal, KcMax);
        int rowPanels = Gemm.PanelCount(outChannels, bl.MR);
        // When every NR-wide panel is a whole run of one image row, the kernel reads B straight from the
        // padded image (no packing copy): the common 32-wide tiles on the AVX paths.
        bool direct = path != SimdPath.Scalar && w % nr == 0;
        // Few output channels: two 32-wide runs per tile (see GemmKernels.RunIndirectWide).
        // A pair of panels is rows h and h+1 when w = 32, or columns x and x+32 of one row when 64 divides w.
        bool wide = direct && path == SimdPath.Avx512 && outChannels <= 6 && (w == 32 || w % 64 == 0);
        int secondRun = w == 32 ? wp : 32;
        for (int jr = 0; jr < hw; jr += nr)
        {
            int width = Math.Min(nr, hw - jr);
            if (wide && hw - jr >= 2 * nr)
            {
                int hRow = jr / w;
                float* bBase = padded + hRow * wp + (jr - hRow * w);
                for (int b = 0; b < blocks; b++)
                {
                    int ks = Gemm.KBlockStart(kTotal, blocks, b), kc = Gemm.KBlockStart(kTotal, blocks, b + 1) - ks;
                    GemmKernels.RunIndirectWide(outChannels, kc, packedW + (long)outChannels * ks, bBase, rowOffsets + ks, secondRun,
                                                y + jr, hw, b == 0 ? 0f : 1f, b == 0 ? bias : null);
                }
                jr += nr; // this tile covered two panels
                continue;
            }
            if (direct)
            {
                int hRow = jr / w;
                float* bBase = padded + hRow * wp + (jr - hRow * w);
                for (int b = 0; b < blocks; b++)
                {
                    int ks = Gemm.KBlockStart(kTotal, blocks, b), kc = Gemm.KBlockStart(kTotal, blocks, b + 1) - ks;
                    float* aBlock = packedW + (long)outChannels * ks;
                    for (int q = 0; q < rowPanels; q++)
                    {
                        int r0 = Gemm.PanelStart(outChannels, rowPanels, q), rows = Gemm.PanelStart(outChannels, rowPanels, q + 1) - r0;
                        GemmKernels.RunIndirect(path, rows, kc, aBlock + (long)r0 * kc, bBase, rowOffsets + ks,
                                                y + (long)r0 * hw + jr, hw, b == 0 ? 0f : 1f, b == 0 && bias != null ? bias + r0 : null);
                    }
                }
                continue;
            }
            for (int b = 0; b < blocks; b++)
            {
                int ks = Gemm.KBlockStart(kTotal, blocks, b), kc = Gemm.KBlockStart(kTotal, blocks, b + 1) - ks;
                PackPanel(padded, rowOffsets, w, wp, ks, kc, jr, width, nr, panel);
                float beta = b == 0 ? 0f : 1f;
                float* aBlock = packedW + (long)outChannels * ks;
                for (int q = 0; q < rowPanels; q++)
                {
                    int r0 = Gemm.PanelStart(outChannels, rowPanels, q), rows = Gemm.PanelStart(outChannels, rowPanels, q + 1) - r0;
                    float* bq = b == 0 && bias != null ? bias + r0 : null;
                    float* cp = y + (long)r0 * hw + jr;
                    if (width == nr)
                    {
                        GemmKernels.Run(path, rows, kc, aBlock + (long)r0 * kc, panel, cp, hw, 1f, beta, bq);
                    }
                    else
                    {
                        GemmKernels.Run(path, rows, kc, aBlock + (long)r0 * kc, panel, tile, nr, 1f, 0f, null);
                        for (int i = 0; i < rows; i++)
                        {
                            float add = bq == null ? 0f : bq[i];
                            float* crow = cp + (long)i * hw;
                            float* trow = tile + i * nr;
                            if (beta == 0f) for (int j = 0; j < width; j++) crow[j] = trow[j] + add;
                            else for (int j = 0; j < width; j++) crow[j] += trow[j] + add;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Adds Σ over each row of x[rows, len] into acc[rows].</summary>
    public static void AccumulateRowSums(float* x, int rows, int len, float* acc)
    {
        for (int r = 0; r < rows; r++)
            acc[r] += (float)Elementwise.Sum(new ReadOnlySpan<float>(x + (long)r * len, len));
    }

    /// <summary>As the other overload for <paramref name="images"/> matrices <paramref name="imageStride"/> apart.</summary>
    public static void AccumulateRowSums(float* x, int rows, int len, float* acc, int images, long imageStride)
    {
        for (int g = 0; g < images; g++) AccumulateRowSums(x + g * imageStride, rows, len, acc);
    }

    /// <summary>
    /// y = conv(x) for a batch. With <paramref name="transposeFlip"/> the kernel used is
    /// W'[c_in_of_w, c_out_of_w] flipped, i.e. it maps <paramref name="outC"/> = C_in of the layer.
    /// </summary>
    public static void ForwardBatch(float* x, int n, int inC, int h, int w, int k, float* weights, int outC, float* bias, int pad, float* y, bool transposeFlip, bool relu = false)
    {
        var path = Simd.Active;
        int kTotal = inC * k * k;
        // Pooled: inference and training loops call this every batch, so no garbage per call.
        var packed = ArrayPool<float>.Shared.Rent(PackedWeightSize(outC, kTotal) + 16);
        try
        {
            fixed (float* pk = packed)
            {
                if (transposeFlip)
                {
                    // W'[ci, co, dh, dw] = W[co, ci, k−1−dh, k−1−dw]; here outC = layer C_in, inC = layer C_out.
                    var flipped = ArrayPool<float>.Shared.Rent(outC * kTotal);
                    for (int ci = 0; ci < outC; ci++)
                        for (int co = 0; co < inC; co++)
                            for (int dh = 0; dh < k; dh++)
                                for (int dw = 0; dw < k; dw++)
                                    flipped[((ci * inC + co) * k + dh) * k + dw] = weights[((co * outC + ci) * k + (k - 1 - dh)) * k + (k - 1 - dw)];
                    fixed (float* fp = flipped) PackWeights(fp, outC, kTotal, pk, path);
                    ArrayPool<float>.Shared.Return(flipped);
                }
                else
                {
                    PackWeights(weights, outC, kTotal, pk, path);
                }
                var offsets = RowOffsets(inC, h, w, k);
                int hp = h + k - 1, wpad = w + k - 1;
                long perImage = (long)outC * kTotal * h * w;
                nint pkAddr = (nint)pk, xAddr = (nint)x, yAddr = (nint)y, bAddr = (nint)bias;
                int nr = Gemm.BlockingFor(path).NR;
                Parallelism.For(n, Parallelism.WorkersFor(n, perImage), (s, e, _) =>
                {
                    float* padded = k > 1 ? Scratch.For(ScratchSlot.ConvPadded).Get(inC * hp * wpad) : null;
                    float* panel = Scratch.For(ScratchSlot.ConvPanel).Get(KcMax * nr);
                    float* tile = Scratch.For(ScratchSlot.ConvTile).Get(12 * 32);
                    fixed (int* off = offsets)
                        for (int i = s; i < e; i++)
                        {
                            float* xi = (float*)xAddr + (long)i * inC * h * w;
                            if (k > 1) Pad(xi, inC, h, w, k, pad, padded);
                            float* yi = (float*)yAddr + (long)i * outC * h * w;
                            Forward(path, k > 1 ? padded : xi, off, kTotal, h, w, wpad, (float*)pkAddr, outC, (float*)bAddr, yi, panel, tile);
                            // A following ReLU, fused: applied while the image's output is still in L2.
                            if (relu) Elementwise.Relu(new ReadOnlySpan<float>(yi, outC * h * w), new Span<float>(yi, outC * h * w));
                        }
                });
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packed);
        }
    }

    /// <summary>Summed length of the concatenated images in one weight-gradient product.</summary>
    public const int GradientChunk = 2048;

    /// <summary>
    /// dW[O, C·k·k] += Σ_n dY_n · col(x_n)ᵀ and db += Σ dY. Each worker takes a range of images in groups of
    /// about <see cref="GradientChunk"/> pixels. When the image width suits the vector width the group's
    /// padded images are read in place (<see cref="DotImage"/>); otherwise dY rows and im2col rows are laid
    /// side by side and <see cref="DotNT"/> runs on them. Per-worker partial sums are added at the end.
    /// </summary>
    public static void WeightGradientsBatch(float* x, float* dy, int n, int inC, int outC, int h, int w, int k, int pad, float* gradW, float* gradB)
    {
        var path = Simd.Active;
        int kTotal = inC * k * k, hw = h * w;
        int hp = h + k - 1, wpad = w + k - 1;
        var offsets = RowOffsets(inC, h, w, k);
        int workers = Parallelism.WorkersFor(n, (long)outC * kTotal * hw);
        var partialW = new float[workers][];
        var partialB = new float[workers][];
        nint xAddr = (nint)x, dyAddr = (nint)dy;
        Parallelism.For(n, workers, (s, e, wi) =>
        {
            var pw = ArrayPool<float>.Shared.Rent(outC * kTotal);
            var pb = ArrayPool<float>.Shared.Rent(outC);
            Array.Clear(pw, 0, outC * kTotal);
            Array.Clear(pb, 0, outC);
            int group = Math.Clamp(GradientChunk / hw, 1, e - s);
            int len = group * hw;
            float* padded = k > 1 ? Scratch.For(ScratchSlot.ConvPadded).Get(inC * hp * wpad) : null;
            bool direct0 = DotImage.Supports(path, w);
            float* col = direct0 ? null : Scratch.For(ScratchSlot.ConvColumns).Get(kTotal * len);
            float* dyc = direct0 ? null : Scratch.For(ScratchSlot.ConvGradOut).Get(outC * len);
            bool direct = DotImage.Supports(path, w);
            int padStride = inC * hp * wpad;
            float* groupPad = direct && k > 1 ? Scratch.For(ScratchSlot.ConvPaddedGroup).Get(padStride * group) : null;
            fixed (int* off = offsets) fixed (float* pwp = pw) fixed (float* pbp = pb)
                for (int i = s; i < e; i += group)
                {
                    if (direct)
                    {
                        // Read the image rows in place: no im2col matrix, no copy of dY.
                        int gd = Math.Min(group, e - i);
                        float* xi = (float*)xAddr + (long)i * inC * hw;
                        float* dyi = (float*)dyAddr + (long)i * outC * hw;
                        float* src = xi;
                        long srcStride = (long)inC * hw;
                        if (k > 1)
                        {
                            for (int t = 0; t < gd; t++) Pad(xi + (long)t * inC * hw, inC, h, w, k, pad, groupPad + (long)t * padStride);
                            src = groupPad;
                            srcStride = padStride;
                        }
                        DotImage.Run(path, outC, kTotal, gd, h, w, wpad, dyi, (long)outC * hw, src, srcStride, off, pwp, kTotal);
                        AccumulateRowSums(dyi, outC, hw, pbp, gd, (long)outC * hw);
                        continue;
                    }
                    int g = Math.Min(group, e - i), lg = g * hw;
                    for (int t = 0; t < g; t++)
                    {
                        float* xi = (float*)xAddr + (long)(i + t) * inC * hw;
                        float* dyi = (float*)dyAddr + (long)(i + t) * outC * hw;
                        for (int co = 0; co < outC; co++) Copy(dyi + (long)co * hw, dyc + (long)co * lg + t * hw, hw);
                        if (k > 1)
                        {
                            Pad(xi, inC, h, w, k, pad, padded);
                            Im2Col(padded, off, kTotal, h, w, wpad, col + t * hw, lg);
                        }
                        else
                        {
                            for (int ci = 0; ci < inC; ci++) Copy(xi + (long)ci * hw, col + (long)ci * lg + t * hw, hw);
                        }
                    }
                    DotNT.Run(path, outC, kTotal, lg, dyc, lg, col, lg, pwp, kTotal);
                    AccumulateRowSums(dyc, outC, lg, pbp);
                }
            partialW[wi] = pw;
            partialB[wi] = pb;
        });
        var gw = new Span<float>(gradW, outC * kTotal);
        foreach (var pw in partialW) if (pw != null) { Elementwise.Add(pw.AsSpan(0, outC * kTotal), gw); ArrayPool<float>.Shared.Return(pw); }
        foreach (var pb in partialB)
            if (pb != null)
            {
                if (gradB != null) Elementwise.Add(pb.AsSpan(0, outC), new Span<float>(gradB, outC));
                ArrayPool<float>.Shared.Return(pb);
            }
    }
}
