using SecureTransmit.Metrics.Charts.Internal;

namespace SecureTransmit.Metrics.Charts;

/// <summary>
/// Scatter plot for many points (e.g. adjacent-pixel pairs): each point is a tiny square. Points falling in
/// the same PointSize×PointSize pixel cell are drawn once, and if more than <see cref="MaxPointsPerSeries"/>
/// cells remain they are thinned by a fixed stride, so a 512×512 image's pairs stay a small file.
/// </summary>
public sealed class ScatterChart : Chart
{
    private readonly List<XYSeries> _series = [];
    private double _pointSize = 1.5;
    private int _maxPoints = 20000;

    /// <summary>Side of each point square in px. Default 1.5; 0.5..10.</summary>
    public double PointSize
    {
        get => _pointSize;
        set => _pointSize = value is >= 0.5 and <= 10 ? value : throw new MetricsException($"scatter: PointSize must be 0.5..10 px (got {value})");
    }

    /// <summary>Most squares drawn per series after merging overlaps. Default 20000; at least 100.</summary>
    public int MaxPointsPerSeries
    {
        get => _maxPoints;
        set => _maxPoints = value >= 100 ? value : throw new MetricsException($"scatter: MaxPointsPerSeries must be at least 100 (got {value})");
    }

    /// <summary>Explicit axis bounds; null = from the data. For pixel pairs use 0 and 255.</summary>
    public double? XMin { get; set; }

    public double? XMax { get; set; }

    public double? YMin { get; set; }

    public double? YMax { get; set; }

    public int SeriesCount => _series.Count;

    /// <summary>Adds a series of points (copied); x and y must have the same length.</summary>
    public ScatterChart AddSeries(string name, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        var (x, y) = CheckXY("scatter", xs, ys);
        _series.Add(new XYSeries(CheckName(name), x, y, Line: false, Marker: null, PointSize: 1));
        return this;
    }

    /// <summary>Adds byte pairs, e.g. the output of <see cref="AdjacentCorrelation.Pairs"/>.</summary>
    public ScatterChart AddSeries(string name, ReadOnlySpan<byte> xs, ReadOnlySpan<byte> ys)
    {
        if (xs.Length != ys.Length) throw new MetricsException($"scatter: x and y differ in length ({xs.Length} vs {ys.Length})");
        var x = new double[xs.Length];
        var y = new double[ys.Length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = xs[i];
            y[i] = ys[i];
        }
        _series.Add(new XYSeries(CheckName(name), x, y, Line: false, Marker: null, PointSize: 1));
        return this;
    }

    public override string ToSvg()
    {
        var series = _series.Select(s => s with { PointSize = PointSize }).ToList();
        return XYPlot.Render(Title, XLabel, YLabel, Width, Height, series, [], false, XMin, XMax, YMin, YMax, MaxPointsPerSeries);
    }
}
