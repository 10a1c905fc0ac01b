using SecureTransmit.Metrics;

namespace SecureTransmit.Lab.Analysis.Internal;

/// <summary>Builds the summary table: one <see cref="TestTally"/> per test, counting every per-image/channel instance.</summary>
internal static class Tallies
{
    public const double Alpha = 0.05;

    /// <summary>An attack demo counts as defeated when B is not recovered and agreement stays near chance (1/256 = 0.39 %).</summary>
    public const double ChanceAgreementLimitPercent = 1.0;

    /// <summary>A keystream change share below this is structural (equivalent keys), not a chance fluctuation.</summary>
    public const double HardFailurePercent = 90.0;

    public static List<TestTally> Build(AnalysisReport r, int firstImageBytes)
    {
        var t = new List<TestTally>();
        var imgs = r.Images;
        string chi = $"χ² < {CipherStatistics.ChiSquareCritical255Alpha005} (255 dof, α = 0.05), per channel";
        t.Add(Count("Histogram", "χ² uniformity of the cipher image", chi, imgs.SelectMany(i => i.Cipher.ChiSquarePass), Alpha));
        t.Add(Count("Entropy", "Global Shannon entropy", "H inside E[H] ± 1.96σ for N = W·H uniform bytes, per channel",
            imgs.SelectMany(i => i.Cipher.EntropyPass), Alpha));
        var local = imgs.Where(i => i.Cipher.LocalEntropy is not null).Select(i => i.Cipher.LocalEntropy!).ToList();
        t.Add(Count("Entropy", "Local entropy (Wu 2013, k = 30, T_B = 1936), exact interval",
            $"mean in [{F(r.Criteria.LocalEntropyExactInterval.Low, 10)}, {F(r.Criteria.LocalEntropyExactInterval.High, 10)}], per channel",
            local.SelectMany(l => l.ExactPass), Alpha));
        t.Add(Count("Entropy", "Local entropy, published interval (reported only)",
            $"mean in [{F(r.Criteria.LocalEntropyPublishedInterval.Low, 9)}, {F(r.Criteria.LocalEntropyPublishedInterval.High, 9)}] — too narrow, see §3",
            local.SelectMany(l => l.PublishedPass), Alpha, diagnostic: true));
        foreach (var dir in StatisticsAnalysis.Directions.Select(d => d.ToString()))
            t.Add(Count("Correlation", $"Adjacent correlation, {dir.ToLowerInvariant()}", "|r| < 1.96/√N over all N adjacent pairs, per channel",
                imgs.SelectMany(i => i.Cipher.Correlation.Where(c => c.Direction == dir).SelectMany(c => c.Pass)), Alpha));

        var variants = imgs.SelectMany(i => i.Differential).GroupBy(d => d.Variant).ToList();
        foreach (var g in variants)
        {
            bool diag = g.First().Diagnostic;
            string label = VariantLabel(g.Key);
            t.Add(Count("Differential", $"NPCR, {label}", "NPCR ≥ N*₀.₀₅ (Wu 2011, W·H pixels), per channel",
                g.SelectMany(d => d.NpcrPass), Alpha, diag));
            t.Add(Count("Differential", $"UACI, {label}", "UACI in [U*⁻₀.₀₅, U*⁺₀.₀₅] (Wu 2011), per channel",
                g.SelectMany(d => d.UaciPass), Alpha, diag));
        }

        foreach (var g in r.KeySensitivity.Keystreams.GroupBy(k => k.Perturbation))
            t.Add(Count("Key sensitivity", $"Keystream change, {g.Key}",
                $"changed share ≥ N*₀.₀₅ for {g.First().Bytes:N0} bytes ({F(g.First().Criterion, 4)} %); a rejected orbit passes; " +
                $"any share below {HardFailurePercent} % (e.g. an identical keystream) fails the test outright",
                g.Select(k => k.Pass), Alpha) with { HardFailures = g.Count(k => k.Rejected is null && k.ChangedPercent < HardFailurePercent) });
        foreach (var g in r.KeySensitivity.WrongKey.GroupBy(w => w.Perturbation))
            t.Add(Count("Key sensitivity", $"Wrong-key decryption, {g.Key}", "PSNR ≤ (plain vs uniform noise) + 1 dB",
                g.Select(w => w.Pass), 0));
        var auth = r.KeySensitivity.WrongKey.Where(w => w.AuthenticationRejected is not null).GroupBy(w => w.Image)
            .Select(g => g.First().AuthenticationRejected!.Value).ToList();
        if (auth.Count > 0)
            t.Add(Count("Key sensitivity", "Open under another session's keys", "rejected by the tag (IntegrityException)", auth, 0));
        t.Add(Count("Key space", "Key space", $"log₂ ≥ {KeySpace.MinimumLog2} (Álvarez & Li 2006)", [r.KeySpace.KeySpacePass], 0));
        if (r.KeySpace.Orbits.Count > 0)
        {
            // Orbits the generator would use: every paper-form orbit; for the logistic mode those TryGenerate accepts.
            var used = r.KeySpace.Orbits.Where(o => o.GeneratorVerdict is null or "None").ToList();
            long needed = r.Mode == AnalysisModes.PaperLogistic ? firstImageBytes
                : Security.LogisticKeystream.WarmUpIterations + (firstImageBytes + 1) / 2;
            t.Add(Count("Key space", "No keystream repetition within one payload",
                $"no cycle with period λ < {needed:N0} iterates (one {firstImageBytes:N0}-byte payload) among orbits the generator uses",
                used.Select(o => !o.CycleFound || o.Period >= needed), 0));
        }

        t.Add(Count("Correctness", "Round trip", "Decrypt(Encrypt(P)) = P", imgs.Select(i => i.RoundTrip), 0));
        foreach (var g in r.Attacks.KnownPlaintext.GroupBy(k => k.Variant))
            t.Add(Count("Attacks", $"Known-plaintext attack defeated, {g.Key}",
                $"C_B ⊕ (C_A ⊕ P_A) ≠ P_B and < {ChanceAgreementLimitPercent} % bytes right (chance: 0.39 %)",
                g.Select(k => !k.AttackSucceeded && k.BytesCorrectPercent < ChanceAgreementLimitPercent), 0, g.First().Diagnostic));
        foreach (var g in r.Attacks.KeystreamReuse.GroupBy(k => k.Variant))
            t.Add(Count("Attacks", $"Keystream reuse reveals nothing, {g.Key}",
                $"C_A ⊕ C_B agrees with P_A ⊕ P_B on < {ChanceAgreementLimitPercent} % of bytes (chance: 0.39 %)",
                g.Select(k => !k.AttackSucceeded && k.EqualPercent < ChanceAgreementLimitPercent), 0, g.First().Diagnostic));
        if (r.Attacks.BruteForce.Count > 0)
            t.Add(Count("Attacks", "Ciphertext-only search of the 256 keys defeated", "image not recovered exactly",
                r.Attacks.BruteForce.Select(b => !b.RecoveredExactly), 0));
        return t;
    }

    public static string VariantLabel(string variant) => variant switch
    {
        "deployed-first-byte" => "first byte changed",
        "deployed-centre" => "centre byte changed",
        "key-block-reused" => "key block reused (misuse)",
        "fixed-nonce-model" => "fixed nonce, plaintext-derived key (model)",
        "fixed-nonce" => "fixed nonce (misuse)",
        _ => variant,
    };

    private static TestTally Count(string section, string test, string criterion, IEnumerable<bool> passes, double alpha, bool diagnostic = false)
    {
        int passed = 0, total = 0;
        foreach (bool p in passes)
        {
            total++;
            if (p) passed++;
        }
        return new TestTally(section, test, criterion, passed, total, alpha, diagnostic);
    }

    private static string F(double v, int decimals) => MetricFormat.Number(v, decimals);
}
