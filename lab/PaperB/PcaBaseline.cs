namespace SecureTransmit.Lab.PaperB;

/// <summary>
/// Reference point for the tables: principal component analysis of an image's own 64-value patches, keeping k
/// components (16 ≙ 4:1, 4 ≙ 16:1). Among linear codes of k numbers per patch it has the least squared error on
/// the patches it was fitted to, so it shows what a well-trained k-unit code can be expected to reach. Covariance
/// and eigenvectors are computed in double (cyclic Jacobi rotations).
/// </summary>
internal sealed class PcaBaseline
{
    private readonly double[] _mean;
    private readonly double[,] _components; // [component, 64], by decreasing variance

    private PcaBaseline(double[] mean, double[,] components, double[] variances)
    {
        _mean = mean;
        _components = components;
        Variances = variances;
    }

    /// <summary>Variance along each component, in decreasing order.</summary>
    public IReadOnlyList<double> Variances { get; }

    /// <summary>Fits to patches [n·dim] (dim 64 for 8×8 patches).</summary>
    public static PcaBaseline Fit(ReadOnlySpan<float> patches, int dim = StackedAutoencoder.InputUnits)
    {
        if (dim < 1 || patches.Length == 0 || patches.Length % dim != 0)
            throw new PaperBException($"PCA needs whole {dim}-value patches, got {patches.Length} values");
        int n = patches.Length / dim;
        var mean = new double[dim];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dim; j++) mean[j] += patches[i * dim + j];
        for (int j = 0; j < dim; j++) mean[j] /= n;
        var cov = new double[dim, dim];
        var d = new double[dim];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < dim; j++) d[j] = patches[i * dim + j] - mean[j];
            for (int a = 0; a < dim; a++)
                for (int b = a; b < dim; b++) cov[a, b] += d[a] * d[b];
        }
        for (int a = 0; a < dim; a++)
            for (int b = a; b < dim; b++) cov[b, a] = cov[a, b] /= n;
        var (values, vectors) = Jacobi(cov);
        var order = Enumerable.Range(0, dim).OrderByDescending(k => values[k]).ToArray();
        var comps = new double[dim, dim];
        for (int c = 0; c < dim; c++)
            for (int j = 0; j < dim; j++) comps[c, j] = vectors[j, order[c]];
        return new PcaBaseline(mean, comps, [.. order.Select(k => Math.Max(0, values[k]))]);
    }

    /// <summary>Projects each patch onto the first <paramref name="k"/> components and back.</summary>
    public float[] Reconstruct(ReadOnlySpan<float> patches, int k)
    {
        int dim = _mean.Length;
        if (k < 1 || k > dim) throw new PaperBException($"PCA keeps 1..{dim} components (asked for {k})");
        if (patches.Length % dim != 0) throw new PaperBException($"PCA needs whole {dim}-value patches, got {patches.Length} values");
        var output = new float[patches.Length];
        var d = new double[dim];
        var r = new double[dim];
        for (int i = 0; i < patches.Length / dim; i++)
        {
            for (int j = 0; j < dim; j++) { d[j] = patches[i * dim + j] - _mean[j]; r[j] = _mean[j]; }
            for (int c = 0; c < k; c++)
            {
                double coef = 0;
                for (int j = 0; j < dim; j++) coef += _components[c, j] * d[j];
                for (int j = 0; j < dim; j++) r[j] += coef * _components[c, j];
            }
            for (int j = 0; j < dim; j++) output[i * dim + j] = (float)r[j];
        }
        return output;
    }

    /// <summary>Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations.</summary>
    private static (double[] Values, double[,] Vectors) Jacobi(double[,] input)
    {
        int n = input.GetLength(0);
        var a = (double[,])input.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++) v[i, i] = 1;
        double scale = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) scale += a[i, j] * a[i, j];
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += a[p, q] * a[p, q];
            if (off <= 1e-22 * scale || off == 0) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p, q];
                    if (Math.Abs(apq) < 1e-300) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = a[i, i];
        return (values, v);
    }
}
