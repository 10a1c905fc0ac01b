namespace SecureTransmit.Metrics.Charts.Internal;

/// <summary>Chart furniture shared by every chart: title, axes with ticks and grid, axis labels, legend.</summary>
internal static class Frame
{
    public const double CharWidth = 7.0; // rough advance of a 12 px sans-serif glyph
    public const double LegendSwatch = 22.0;

    public static void Title(SvgBuilder svg, double width, string title)
    {
        if (string.IsNullOrEmpty(title)) return;
        svg.Text("text", title, ("class", "title"), ("x", SvgBuilder.N(width / 2)), ("y", "24"),
            ("text-anchor", "middle"), ("font-size", "16"), ("font-weight", "bold"));
    }

    /// <summary>Width a legend needs for these names (0 when there are none).</summary>
    public static double LegendWidth(IEnumerable<string> names)
    {
        int longest = 0, count = 0;
        foreach (string n in names)
        {
            longest = Math.Max(longest, n.Length);
            count++;
        }
        return count == 0 ? 0 : Math.Min(260, 16 + LegendSwatch + 6 + longest * CharWidth);
    }

    /// <summary>
    /// Draws grid, frame, ticks, tick labels, axis labels and an optional panel title for the plot rectangle
    /// (left, top, w, h); returns the axes mapped onto it.
    /// </summary>
    public static (Axis X, Axis Y) Axes(SvgBuilder svg, double left, double top, double w, double h,
        Axis x, Axis y, string xLabel, string yLabel, string? panelTitle = null, bool xTickLabels = true)
    {
        var mx = x.WithPixels(left, left + w);
        var my = y.WithPixels(top + h, top);
        double bottom = top + h, right = left + w;

        svg.Open("g", ("class", "grid"), ("stroke", "#e5e5e5"), ("stroke-width", "1"));
        foreach (var (v, _) in x.Ticks)
        {
            string px = SvgBuilder.N(mx.Map(v));
            svg.Empty("line", ("x1", px), ("y1", SvgBuilder.N(top)), ("x2", px), ("y2", SvgBuilder.N(bottom)));
        }
        foreach (var (v, _) in y.Ticks)
        {
            string py = SvgBuilder.N(my.Map(v));
            svg.Empty("line", ("x1", SvgBuilder.N(left)), ("y1", py), ("x2", SvgBuilder.N(right)), ("y2", py));
        }
        svg.Close("g");

        svg.Open("g", ("class", "axes"), ("stroke", "#333333"), ("stroke-width", "1"));
        svg.Empty("rect", ("x", SvgBuilder.N(left)), ("y", SvgBuilder.N(top)), ("width", SvgBuilder.N(w)), ("height", SvgBuilder.N(h)), ("fill", "none"));
        foreach (var (v, _) in x.Ticks)
        {
            string px = SvgBuilder.N(mx.Map(v));
            svg.Empty("line", ("x1", px), ("y1", SvgBuilder.N(bottom)), ("x2", px), ("y2", SvgBuilder.N(bottom + 5)));
        }
        foreach (var (v, _) in y.Ticks)
        {
            string py = SvgBuilder.N(my.Map(v));
            svg.Empty("line", ("x1", SvgBuilder.N(left - 5)), ("y1", py), ("x2", SvgBuilder.N(left)), ("y2", py));
        }
        foreach (double v in y.MinorTicks)
        {
            string py = SvgBuilder.N(my.Map(v));
            svg.Empty("line", ("x1", SvgBuilder.N(left - 3)), ("y1", py), ("x2", SvgBuilder.N(left)), ("y2", py));
        }
        svg.Close("g");

        svg.Open("g", ("class", "tick-labels"), ("fill", "#333333"));
        if (xTickLabels)
        {
            foreach (var (v, label) in x.Ticks)
            {
                svg.Text("text", label, ("x", SvgBuilder.N(mx.Map(v))), ("y", SvgBuilder.N(bottom + 18)), ("text-anchor", "middle"));
            }
        }
        foreach (var (v, label) in y.Ticks)
        {
            svg.Text("text", label, ("x", SvgBuilder.N(left - 8)), ("y", SvgBuilder.N(my.Map(v) + 4)), ("text-anchor", "end"));
        }
        svg.Close("g");

        if (!string.IsNullOrEmpty(xLabel))
        {
            svg.Text("text", xLabel, ("class", "x-label"), ("x", SvgBuilder.N(left + w / 2)), ("y", SvgBuilder.N(bottom + 40)), ("text-anchor", "middle"));
        }
        if (!string.IsNullOrEmpty(yLabel))
        {
            double cx = left - 55, cy = top + h / 2;
            svg.Text("text", yLabel, ("class", "y-label"), ("x", SvgBuilder.N(cx)), ("y", SvgBuilder.N(cy)), ("text-anchor", "middle"),
                ("transform", $"rotate(-90 {SvgBuilder.N(cx)} {SvgBuilder.N(cy)})"));
        }
        if (!string.IsNullOrEmpty(panelTitle))
        {
            svg.Text("text", panelTitle, ("class", "panel-title"), ("x", SvgBuilder.N(left + w / 2)), ("y", SvgBuilder.N(top - 6)),
                ("text-anchor", "middle"), ("font-weight", "bold"));
        }
        return (mx, my);
    }

