using SecureTransmit.Neural.Layers;

namespace SecureTransmit.Neural.Models;

/// <summary>
/// One operating point of the learned image codec family <c>lic</c>: a fully convolutional analysis transform
/// g_a (image → latent at 1/16 resolution), a synthesis transform g_s (latent → image) and a factorized entropy
/// model of the quantized latent. <see cref="Lambda"/> is the rate–distortion trade-off it was trained for
/// (loss = λ·255²·MSE + bits per pixel, as CompressAI defines it).
/// </summary>
/// <param name="Name">Registry name, "lic-1" (lowest rate) upwards.</param>
/// <param name="N">Channels of the hidden layers.</param>
/// <param name="M">Channels of the latent.</param>
/// <param name="Lambda">Rate–distortion weight of the training loss.</param>
/// <param name="Components">Logistic components per channel in the entropy model.</param>
public sealed record LicSpec(string Name, int N, int M, double Lambda, int Components = 3)
{
    /// <summary>The transforms reduce each side 16×: images are padded to a multiple of this before coding.</summary>
    public const int Stride = 16;

    /// <summary>
    /// g_a: four stages of space-to-depth ×2 then a 3×3 "same" convolution — each stage is a stride-2 convolution
    /// with a 6×6 receptive field (it contains Ballé et al.'s 5×5 stride-2 one) that runs on the stride-1 engine —
    /// with GDN after the first three. [B, 3, H, W] → [B, M, H/16, W/16].
    /// </summary>
    public Sequential CreateAnalysis(Init? init = null) => new(
        new PixelUnshuffle(2), new Conv2d(12, N, 3, init: init), new Gdn(N),
        new PixelUnshuffle(2), new Conv2d(4 * N, N, 3, init: init), new Gdn(N),
        new PixelUnshuffle(2), new Conv2d(4 * N, N, 3, init: init), new Gdn(N),
        new PixelUnshuffle(2), new Conv2d(4 * N, M, 3, init: init));

    /// <summary>
    /// g_s: four stages of a 3×3 convolution to 4× the channels then depth-to-space ×2 (a sub-pixel, i.e. transposed,
    /// stride-2 convolution) with IGDN after the first three. [B, M, h, w] → [B, 3, 16h, 16w].
    /// </summary>
    public Sequential CreateSynthesis(Init? init = null) => new(
        new Conv2d(M, 4 * N, 3, init: init), new PixelShuffle(2), new Gdn(N, inverse: true),
        new Conv2d(N, 4 * N, 3, init: init), new PixelShuffle(2), new Gdn(N, inverse: true),
        new Conv2d(N, 4 * N, 3, init: init), new PixelShuffle(2), new Gdn(N, inverse: true),
        new Conv2d(N, 12, 3, init: init), new PixelShuffle(2));

    public FactorizedPrior CreatePrior() => new(M, Components);

    public string Description =>
        $"{Name}: g_a = 4 × [PixelUnshuffle(2), Conv3×3] (3→{N}→{N}→{N}→{M}, GDN between), latent {M}×H/16×W/16; " +
        $"g_s = 4 × [Conv3×3, PixelShuffle(2)] ({M}→{N}→{N}→{N}→3, IGDN between); factorized prior: {Components} logistics per channel; λ = {Lambda}";
}

/// <summary>The <c>lic</c> operating points, low rate to high.</summary>
public static class LicZoo
{
    private static readonly LicSpec[] s_all =
    [
        new("lic-1", 64, 128, 0.0035),
        new("lic-2", 64, 128, 0.013),
        new("lic-3", 64, 128, 0.0483),
    ];

    public static IReadOnlyList<LicSpec> All => s_all;

    public static IEnumerable<string> Names => s_all.Select(s => s.Name);

    public static bool TryGet(string name, out LicSpec spec)
    {
        spec = s_all.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal))!;
        return spec != null;
    }

    public static LicSpec Get(string name) => TryGet(name, out var s) ? s
        : throw new ArgumentException($"unknown model '{name}' (known lic models: {string.Join(", ", Names)})", nameof(name));
}

