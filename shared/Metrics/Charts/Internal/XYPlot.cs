using System.Text;

namespace SecureTransmit.Metrics.Charts.Internal;

/// <summary>One x/y series as drawn by <see cref="XYPlot"/>.</summary>
internal sealed record XYSeries(string Name, double[] X, double[] Y, bool Line, MarkerShape? Marker, double PointSize);

/// <summary>A labelled reference point (rate–distortion anchors).</summary>
internal sealed record Anchor(string Label, double X, double Y);

/// <summary>Renders line, scatter and rate–distortion charts: one &lt;g class="series"&gt; per series.</summary>
internal static class XYPlot
{
    public static string Render(string title, string xLabel, string yLabel, int width, int height,
        IReadOnlyList<XYSeries> series, IReadOnlyList<Anchor> anchors, bool logY,
        double? xMin, double? xMax, double? yMin, double? yMax, int maxPointsPerSeries)
    {
        var svg = new SvgBuilder(width, height, title);
        Frame.Title(svg, width, title);

        double legendW = Frame.LegendWidth(series.Select(s => s.Name));
        double left = 75, top = string.IsNullOrEmpty(title) ? 20 : 45, right = 20 + legendW, bottom = 60;
        double w = Math.Max(20, width - left - right), h = Math.Max(20, height - top - bottom);

        // Data range over drawable points (finite; positive y on a log axis); explicit bounds win.
        double x0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y0 = double.PositiveInfinity, y1 = double.NegativeInfinity;
        void Take(double x, double y)
        {
            if (!double.IsFinite(x) || !double.IsFinite(y) || (logY && y <= 0)) return;
            x0 = Math.Min(x0, x); x1 = Math.Max(x1, x);
            y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
        }
        foreach (var s in series) for (int i = 0; i < s.X.Length; i++) Take(s.X[i], s.Y[i]);
        foreach (var a in anchors) Take(a.X, a.Y);
        if (double.IsInfinity(x0)) { x0 = 0; x1 = 1; y0 = logY ? 1 : 0; y1 = logY ? 10 : 1; }
        if (!logY && y1 > y0)
        {
            // 3 % head-room so markers do not sit on the frame; a zero baseline stays at zero.
            double pad = 0.03 * (y1 - y0);
            if (y0 != 0) y0 -= pad;
            y1 += pad;
        }
        x0 = xMin ?? x0; x1 = xMax ?? x1; y0 = yMin ?? y0; y1 = yMax ?? y1;
        bool tightX = xMin is not null && xMax is not null, tightY = yMin is not null && yMax is not null;
        var xAxis = Axis.Linear(x0, x1, tight: tightX);
        var yAxis = logY ? Axis.Log(y0, y1) : Axis.Linear(y0, y1, tight: tightY);
        var (mx, my) = Frame.Axes(svg, left, top, w, h, xAxis, yAxis, xLabel, yLabel);

        svg.Open("defs").Open("clipPath", ("id", "plot-area"))
           .Empty("rect", ("x", SvgBuilder.N(left)), ("y", SvgBuilder.N(top)), ("width", SvgBuilder.N(w)), ("height", SvgBuilder.N(h)))
           .Close("clipPath").Close("defs");

        svg.Open("g", ("class", "plot"), ("clip-path", "url(#plot-area)"));
        for (int si = 0; si < series.Count; si++)
        {
            var s = series[si];
            string color = Palette.Color(si);
            svg.Open("g", ("class", "series"), ("data-series", s.Name));
            if (s.Line)
            {
                string d = LinePath(s, mx, my);
                if (d.Length > 0)
                {
                    svg.Empty("path", ("d", d), ("fill", "none"), ("stroke", color), ("stroke-width", "2"), ("stroke-linejoin", "round"));
                }
            }
            if (s.Marker is { } m)
            {
                var sb = new StringBuilder();
                for (int i = 0; i < s.X.Length; i++)
                {
                    if (!mx.CanMap(s.X[i]) || !my.CanMap(s.Y[i])) continue;
                    sb.Append(Markers.Path(m, mx.Map(s.X[i]), my.Map(s.Y[i]), 4));
                }
                if (sb.Length > 0) svg.Empty("path", ("d", sb.ToString()), ("fill", color), ("stroke", "#ffffff"), ("stroke-width", "0.8"));
            }
            if (s.PointSize > 0)
            {
                string d = PointsPath(s, mx, my, maxPointsPerSeries);
                if (d.Length > 0) svg.Empty("path", ("d", d), ("fill", color), ("fill-opacity", "0.6"), ("shape-rendering", "crispEdges"));
            }
            svg.Close("g");
        }
        svg.Close("g");

        if (anchors.Count > 0)
        {
            svg.Open("g", ("class", "anchors"));
            foreach (var a in anchors)
            {
                if (!mx.CanMap(a.X) || !my.CanMap(a.Y)) continue;
                double px = mx.Map(a.X), py = my.Map(a.Y);
                svg.Open("g", ("class", "anchor"), ("data-label", a.Label));
                svg.Empty("path", ("d", Markers.Path(MarkerShape.Star, px, py, 5)), ("fill", "#ffd700"), ("stroke", "#000000"), ("stroke-width", "1"));
                svg.Text("text", a.Label, ("x", SvgBuilder.N(px + 9)), ("y", SvgBuilder.N(py - 7)), ("font-size", "11"));
                svg.Close("g");
            }
            svg.Close("g");
        }

        var legend = series.Select((s, i) => new LegendEntry(s.Name, Palette.Color(i), s.Line, s.Marker)).ToList();
        Frame.Legend(svg, left + w + 14, top, legend);
        return svg.ToString();
    }

