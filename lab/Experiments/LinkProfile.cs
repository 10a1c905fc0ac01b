using System.Globalization;
using System.Text.RegularExpressions;

namespace SecureTransmit.Lab.Experiments;

/// <summary>
/// A network link: rate (bits per second), one-way delay and random loss, written <c>RATE:DELAY:LOSS</c> as in
/// <c>10mbit:40ms:1%</c>. The delay and loss apply to each direction (tc netem on both ends of the link), so the
/// round-trip time is twice the delay.
/// <list type="bullet">
/// <item>RATE: a number with bit, kbit, mbit or gbit (decimal multiples, as tc); 1 kbit … 100 gbit.</item>
/// <item>DELAY: a number with us, ms or s; 0 … 10 s.</item>
/// <item>LOSS: a percentage with %; 0 ≤ loss &lt; 50.</item>
/// </list>
/// </summary>
internal sealed partial record LinkProfile(string Name, double RateBitsPerSecond, double DelayMs, double LossPercent)
{
    /// <summary>Round-trip time in ms: the delay once each way.</summary>
    public double RttMs => 2 * DelayMs;

    /// <summary>Loss as a probability 0..1.</summary>
    public double LossProbability => LossPercent / 100.0;

    /// <summary>RATE, DELAY and LOSS as tc netem spells them, for scripts/netns-link.sh.</summary>
    public string[] NetemArguments() =>
    [
        string.Create(CultureInfo.InvariantCulture, $"{RateBitsPerSecond:0}bit"),
        string.Create(CultureInfo.InvariantCulture, $"{DelayMs * 1000:0}us"),
        string.Create(CultureInfo.InvariantCulture, $"{LossPercent:0.###}%"),
    ];

    public override string ToString() => Name;

    /// <summary>Parses one <c>RATE:DELAY:LOSS</c> profile; throws <see cref="ExperimentException"/> naming the problem.</summary>
    public static LinkProfile Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        var parts = t.Split(':');
        if (parts.Length != 3)
            throw new ExperimentException($"profile '{t}': expected RATE:DELAY:LOSS, e.g. 10mbit:40ms:1%");
        var rm = RateRe().Match(parts[0]);
        if (!rm.Success) throw new ExperimentException($"profile '{t}': rate '{parts[0]}' must be a number with bit, kbit, mbit or gbit (e.g. 10mbit)");
        double rate = Number(rm.Groups[1].Value) * rm.Groups[2].Value.ToLowerInvariant() switch
        {
            "bit" => 1.0,
            "kbit" => 1e3,
            "mbit" => 1e6,
            _ => 1e9,
        };
        if (rate is < 1e3 or > 1e11) throw new ExperimentException($"profile '{t}': rate must be between 1kbit and 100gbit");
        var dm = DelayRe().Match(parts[1]);
        if (!dm.Success) throw new ExperimentException($"profile '{t}': delay '{parts[1]}' must be a number with us, ms or s (e.g. 40ms)");
        double delayMs = Number(dm.Groups[1].Value) * dm.Groups[2].Value.ToLowerInvariant() switch
        {
            "us" => 1e-3,
            "ms" => 1.0,
            _ => 1e3,
        };
        if (delayMs > 10_000) throw new ExperimentException($"profile '{t}': delay must be at most 10s");
        var lm = LossRe().Match(parts[2]);
        if (!lm.Success) throw new ExperimentException($"profile '{t}': loss '{parts[2]}' must be a percentage (e.g. 1%)");
        double loss = Number(lm.Groups[1].Value);
        if (loss >= 50) throw new ExperimentException($"profile '{t}': loss must be below 50%");
        return new LinkProfile(t.ToLowerInvariant(), rate, delayMs, loss);
    }

    /// <summary>Parses a comma-separated list of profiles (at least one, no duplicates).</summary>
    public static IReadOnlyList<LinkProfile> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0) throw new ExperimentException("--profiles: give at least one RATE:DELAY:LOSS profile, e.g. 10mbit:40ms:1%");
        var list = items.Select(Parse).ToList();
        var dup = list.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ExperimentException($"--profiles: '{dup.Key}' is listed twice");
        return list;
    }

    private static double Number(string s) => double.Parse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*([0-9]+(?:\.[0-9]+)?)\s*(bit|kbit|mbit|gbit)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex RateRe();

    [GeneratedRegex(@"^\s*([0-9]+(?:\.[0-9]+)?)\s*(us|ms|s)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex DelayRe();

    [GeneratedRegex(@"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")]
    private static partial Regex LossRe();
}
