using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural.Layers;

/// <summary>
/// A learned factorized entropy model: each latent channel c has its own density, a mixture of K logistic
/// distributions, <c>p_c(v) = Σ_k π_ck · Logistic(v; μ_ck, s_ck)</c> with <c>π_c = softmax(weight_logits[c])</c>,
/// <c>μ = means</c>, <c>s = exp(log_scales)</c>. The probability of a quantized value (or of a value with uniform
/// noise in training) is the mass of the unit interval around it,
/// <c>P(v) = Σ_k π_ck · (σ((v + ½ − μ_ck)/s_ck) − σ((v − ½ − μ_ck)/s_ck))</c>, bounded below by 1e−9, and its cost is
/// <c>−log₂ P(v)</c> bits. Channels are independent and every spatial position shares its channel's density, as in
/// Ballé et al. (2018)'s factorized prior; the logistic mixture is our choice of a density whose CDF is closed-form
/// (theirs is a small per-channel monotone network), so the coding tables are one call per symbol.
/// <para>
/// Parameters (PyTorch names): <c>weight_logits</c>, <c>means</c>, <c>log_scales</c>, each [C, K]. The arithmetic runs in
/// double. The differences of sigmoids take the side of the mean where they do not cancel. Below the bound the
/// gradient passes through when it would raise the probability (CompressAI's lower-bound rule), else it is zero.
/// </para>
/// </summary>
public sealed class FactorizedPrior : Module
{
    public const double LikelihoodBound = 1e-9;

    private readonly Parameter _logits, _means, _logScales;

