using System.Text;
using SecureTransmit.Metrics;

namespace SecureTransmit.Lab.Analysis.Internal;

/// <summary>Small helpers for GitHub-flavoured Markdown tables and number formatting (culture-invariant).</summary>
internal sealed class Markdown
{
    private readonly StringBuilder _sb = new();

    public Markdown Line(string text = "")
    {
        _sb.Append(text).Append('\n');
        return this;
    }

    public Markdown Table(string[] header, IEnumerable<string[]> rows)
    {
        _sb.Append("| ").AppendJoin(" | ", header.Select(Cell)).Append(" |\n");
        _sb.Append('|').AppendJoin('|', header.Select(_ => "---")).Append("|\n");
        foreach (var row in rows)
        {
            if (row.Length != header.Length) throw new InvalidOperationException($"table row has {row.Length} cells, header {header.Length}");
            _sb.Append("| ").AppendJoin(" | ", row.Select(Cell)).Append(" |\n");
        }
        _sb.Append('\n');
        return this;
    }

    public override string ToString() => _sb.ToString();

    private static string Cell(string s) => s.Replace("|", "\\|").ReplaceLineEndings(" ");

    public static string N(double v, int decimals) => MetricFormat.Number(v, decimals);

    public static string Pct(double v, int decimals = 4) => double.IsNaN(v) ? "—" : MetricFormat.Number(v, decimals) + " %";

    public static string Db(double v) => double.IsPositiveInfinity(v) ? "∞ (identical)" : MetricFormat.Number(v, 2) + " dB";

    public static string Join(IEnumerable<double> values, int decimals) => string.Join(" / ", values.Select(v => N(v, decimals)));

    public static string Verdict(bool pass) => pass ? "PASS" : "**FAIL**";

    public static string Verdicts(IReadOnlyList<bool> passes) =>
        passes.All(p => p) ? "PASS" : passes.Any(p => p) ? $"**FAIL** ({passes.Count(p => !p)}/{passes.Count})" : "**FAIL**";

    /// <summary>Per-channel verdicts written as e.g. "PASS" or "**FAIL** (G)".</summary>
    public static string ChannelVerdicts(IReadOnlyList<bool> passes)
    {
        if (passes.All(p => p)) return "PASS";
        string names = string.Join(",", passes.Select((p, i) => p ? null : ChannelName(i, passes.Count)).Where(s => s is not null));
        return $"**FAIL** ({names})";
    }

    public static string ChannelName(int channel, int channels) => channels == 3 ? "RGB"[channel].ToString() : channel.ToString();
}
