namespace SecureTransmit.Lab.Analysis;

/// <summary>Everything one <c>lab analyze</c> run measured; serialised as the <c>--json</c> file.</summary>
internal sealed record AnalysisReport(
    string Mode,
    string ModeDescription,
    DateTimeOffset Started,
    double ElapsedSeconds,
    ulong Seed,
    bool Quick,
    StatisticalCriteria Criteria,
    IReadOnlyList<ImageResult> Images,
    KeySensitivityResult KeySensitivity,
    KeySpaceResult KeySpace,
    AttackResults Attacks,
    IReadOnlyList<TestTally> Summary,
    IReadOnlyList<Figure> Figures);

/// <summary>Fixed thresholds used throughout (α = 0.05 for every per-test decision).</summary>
internal sealed record StatisticalCriteria(
    double Alpha,
    double ChiSquareCritical,
    double LocalEntropyExpectedMean,
    Interval LocalEntropyExactInterval,
    Interval LocalEntropyPublishedInterval,
    double NpcrExpected,
    double UaciExpected);

/// <summary>A closed interval [Low, High].</summary>
internal sealed record Interval(double Low, double High)
{
    public bool Contains(double value) => value >= Low && value <= High;
}

/// <summary>Plain and cipher statistics and differential results of one input image.</summary>
internal sealed record ImageResult(
    string Name,
    int Width,
    int Height,
    int Channels,
    bool RoundTrip,
    ImageStatistics Plain,
    ImageStatistics Cipher,
    IReadOnlyList<DifferentialResultRow> Differential);

/// <summary>Per-channel statistics of one HWC 8-bit image.</summary>
/// <param name="SamplesPerChannel">N = W·H, the sample count each per-channel statistic is computed on.</param>
/// <param name="EntropyExpected">Exact E[H] of N uniform bytes (the size-matched reference, not 8).</param>
/// <param name="EntropyStandardDeviation">Exact σ of H for N uniform bytes.</param>
/// <param name="EntropyInterval">E[H] ± z₀.₉₇₅ σ.</param>
internal sealed record ImageStatistics(
    long SamplesPerChannel,
    double[] ChiSquare,
    bool[] ChiSquarePass,
    double[] Entropy,
    double EntropyExpected,
    double EntropyStandardDeviation,
    Interval EntropyInterval,
    bool[] EntropyPass,
    LocalEntropySummary? LocalEntropy,
    string? LocalEntropySkipped,
    IReadOnlyList<CorrelationRow> Correlation);

/// <summary>Wu et al. (2013) local entropy per channel, judged against both intervals.</summary>
internal sealed record LocalEntropySummary(
    int BlockCount,
    int BlockWidth,
    int BlockHeight,
    double[] MeanPerChannel,
    bool[] ExactPass,
    bool[] PublishedPass);

/// <summary>Adjacent-pixel correlation of one direction, per channel, over every adjacent pair.</summary>
internal sealed record CorrelationRow(string Direction, double[] R, int PairCount, double Band, bool[] Pass);

/// <summary>NPCR/UACI of two cipher images whose plaintexts differ in one byte.</summary>
/// <param name="Variant">Stable id, e.g. "deployed-first-byte".</param>
/// <param name="Diagnostic">True for experiments that explain a result (fixed nonce, misuse) rather than judge the deployed form.</param>
internal sealed record DifferentialResultRow(
    string Variant,
    string Description,
    bool Diagnostic,
    double Npcr,
    double Uaci,
    double[] NpcrPerChannel,
    double[] UaciPerChannel,
    double NpcrCritical,
    Interval UaciInterval,
    bool[] NpcrPass,
    bool[] UaciPass);

/// <summary>Key sensitivity: keystream change under tiny key perturbations, and wrong-key decryptions.</summary>
internal sealed record KeySensitivityResult(
    IReadOnlyList<KeystreamPerturbationRow> Keystreams,
    IReadOnlyList<WrongKeyRow> WrongKey,
    string Note);

/// <summary>One perturbation of one sampled key.</summary>
/// <param name="ChangedPercent">Share of keystream bytes that differ, in %.</param>
/// <param name="FirstDifference">Index of the first differing keystream byte (-1 if none).</param>
/// <param name="Criterion">Pass threshold (%): Wu et al.'s NPCR critical value for this many bytes.</param>
internal sealed record KeystreamPerturbationRow(
    int Sample,
    string Perturbation,
    string Key,
    int Bytes,
    double ChangedPercent,
    long FirstDifference,
    double Criterion,
    bool Pass,
    string? Rejected);

/// <summary>Decryption of an image under a perturbed key.</summary>
/// <param name="NoiseReferencePsnr">Expected PSNR of the plaintext against independent uniform noise.</param>
/// <param name="Pass">PSNR ≤ noise reference + 1 dB (the wrong-key output carries no more of the image than noise).</param>
internal sealed record WrongKeyRow(
    string Image,
    string Perturbation,
    double Psnr,
    double NoiseReferencePsnr,
    double BytesCorrectPercent,
    bool Pass,
    bool? AuthenticationRejected);

