namespace SecureTransmit.Neural.Internal;

/// <summary>
/// The scalar path's kernels: plain C# multiply-adds, the portable fallback and the reference the vector
/// kernels (<see cref="GemmKernels"/>, <see cref="DotNT"/>) compute the same products as.
/// </summary>
internal static unsafe class ScalarKernels
{
    /// <summary>Columns of a packed B panel on the scalar path (<see cref="GemmKernels.PanelWidth"/>).</summary>
    public const int PanelWidth = 8;

    /// <summary>As <see cref="GemmKernels.Run"/>: up to 4 rows × 8 columns of packed panels.</summary>
    public static void Gemm(int rows, int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* bias)
    {
        KernelCalls.Note(SimdPath.Scalar);
        const int nr = PanelWidth;
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

    /// <summary>As a block of <see cref="DotNT.Run"/>: C[i,j] += Σ_p A[i·lda + p]·B[j·ldb + p] for mi × nj.</summary>
    public static void DotNTBlock(int mi, int nj, int len, float* a, int lda, float* b, int ldb, float* c, int ldc)
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
}
