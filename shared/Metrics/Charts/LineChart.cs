using SecureTransmit.Metrics.Charts.Internal;

namespace SecureTransmit.Metrics.Charts;

/// <summary>
/// Line chart with several series, nice-number ticks, legend and optional log-y:
/// <code>new LineChart { Title = "Loss", XLabel = "epoch", YLabel = "MSE", LogY = true }.AddSeries("train", xs, ys).ToSvg()</code>
/// Points are joined in the order given; a point that cannot be drawn (NaN, ±∞, or y ≤ 0 with LogY) breaks the line.
/// </summary>
public sealed class LineChart : Chart
{
    private readonly List<XYSeries> _series = [];

    /// <summary>Base-10 logarithmic y axis (whole decades). Default false.</summary>
    public bool LogY { get; set; }

    /// <summary>Draw a marker at each point as well as the line. Default false.</summary>
    public bool ShowMarkers { get; set; }

    /// <summary>Explicit axis bounds; null = from the data, widened to nice numbers.</summary>
    public double? XMin { get; set; }

    public double? XMax { get; set; }

    public double? YMin { get; set; }

    public double? YMax { get; set; }

    /// <summary>Number of series added.</summary>
    public int SeriesCount => _series.Count;

    /// <summary>Adds a series; x and y must have the same length (values are copied).</summary>
    public LineChart AddSeries(string name, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        var (x, y) = CheckXY("line chart", xs, ys);
        _series.Add(new XYSeries(CheckName(name), x, y, Line: true, Marker: null, PointSize: 0));
        return this;
    }

    /// <summary>Adds a series with x = 0, 1, 2, … .</summary>
    public LineChart AddSeries(string name, ReadOnlySpan<double> ys)
    {
        var xs = new double[ys.Length];
        for (int i = 0; i < xs.Length; i++) xs[i] = i;
        return AddSeries(name, xs, ys);
    }

    public override string ToSvg()
    {
        var series = _series.Select((s, i) => ShowMarkers ? s with { Marker = Markers.ForSeries(i) } : s).ToList();
        return XYPlot.Render(Title, XLabel, YLabel, Width, Height, series, [], LogY, XMin, XMax, YMin, YMax, int.MaxValue);
    }
}
