namespace SecureTransmit.Metrics;

/// <summary>
/// Parameters of SSIM (Wang, Bovik, Sheikh, Simoncelli 2004). The defaults reproduce the paper and
/// <c>skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
/// data_range=255)</c>: an 11×11 Gaussian window (σ = 1.5, truncated at 3.5σ → radius 5), K1 = 0.01, K2 = 0.03,
/// population (not sample) covariance, and the mean taken over the pixels whose full window lies inside the
/// image (skimage crops (win−1)/2 = 5 pixels on each side).
/// </summary>
public sealed class SsimOptions
{
    private double _sigma = 1.5;
    private double _truncate = 3.5;
    private double _k1 = 0.01;
    private double _k2 = 0.03;
    private double? _dataRange;

    /// <summary>The defaults (σ 1.5, truncate 3.5, K1 0.01, K2 0.03, data range by sample type).</summary>
    public static SsimOptions Default { get; } = new();

    /// <summary>Gaussian standard deviation in pixels. Default 1.5; must be positive and finite.</summary>
    public double Sigma
    {
        get => _sigma;
        init => _sigma = double.IsFinite(value) && value > 0 ? value : throw new MetricsException($"SSIM: Sigma must be positive (got {value})");
    }

    /// <summary>
    /// Window half-width in units of σ, as in scipy.ndimage: radius = ⌊Truncate·σ + 0.5⌋. Default 3.5 (radius 5,
    /// window 11 with σ = 1.5); must be positive and finite.
    /// </summary>
    public double Truncate
    {
        get => _truncate;
        init => _truncate = double.IsFinite(value) && value > 0 ? value : throw new MetricsException($"SSIM: Truncate must be positive (got {value})");
    }

    /// <summary>Luminance stabiliser constant K1 (C1 = (K1·L)²). Default 0.01; must be ≥ 0.</summary>
    public double K1
    {
        get => _k1;
        init => _k1 = double.IsFinite(value) && value >= 0 ? value : throw new MetricsException($"SSIM: K1 must be non-negative (got {value})");
    }

    /// <summary>Contrast stabiliser constant K2 (C2 = (K2·L)²). Default 0.03; must be ≥ 0.</summary>
    public double K2
    {
        get => _k2;
        init => _k2 = double.IsFinite(value) && value >= 0 ? value : throw new MetricsException($"SSIM: K2 must be non-negative (got {value})");
    }

    /// <summary>
    /// Dynamic range L of the samples. Default null: 255 for byte images, 1.0 for float images.
    /// Must be positive and finite when set.
    /// </summary>
    public double? DataRange
    {
        get => _dataRange;
        init => _dataRange = value is null || (double.IsFinite(value.Value) && value.Value > 0)
            ? value
            : throw new MetricsException($"SSIM: DataRange must be positive (got {value})");
    }

    /// <summary>Window radius before any shrinking for small images: ⌊Truncate·σ + 0.5⌋.</summary>
    public int Radius => (int)(Truncate * Sigma + 0.5);
}
