using System.Text;
using SecureTransmit.Metrics.Charts.Internal;

namespace SecureTransmit.Metrics.Charts;

/// <summary>How a <see cref="HistogramChart"/> places several series.</summary>
public enum HistogramLayout
{
    /// <summary>One panel per series, side by side, each with its own y scale (plain vs cipher). Default.</summary>
    Panels,

    /// <summary>All series in one plot, bars of a bin grouped side by side, shared y scale, with a legend.</summary>
    Grouped,
}

/// <summary>
/// Histogram of binned counts (typically 256 bins of byte values):
/// <code>new HistogramChart { Title = "Histograms" }.AddSeries("plain", CipherStatistics.Histogram(p)).AddSeries("cipher", …).ToSvg()</code>
/// The x axis is the bin index (0 … bins); every series must have the same number of bins.
/// </summary>
public sealed class HistogramChart : Chart
{
    private readonly List<(string Name, double[] Counts)> _series = [];

    public HistogramChart()
    {
        XLabel = "value";
        YLabel = "count";
    }

    /// <summary>Panels (default) or grouped bars.</summary>
    public HistogramLayout Layout { get; set; } = HistogramLayout.Panels;

    public int SeriesCount => _series.Count;

    /// <summary>Adds a series of bin counts (copied).</summary>
    public HistogramChart AddSeries(string name, ReadOnlySpan<long> counts)
    {
        var values = new double[counts.Length];
        for (int i = 0; i < values.Length; i++) values[i] = counts[i];
        return AddSeries(name, values);
    }

    /// <summary>Adds a series of bin values (copied); values must be finite and non-negative.</summary>
    public HistogramChart AddSeries(string name, ReadOnlySpan<double> counts)
    {
        CheckName(name);
        if (counts.IsEmpty) throw new MetricsException("histogram: a series needs at least one bin");
        if (_series.Count > 0 && _series[0].Counts.Length != counts.Length)
            throw new MetricsException($"histogram: series '{name}' has {counts.Length} bins but earlier series have {_series[0].Counts.Length}");
        foreach (double c in counts)
        {
            if (!double.IsFinite(c) || c < 0) throw new MetricsException($"histogram: series '{name}' has a negative or non-finite count ({c})");
        }
        _series.Add((name, counts.ToArray()));
        return this;
    }

    public override string ToSvg()
    {
        var svg = new SvgBuilder(Width, Height, Title);
        Frame.Title(svg, Width, Title);
        int bins = _series.Count > 0 ? _series[0].Counts.Length : 256;
        double top = string.IsNullOrEmpty(Title) ? 30 : 55, bottom = 60, left = 75;
        var xAxis = Axis.Linear(0, bins, tight: true);

        if (Layout == HistogramLayout.Panels && _series.Count > 1)
        {
            int n = _series.Count;
            double gap = 80, right = 20;
            double pw = Math.Max(20, (Width - left - right - gap * (n - 1)) / n), h = Math.Max(20, Height - top - bottom);
            for (int i = 0; i < n; i++)
            {
                double pl = left + i * (pw + gap);
                var yAxis = Axis.Linear(0, Math.Max(1, _series[i].Counts.Max()));
                var (mx, my) = Frame.Axes(svg, pl, top, pw, h, xAxis, yAxis, XLabel, i == 0 ? YLabel : string.Empty, _series[i].Name);
                Bars(svg, _series[i].Name, _series[i].Counts, Palette.Color(i), mx, my, 0, 1);
            }
        }
        else
        {
            double legendW = Frame.LegendWidth(_series.Select(s => s.Name));
            double w = Math.Max(20, Width - left - 20 - legendW), h = Math.Max(20, Height - top - bottom);
            double max = _series.Count == 0 ? 1 : _series.Max(s => s.Counts.Max());
            var yAxis = Axis.Linear(0, Math.Max(1, max));
            var (mx, my) = Frame.Axes(svg, left, top, w, h, xAxis, yAxis, XLabel, YLabel);
            for (int i = 0; i < _series.Count; i++) Bars(svg, _series[i].Name, _series[i].Counts, Palette.Color(i), mx, my, i, _series.Count);
            Frame.Legend(svg, left + w + 14, top, _series.Select((s, i) => new LegendEntry(s.Name, Palette.Color(i), false, null)).ToList());
        }
        return svg.ToString();
    }

    /// <summary>One path of rectangles; bin b spans [b, b+1) on x, split into <paramref name="groups"/> slots.</summary>
    private static void Bars(SvgBuilder svg, string name, double[] counts, string color, Axis mx, Axis my, int slot, int groups)
    {
        var sb = new StringBuilder();
        double baseY = my.Map(0);
        for (int b = 0; b < counts.Length; b++)
        {
            if (counts[b] <= 0) continue;
            double x0 = mx.Map(b + (double)slot / groups), x1 = mx.Map(b + (slot + 1.0) / groups);
            double y = my.Map(counts[b]);
            sb.Append('M').Append(SvgBuilder.N(x0)).Append(' ').Append(SvgBuilder.N(baseY))
              .Append('V').Append(SvgBuilder.N(y)).Append('H').Append(SvgBuilder.N(x1)).Append('V').Append(SvgBuilder.N(baseY)).Append('z');
        }
        svg.Open("g", ("class", "series"), ("data-series", name));
        if (sb.Length > 0) svg.Empty("path", ("d", sb.ToString()), ("fill", color), ("stroke", "none"));
        svg.Close("g");
    }
}