/// <summary>
/// The three parts of one <c>lic</c> model as one module, so that its state_dict reads
/// <c>g_a.*</c>, <c>g_s.*</c>, <c>entropy_bottleneck.*</c> (CompressAI's names for the same parts).
/// </summary>
public sealed class LicNetwork : Module
{
    public LicNetwork(LicSpec spec, Init? init = null)
    {
        Spec = spec ?? throw new ArgumentNullException(nameof(spec));
        Analysis = spec.CreateAnalysis(init);
        Synthesis = spec.CreateSynthesis(init);
        Prior = spec.CreatePrior();
    }

    public LicSpec Spec { get; }
    public Sequential Analysis { get; }
    public Sequential Synthesis { get; }
    public FactorizedPrior Prior { get; }

    protected override IEnumerable<(string Name, Module Module)> Children()
    {
        yield return ("g_a", Analysis);
        yield return ("g_s", Synthesis);
        yield return ("entropy_bottleneck", Prior);
    }

    /// <summary>Not one data path: use <see cref="Analysis"/>, <see cref="Synthesis"/> and <see cref="Prior"/>.</summary>
    public override Tensor Forward(Tensor input) => throw new NotSupportedException("LicNetwork: call Analysis, Synthesis and Prior");

    /// <summary>Not one data path: use the parts' Backward.</summary>
    public override Tensor Backward(Tensor gradOutput) => throw new NotSupportedException("LicNetwork: call the parts' Backward");

    private Tensor? _noisy, _rounded, _gradRate, _gradOut;

    /// <summary>
    /// One training pass on images <paramref name="x"/> [B, 3, H, W] in [0, 1]: loss = λ·255²·MSE(x, x̂) + bits per pixel,
    /// with the rate of the latent plus <paramref name="noise"/> (U(−½, ½), one value per latent element: the
    /// differentiable proxy of rounding) and x̂ decoded from the rounded latent with a straight-through gradient ("mixed"
    /// quantization, Minnen &amp; Singh 2020). Adds the loss's gradients to every parameter (call ZeroGrad first).
    /// </summary>
    public (double Loss, double Bpp, double Mse) ForwardBackward(Tensor x, ReadOnlySpan<float> noise, double lambda)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Analysis.Forward(x);
        if (noise.Length != y.Length) throw new ArgumentException($"noise has {noise.Length} values, the latent {y.Length}");
        _noisy = Reuse(_noisy, y); _rounded = Reuse(_rounded, y); _gradRate = Reuse(_gradRate, y);
        var yd = y.Span; var nd = _noisy.Span; var rd = _rounded.Span;
        for (int i = 0; i < yd.Length; i++)
        {
            nd[i] = yd[i] + noise[i];
            rd[i] = MathF.Round(yd[i]);
        }
        var xh = Synthesis.Forward(_rounded);
        double pixels = (double)x[0] * x[2] * x[3];
        double bits = Prior.Bits(_noisy, _gradRate, (float)(1 / pixels));
        _gradOut = Reuse(_gradOut, xh);
        var a = x.Span; var p = xh.Span; var g = _gradOut.Span;
        double se = 0;
        float k = (float)(2 * lambda * 255 * 255 / a.Length);
        for (int i = 0; i < a.Length; i++)
        {
            float d = p[i] - a[i];
            se += (double)d * d;
            g[i] = k * d;
        }
        double mse = se / a.Length, bpp = bits / pixels;
        var gy = Synthesis.Backward(_gradOut);
        var gs = gy.Span; var gr = _gradRate.Span;
        for (int i = 0; i < gs.Length; i++) gs[i] += gr[i];
        Analysis.Backward(gy);
        return (lambda * 255 * 255 * mse + bpp, bpp, mse);
    }

    private static Tensor Reuse(Tensor? t, Tensor like) =>
        t != null && t.Shape.AsSpan().SequenceEqual(like.Shape) ? t : Tensor.Like(like);

    /// <summary>Clamps every constrained parameter (GDN's beta and gamma) back into its set.</summary>
    public void Project()
    {
        foreach (var m in new Module[] { Analysis, Synthesis })
            foreach (var (_, child) in m.NamedChildren())
                if (child is IConstrained c) c.Project();
    }
}
