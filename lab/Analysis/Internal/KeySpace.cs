using SecureTransmit.Security;

namespace SecureTransmit.Lab.Analysis.Internal;

/// <summary>Key-space estimates (log₂ of the number of distinct keys an attacker must search).</summary>
internal static class KeySpace
{
    /// <summary>Minimum key space the chaos-cryptography literature asks for: 2^100 (Álvarez &amp; Li, "Some basic cryptographic requirements for chaos-based cryptosystems", IJBC 16(8), 2006).</summary>
    public const double MinimumLog2 = 100;

    /// <summary>
    /// log₂ key space and its basis for <paramref name="mode"/>. For the logistic mode this runs the equivalent-key
    /// measurement (<see cref="EquivalentKeys"/>) on <paramref name="samples"/> random derived (x0, r).
    /// </summary>
    public static (double Log2, string Basis, List<KeySpaceTerm> Terms, List<EquivalenceRow> Equivalence) Estimate(string mode, ulong seed,
        int samples, int threads, Action<int, int>? progress = null, CancellationToken cancellationToken = default)
    {
        var terms = new List<KeySpaceTerm>();
        var equivalence = new List<EquivalenceRow>();
        switch (mode)
        {
            case AnalysisModes.Logistic:
            {
                // x0 = a · 2^-53 with a a 53-bit integer and x0 ∈ [2^-20, 1 − 2^-20]: a ∈ [2^33, 2^53 − 2^33].
                double x0Count = Math.Pow(2, 53) - Math.Pow(2, 34) + 1;
                // r = 3.57 + 0.43 · u rounds to a double in [3.57, 4): at most the number of doubles there (spacing 2^-51).
                long rCount = BitConverter.DoubleToInt64Bits(4.0) - BitConverter.DoubleToInt64Bits(LogisticKeystream.RMin);
                double log2X0 = Math.Log2(x0Count), log2R = Math.Log2(rCount);
                terms.Add(new("image key K_img", 256, "HKDF-SHA256 output (32 bytes), fresh per image via the nonce"));
                terms.Add(new("x0", log2X0, "a·2⁻⁵³ with a ∈ [2³³, 2⁵³ − 2³³] (53-bit draw, ends excluded)"));
                terms.Add(new("r", log2R, $"doubles in [{LogisticKeystream.RMin}, 4): {rCount:N0} (spacing 2⁻⁵¹); the 52-bit draw u maps ~4.6 values of u to each r"));
                terms.Add(new("(x0, r) nominal", log2X0 + log2R, "distinct starting values the derivation can produce"));

                if (samples == 0)
                {
                    terms.Add(new("x0 classes after the warm-up", double.NaN, "equivalent-key search not run (--equivalence-samples 0): the key space below is the nominal count, an overestimate"));
                    return (Math.Min(256, log2X0 + log2R), "nominal (x0, r) count; equivalent keys not measured in this run", terms, equivalence);
                }
                var points = EquivalentKeys.Samples(samples, seed);
                var counts = new AncestorCount[points.Count];
                int done = 0;
                Parallel.For(0, points.Count, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, i =>
                {
                    counts[i] = EquivalentKeys.Count(points[i].X0, points[i].R, LogisticKeystream.WarmUpIterations);
                    progress?.Invoke(Interlocked.Increment(ref done), points.Count);
                });
                equivalence.AddRange(counts.Select(c => new EquivalenceRow(c.X0, c.R, c.GridAncestors, !c.Capped, c.Ancestors, c.Depth)));
                // Share of distinct classes = E[1/c] over uniformly drawn keys, from the searches that finished. Unfinished
                // searches (trees over the caps) are left out: their classes are large, 1/c ≈ 0, so leaving them out errs
                // toward a LARGER key space. With none finished, the forward lower bounds are used (again generous).
                var finished = counts.Where(c => !c.Capped).ToList();
                var basisCounts = finished.Count > 0 ? finished : counts.ToList();
                double share = basisCounts.Average(c => 1.0 / Math.Max(1, c.GridAncestors));
                var sorted = basisCounts.Select(c => c.GridAncestors).Order().ToList();
                int capped = counts.Length - finished.Count;
                terms.Add(new($"x0 classes after the {LogisticKeystream.WarmUpIterations}-iteration warm-up (measured)", log2X0 + Math.Log2(share),
                    $"backward preimage search of f^{LogisticKeystream.WarmUpIterations} for {counts.Length} random derived (x0, r): each post-warm-up " +
                    $"state is reached from c derivable x0 with the same r; {finished.Count} search(es) finished: median c = {sorted[sorted.Count / 2]:N0}, " +
                    $"range {sorted[0]:N0} – {sorted[^1]:N0}; distinct share E[1/c] = {share:E2}" +
                    (capped > 0 ? $". {capped} tree(s) outgrew the search caps and are left out: big trees mean big classes (small 1/c), so leaving them out errs toward a larger key space" : "") +
                    ". Equivalent keys give identical keystreams"));

                var (mirror, ulpAbsorbed) = MeasureFirstStep(4096, seed ^ 0xA5A5_A5A5UL);
                terms.Add(new("mirror keys x0 ↔ 1 − x0 (measured, included above)", double.NaN,
                    $"f(x) = f(1 − x) in real arithmetic; in doubles (r·x0)·(1 − x0) = (r·(1 − x0))·x0 exactly for {mirror * 100:F1} % of sampled x0"));
                terms.Add(new("x0 + 1 ulp absorbed (measured)", double.NaN,
                    $"{ulpAbsorbed * 100:F1} % of sampled x0 give the same x1 as BitIncrement(x0) (below 0.5 an x0 has a finer ulp than x1 ≥ 0.5): " +
                    "the 'x0 + 1 ulp' key-sensitivity rows then show an identical keystream"));
                double effective = log2X0 + Math.Log2(share) + log2R;
                terms.Add(new("(x0, r) effective (measured)", effective, "distinct post-warm-up states: x0 classes × distinct r"));
                terms.Add(new("known-plaintext state recovery (analysis, not run)", 2 * (36 + Math.Log2(6)),
                    "guess-and-determine from ~16 known keystream bytes of one image: guess the binade (6 cover x ∈ [2⁻⁶, 1)) and the 36 " +
                    "mantissa bits an output does not show for two consecutive iterates x_n, x_{n+1}; r ≈ x_{n+1}/(x_n(1 − x_n)) then leaves a " +
                    "few candidates, each checked against the next iterates' known 16 bits. Opens that image's keystream only (K_img is one-way)"));
                return (Math.Min(256, effective),
                    "distinct generator states after the warm-up, measured (an exhaustive search over (x0, r) succeeds once it hits any key of the right class)",
                    terms, equivalence);
            }
            case AnalysisModes.Aes256Gcm:
                terms.Add(new("K_aead", 256, "AES-256 key from the session HKDF"));
                return (256, "AES-256 key (generic attacks: 2²⁵⁶ trials; Grover-type 2¹²⁸)", terms, equivalence);
            default:
            {
                double r = PaperLogisticCipher.DefaultR;
                var states = new HashSet<double>();
                for (int b = 0; b < 256; b++)
                {
                    double x0 = PaperLogisticCipher.X0FromLatentByte((byte)b);
                    states.Add(r * x0 * (1.0 - x0)); // the keystream starts at x1: equal x1 = identical keystream
                }
                double float32 = BitConverter.SingleToInt32Bits(1.0f); // positive floats below 1.0
                terms.Add(new("x0 (quantized latent byte)", 8, "x0 = (b + 0.5)/256, b ∈ 0..255: 256 keys"));
                terms.Add(new("distinct keystreams among them (measured)", Math.Log2(states.Count),
                    $"{states.Count} distinct x1: x0 and 1 − x0 = (255 − b + 0.5)/256 are both keys and f(x) = f(1 − x) folds them together"));
                terms.Add(new("x0 (unquantized float32 latent)", Math.Log2(float32), "if x0 were the float sigmoid output: float32 values in (0, 1)"));
                terms.Add(new("r", 0, $"fixed constant ({r}); the paper gives no secret r"));
                return (Math.Log2(states.Count),
                    "x0 is one byte of the (quantized) latent and r is fixed; x0 is itself part of the plaintext", terms, equivalence);
            }
        }
    }

    /// <summary>Over random derived (x0, r): the share of x0 whose mirror 1 − x0 gives exactly the same x1, and the share where BitIncrement(x0) does.</summary>
    internal static (double Mirror, double UlpAbsorbed) MeasureFirstStep(int samples, ulong seed)
    {
        int mirror = 0, absorbed = 0;
        var points = EquivalentKeys.Samples(samples, seed);
        foreach (var (x0, r) in points)
        {
            double x1 = r * x0 * (1.0 - x0);
            double m = 1.0 - x0; // exact for x0 on the 2^-53 grid
            if (x1 == r * m * (1.0 - m)) mirror++;
            double u = Math.BitIncrement(x0);
            if (x1 == r * u * (1.0 - u)) absorbed++;
        }
        return ((double)mirror / points.Count, (double)absorbed / points.Count);
    }
}
