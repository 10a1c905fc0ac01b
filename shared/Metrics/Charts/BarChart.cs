using System.Text;
using SecureTransmit.Metrics.Charts.Internal;

namespace SecureTransmit.Metrics.Charts;

/// <summary>
/// Grouped bar chart over named categories (e.g. NPCR per method):
/// <code>new BarChart { Title = "NPCR" }.SetCategories("R", "G", "B").AddSeries("ours", values).ToSvg()</code>
/// The y axis always includes 0; negative values draw downwards.
/// </summary>
public sealed class BarChart : Chart
{
    private readonly List<(string Name, double[] Values)> _series = [];
    private string[] _categories = [];

    public int SeriesCount => _series.Count;

    /// <summary>Explicit y bounds; null = from the data (and 0).</summary>
    public double? YMin { get; set; }

    public double? YMax { get; set; }

    /// <summary>Sets the category labels; every series must have one value per category.</summary>
    public BarChart SetCategories(params string[] categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        if (categories.Length == 0) throw new MetricsException("bar chart: needs at least one category");
        if (_series.Count > 0 && _series[0].Values.Length != categories.Length)
            throw new MetricsException($"bar chart: {categories.Length} categories but series have {_series[0].Values.Length} values");
        _categories = categories.Select(c => c ?? string.Empty).ToArray();
        return this;
    }

    /// <summary>Adds a series (copied), one value per category; NaN/±∞ values are not drawn.</summary>
    public BarChart AddSeries(string name, ReadOnlySpan<double> values)
    {
        CheckName(name);
        if (_categories.Length == 0) throw new MetricsException("bar chart: call SetCategories before AddSeries");
        if (values.Length != _categories.Length)
            throw new MetricsException($"bar chart: series '{name}' has {values.Length} values for {_categories.Length} categories");
        _series.Add((name, values.ToArray()));
        return this;
    }

    public override string ToSvg()
    {
        var svg = new SvgBuilder(Width, Height, Title);
        Frame.Title(svg, Width, Title);
        double legendW = Frame.LegendWidth(_series.Select(s => s.Name));
        double left = 75, top = string.IsNullOrEmpty(Title) ? 20 : 45, bottom = 60;
        double w = Math.Max(20, Width - left - 20 - legendW), h = Math.Max(20, Height - top - bottom);
        int n = Math.Max(1, _categories.Length);

        double lo = 0, hi = 0;
        foreach (var (_, values) in _series)
        {
            foreach (double v in values)
            {
                if (!double.IsFinite(v)) continue;
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
        }
        if (hi == lo) hi = lo + 1;
        var yAxis = YMin is not null && YMax is not null ? Axis.Linear(YMin.Value, YMax.Value, tight: true) : Axis.Linear(YMin ?? lo, YMax ?? hi);
        var xAxis = new Axis(0, n, log: false, [], []);
        var (mx, my) = Frame.Axes(svg, left, top, w, h, xAxis, yAxis, XLabel, YLabel, xTickLabels: false);

        svg.Open("g", ("class", "tick-labels"), ("fill", "#333333"));
        for (int c = 0; c < _categories.Length; c++)
        {
            svg.Text("text", _categories[c], ("x", SvgBuilder.N(mx.Map(c + 0.5))), ("y", SvgBuilder.N(top + h + 18)), ("text-anchor", "middle"));
        }
        svg.Close("g");

        int groups = Math.Max(1, _series.Count);
        double zero = my.Map(Math.Clamp(0, yAxis.Min, yAxis.Max));
        for (int si = 0; si < _series.Count; si++)
        {
            var sb = new StringBuilder();
            var values = _series[si].Values;
            for (int c = 0; c < values.Length; c++)
            {
                if (!double.IsFinite(values[c])) continue;
                double x0 = mx.Map(c + 0.1 + 0.8 * si / groups), x1 = mx.Map(c + 0.1 + 0.8 * (si + 1) / groups);
                double y = my.Map(Math.Clamp(values[c], yAxis.Min, yAxis.Max));
                sb.Append('M').Append(SvgBuilder.N(x0)).Append(' ').Append(SvgBuilder.N(zero))
                  .Append('V').Append(SvgBuilder.N(y)).Append('H').Append(SvgBuilder.N(x1)).Append('V').Append(SvgBuilder.N(zero)).Append('z');
            }
            svg.Open("g", ("class", "series"), ("data-series", _series[si].Name));
            if (sb.Length > 0) svg.Empty("path", ("d", sb.ToString()), ("fill", Palette.Color(si)));
            svg.Close("g");
        }
        Frame.Legend(svg, left + w + 14, top, _series.Select((s, i) => new LegendEntry(s.Name, Palette.Color(i), false, null)).ToList());
        return svg.ToString();
    }
}