/// <summary>Key-space estimate and the observed double-precision orbit behaviour.</summary>
internal sealed record KeySpaceResult(
    double Log2KeySpace,
    string KeySpaceBasis,
    bool KeySpacePass,
    IReadOnlyList<KeySpaceTerm> Terms,
    long OrbitIterationLimit,
    IReadOnlyList<OrbitRow> Orbits,
    IReadOnlyList<EquivalenceRow> Equivalence);

/// <summary>
/// Logistic mode: the equivalence class of one sampled key after the warm-up — the derivable x0 (same r) whose
/// orbits reach the same state, hence give the same keystream.
/// </summary>
/// <param name="ClassSize">Exact class size when <paramref name="Finished"/>; otherwise a lower bound found forwards among nearby grid points.</param>
/// <param name="Finished">False when the backward preimage tree exceeded the search caps.</param>
internal sealed record EquivalenceRow(double X0, double R, long ClassSize, bool Finished, long AncestorsAnyDouble, int DepthReached);

/// <summary>One factor of the key-space estimate.</summary>
internal sealed record KeySpaceTerm(string Name, double Log2Count, string Explanation);

/// <summary>Brent's cycle search on one orbit x ← r·x·(1 − x) in IEEE double precision.</summary>
/// <param name="Transient">Iterations before the cycle is entered (μ), when a cycle was found.</param>
/// <param name="Period">Cycle length (λ), when found.</param>
/// <param name="GeneratorVerdict">For the logistic mode: what <c>LogisticKeystream.TryGenerate</c> says for a 512×512×3 keystream.</param>
internal sealed record OrbitRow(double X0, double R, bool CycleFound, long? Transient, long? Period, long IterationsRun, string? GeneratorVerdict);

/// <summary>Known-plaintext, keystream-reuse and brute-force demonstrations.</summary>
internal sealed record AttackResults(
    IReadOnlyList<KnownPlaintextRow> KnownPlaintext,
    IReadOnlyList<KeystreamReuseRow> KeystreamReuse,
    IReadOnlyList<BruteForceRow> BruteForce,
    string Scenario);

/// <summary>Keystream recovered from (P_A, C_A), applied to C_B.</summary>
/// <param name="KeystreamMatchesGenerator">Paper form: the recovered bytes equal the generator's keystream exactly (null where the keystream is not observable otherwise).</param>
/// <param name="AttackSucceeded">B recovered exactly.</param>
internal sealed record KnownPlaintextRow(
    string ImageA,
    string ImageB,
    string Variant,
    bool Diagnostic,
    int Bytes,
    bool? KeystreamMatchesGenerator,
    double BytesCorrectPercent,
    double Psnr,
    bool AttackSucceeded);

/// <summary>C_A ⊕ C_B compared with P_A ⊕ P_B.</summary>
internal sealed record KeystreamReuseRow(
    string ImageA,
    string ImageB,
    string Variant,
    bool Diagnostic,
    int Bytes,
    double EqualPercent,
    bool AttackSucceeded);

/// <summary>Ciphertext-only search of the paper form's 256 keys.</summary>
internal sealed record BruteForceRow(string Image, int KeysTried, int Candidates, bool RecoveredExactly, double Milliseconds);

/// <summary>
/// Aggregate of one test over all images/channels/samples. Verdict: the pass proportion must reach
/// (1 − α) − 3·√(α(1 − α)/n) (NIST SP 800-22 rev 1a, §4.2.1), because an ideal cipher fails each
/// single test with probability α. For deterministic checks (attacks, round trip) α = 0 and every
/// instance must pass.
/// </summary>
/// <param name="HardFailures">Instances that fail far outside chance (e.g. an identical keystream under a changed key); any one makes the verdict FAIL.</param>
internal sealed record TestTally(
    string Section,
    string Test,
    string Criterion,
    int Passed,
    int Total,
    double Alpha,
    bool Diagnostic,
    int HardFailures = 0)
{
    /// <summary>Smallest pass proportion accepted.</summary>
    public double RequiredProportion => Total == 0 ? 1.0
        : Alpha == 0 ? 1.0
        : Math.Max(0.0, 1 - Alpha - 3 * Math.Sqrt(Alpha * (1 - Alpha) / Total));

    public bool Verdict => Total > 0 && HardFailures == 0 && (double)Passed / Total >= RequiredProportion - 1e-12;
}

/// <summary>A figure file (relative to the report), its caption and the report section it belongs to ("histogram", "correlation", "cipher-image", "attack").</summary>
internal sealed record Figure(string File, string Caption, string Section);