    public FactorizedPrior(int channels, int components = 3)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(components);
        Channels = channels;
        Components = components;
        _logits = new Parameter(new Tensor(channels, components));
        _means = new Parameter(new Tensor(channels, components));
        _logScales = new Parameter(new Tensor(channels, components));
        // Components start spread around zero with unit-ish scales; training moves them where the latents are.
        for (int c = 0; c < channels; c++)
            for (int k = 0; k < components; k++)
            {
                _means.Value.Data[c * components + k] = components == 1 ? 0f : -1f + 2f * k / (components - 1);
                _logScales.Value.Data[c * components + k] = 0f;
            }
    }

    public int Channels { get; }
    public int Components { get; }

    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters()
    {
        yield return ("weight_logits", _logits);
        yield return ("means", _means);
        yield return ("log_scales", _logScales);
    }

    /// <summary>Not a layer on the data path: use <see cref="Bits"/>.</summary>
    public override Tensor Forward(Tensor input) => throw new NotSupportedException("FactorizedPrior: call Bits(values, grad, scale)");

    /// <summary>Not a layer on the data path: use <see cref="Bits"/>.</summary>
    public override Tensor Backward(Tensor gradOutput) => throw new NotSupportedException("FactorizedPrior: call Bits(values, grad, scale)");

    /// <summary>
    /// Total bits <c>Σ −log₂ P(v)</c> over <paramref name="values"/> [N, C, H, W]. With <paramref name="gradValues"/>
    /// (same shape), writes <c>gradScale · ∂bits/∂v</c> into it and adds <c>gradScale · ∂bits/∂θ</c> to the parameters'
    /// gradients.
    /// </summary>
    public double Bits(Tensor values, Tensor? gradValues = null, float gradScale = 1f)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Rank != 4 || values[1] != Channels)
            throw new ArgumentException($"FactorizedPrior({Channels}) expects [N,{Channels},H,W], got {values.ShapeString}");
        if (gradValues != null && !gradValues.Shape.AsSpan().SequenceEqual(values.Shape))
            throw new ArgumentException($"gradient buffer must be {values.ShapeString}, got {gradValues.ShapeString}");
        int n = values[0], c = Channels, k = Components, p = values[2] * values[3];
        var perChannel = new double[c];
        var v = values.Data;
        var g = gradValues?.Data;
        Parallelism.For(c, Parallelism.WorkersFor(c, (long)n * p * k * 40), (st, e, _) =>
        {
            Span<double> pi = stackalloc double[k], mu = stackalloc double[k], sc = stackalloc double[k];
            Span<double> pk = stackalloc double[k], dpdv = stackalloc double[k], dpdls = stackalloc double[k];
            Span<double> gLogit = stackalloc double[k], gMu = stackalloc double[k], gLs = stackalloc double[k];
            for (int ch = st; ch < e; ch++)
            {
                Mixture(ch, pi, mu, sc);
                gLogit.Clear(); gMu.Clear(); gLs.Clear();
                double bits = 0;
                for (int img = 0; img < n; img++)
                {
                    long o = ((long)img * c + ch) * p;
                    for (int i = 0; i < p; i++)
                    {
                        double x = v[o + i];
                        double prob = 0;
                        for (int j = 0; j < k; j++)
                        {
                            Interval(x, mu[j], sc[j], out pk[j], out dpdv[j], out dpdls[j]);
                            prob += pi[j] * pk[j];
                        }
                        bool bounded = prob < LikelihoodBound;
                        double lik = bounded ? LikelihoodBound : prob;
                        bits -= Math.Log2(lik);
                        if (g == null) continue;
                        // d bits / d prob = −1 / (lik · ln 2); below the bound the gradient still passes (it raises P).
                        double dProb = -gradScale / (lik * Math.Log(2));
                        double dv = 0;
                        for (int j = 0; j < k; j++)
                        {
                            dv += pi[j] * dpdv[j];
                            gMu[j] -= dProb * pi[j] * dpdv[j];
                            gLs[j] += dProb * pi[j] * dpdls[j];
                            gLogit[j] += dProb * pi[j] * (pk[j] - prob);
                        }
                        g[o + i] = (float)(dProb * dv);
                    }
                }
                perChannel[ch] = bits;
                if (g == null) continue;
                for (int j = 0; j < k; j++)
                {
                    _logits.Grad.Data[ch * k + j] += (float)gLogit[j];
                    _means.Grad.Data[ch * k + j] += (float)gMu[j];
                    _logScales.Grad.Data[ch * k + j] += (float)gLs[j];
                }
            }
        });
        double total = 0;
        foreach (var b in perChannel) total += b;
        return total;
    }

    /// <summary>The mixture's CDF of channel <paramref name="channel"/> at <paramref name="x"/> (for coding tables).</summary>
    public double Cdf(int channel, double x)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, Channels);
        int k = Components;
        Span<double> pi = stackalloc double[k], mu = stackalloc double[k], sc = stackalloc double[k];
        Mixture(channel, pi, mu, sc);
        double cdf = 0;
        for (int j = 0; j < k; j++) cdf += pi[j] * Sigmoid((x - mu[j]) / sc[j]);
        return cdf;
    }

    /// <summary>
    /// The probability of the unit interval around integer <paramref name="value"/> in channel <paramref name="channel"/>
    /// (without the lower bound), computed on the stable side of each component's mean.
    /// </summary>
    public double IntervalMass(int channel, double value)
    {
        int k = Components;
        Span<double> pi = stackalloc double[k], mu = stackalloc double[k], sc = stackalloc double[k];
        Mixture(channel, pi, mu, sc);
        double prob = 0;
        for (int j = 0; j < k; j++)
        {
            Interval(value, mu[j], sc[j], out double pj, out _, out _);
            prob += pi[j] * pj;
        }
        return prob;
    }

    private void Mixture(int ch, Span<double> pi, Span<double> mu, Span<double> sc)
    {
        int k = Components;
        double max = double.NegativeInfinity;
        for (int j = 0; j < k; j++) max = Math.Max(max, _logits.Value.Data[ch * k + j]);
        double sum = 0;
        for (int j = 0; j < k; j++) { pi[j] = Math.Exp(_logits.Value.Data[ch * k + j] - max); sum += pi[j]; }
        for (int j = 0; j < k; j++)
        {
            pi[j] /= sum;
            mu[j] = _means.Value.Data[ch * k + j];
            sc[j] = Math.Exp(_logScales.Value.Data[ch * k + j]);
        }
    }

    /// <summary>
    /// Mass of [x − ½, x + ½] under Logistic(μ, s) and its derivatives by x and by log s. On the upper side of the
    /// mean the mass is taken as σ(−l) − σ(−u) (the same number, without cancellation).
    /// </summary>
    private static void Interval(double x, double mu, double s, out double mass, out double dx, out double dls)
    {
        double u = (x + 0.5 - mu) / s, l = (x - 0.5 - mu) / s;
        // σ'(z) = σ(z)·σ(−z) is symmetric, so either side's sigmoid gives it without cancellation.
        double su, sl;
        if (x - mu > 0) { su = Sigmoid(-u); sl = Sigmoid(-l); mass = sl - su; }
        else { su = Sigmoid(u); sl = Sigmoid(l); mass = su - sl; }
        double du = su * (1 - su), dl = sl * (1 - sl);
        dx = (du - dl) / s;
        dls = -(du * u - dl * l);
    }

    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    public override string ToString() => $"FactorizedPrior(channels={Channels}, logistic components={Components})";
}