    /// <summary>One legend row per entry, drawn at (x, y) downwards. Swatch: a line, a filled box, or a marker.</summary>
    public static void Legend(SvgBuilder svg, double x, double y, IReadOnlyList<LegendEntry> entries)
    {
        if (entries.Count == 0) return;
        svg.Open("g", ("class", "legend"));
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            double cy = y + 10 + i * 20;
            svg.Open("g", ("class", "legend-item"));
            if (e.Line)
            {
                svg.Empty("line", ("x1", SvgBuilder.N(x)), ("y1", SvgBuilder.N(cy)), ("x2", SvgBuilder.N(x + LegendSwatch)), ("y2", SvgBuilder.N(cy)),
                    ("stroke", e.Color), ("stroke-width", "2"));
            }
            if (e.Marker is { } m)
            {
                svg.Empty("path", ("d", Markers.Path(m, x + LegendSwatch / 2, cy, 4)), ("fill", e.Color), ("stroke", e.Color));
            }
            else if (!e.Line)
            {
                svg.Empty("rect", ("x", SvgBuilder.N(x + 4)), ("y", SvgBuilder.N(cy - 6)), ("width", "14"), ("height", "12"), ("fill", e.Color));
            }
            svg.Text("text", e.Name, ("x", SvgBuilder.N(x + LegendSwatch + 6)), ("y", SvgBuilder.N(cy + 4)));
            svg.Close("g");
        }
        svg.Close("g");
    }
}

internal readonly record struct LegendEntry(string Name, string Color, bool Line, MarkerShape? Marker);

/// <summary>Marker shapes for series points; <see cref="Star"/> is reserved for reference anchors.</summary>
internal enum MarkerShape
{
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
    Star,
}

internal static class Markers
{
    /// <summary>The marker for the i-th series (Star is never used for series).</summary>
    public static MarkerShape ForSeries(int index) => (MarkerShape)(index % 5);

    /// <summary>Closed SVG path data for a marker of half-size r centred at (x, y).</summary>
    public static string Path(MarkerShape shape, double x, double y, double r)
    {
        string N(double v) => SvgBuilder.N(v);
        switch (shape)
        {
            case MarkerShape.Circle:
                return $"M{N(x - r)} {N(y)}a{N(r)} {N(r)} 0 1 0 {N(2 * r)} 0a{N(r)} {N(r)} 0 1 0 {N(-2 * r)} 0z";
            case MarkerShape.Square:
                return $"M{N(x - r)} {N(y - r)}h{N(2 * r)}v{N(2 * r)}h{N(-2 * r)}z";
            case MarkerShape.TriangleUp:
                return $"M{N(x)} {N(y - r * 1.2)}L{N(x + r * 1.1)} {N(y + r * 0.8)}L{N(x - r * 1.1)} {N(y + r * 0.8)}z";
            case MarkerShape.TriangleDown:
                return $"M{N(x)} {N(y + r * 1.2)}L{N(x + r * 1.1)} {N(y - r * 0.8)}L{N(x - r * 1.1)} {N(y - r * 0.8)}z";
            case MarkerShape.Diamond:
                return $"M{N(x)} {N(y - r * 1.3)}L{N(x + r)} {N(y)}L{N(x)} {N(y + r * 1.3)}L{N(x - r)} {N(y)}z";
            default:
                var sb = new System.Text.StringBuilder();
                for (int i = 0; i < 10; i++)
                {
                    double rad = i % 2 == 0 ? r * 1.6 : r * 0.7;
                    double a = -Math.PI / 2 + i * Math.PI / 5;
                    sb.Append(i == 0 ? 'M' : 'L').Append(N(x + rad * Math.Cos(a))).Append(' ').Append(N(y + rad * Math.Sin(a)));
                }
                return sb.Append('z').ToString();
        }
    }
}