    /// <summary>Polyline path in the given order, broken at points that cannot be drawn (NaN, ±∞, ≤ 0 on log).</summary>
    private static string LinePath(XYSeries s, Axis mx, Axis my)
    {
        var sb = new StringBuilder();
        bool pen = false;
        for (int i = 0; i < s.X.Length; i++)
        {
            if (!mx.CanMap(s.X[i]) || !my.CanMap(s.Y[i]))
            {
                pen = false;
                continue;
            }
            sb.Append(pen ? 'L' : 'M').Append(SvgBuilder.N(mx.Map(s.X[i]))).Append(' ').Append(SvgBuilder.N(my.Map(s.Y[i])));
            pen = true;
        }
        return sb.ToString();
    }

    /// <summary>
    /// Tiny squares, one per distinct cell of a PointSize grid (points that would overdraw the same cell are
    /// drawn once), then thinned by a fixed stride if more than <paramref name="maxPoints"/> cells remain.
    /// </summary>
    private static string PointsPath(XYSeries s, Axis mx, Axis my, int maxPoints)
    {
        double size = s.PointSize;
        var seen = new HashSet<long>();
        var cells = new List<(double X, double Y)>();
        for (int i = 0; i < s.X.Length; i++)
        {
            if (!mx.CanMap(s.X[i]) || !my.CanMap(s.Y[i])) continue;
            double px = mx.Map(s.X[i]), py = my.Map(s.Y[i]);
            long cx = (long)Math.Floor(px / size), cy = (long)Math.Floor(py / size);
            if (seen.Add((cx << 32) ^ (cy & 0xFFFFFFFFL))) cells.Add((cx * size, cy * size));
        }
        int stride = cells.Count > maxPoints ? (cells.Count + maxPoints - 1) / maxPoints : 1;
        var sb = new StringBuilder();
        string n = SvgBuilder.N(size);
        for (int i = 0; i < cells.Count; i += stride)
        {
            sb.Append('M').Append(SvgBuilder.N(cells[i].X)).Append(' ').Append(SvgBuilder.N(cells[i].Y))
              .Append('h').Append(n).Append('v').Append(n).Append("h-").Append(n).Append('z');
        }
        return sb.ToString();
    }
}
