using SecureTransmit.Metrics.Charts.Internal;

namespace SecureTransmit.Metrics.Charts;

/// <summary>
/// Rate–distortion chart: x = bits per pixel, y = PSNR (dB) by default. Each series is a line with a marker
/// shape of its own (circle, square, triangle, diamond, …), its points sorted by rate; reference anchor points
/// (e.g. published results) are drawn as gold stars with their label. Points with PSNR = +∞ (lossless) cannot
/// be placed and are left out.
/// </summary>
public sealed class RateDistortionChart : Chart
{
    private readonly List<XYSeries> _series = [];
    private readonly List<Anchor> _anchors = [];

    public RateDistortionChart()
    {
        XLabel = "Rate (bits per pixel)";
        YLabel = "PSNR (dB)";
    }

    /// <summary>Explicit axis bounds; null = from the data.</summary>
    public double? XMin { get; set; }

    public double? XMax { get; set; }

    public double? YMin { get; set; }

    public double? YMax { get; set; }

    public int SeriesCount => _series.Count;

    public int AnchorCount => _anchors.Count;

    /// <summary>Adds an operating-point curve (copied and sorted by rate).</summary>
    public RateDistortionChart AddSeries(string name, ReadOnlySpan<double> bpp, ReadOnlySpan<double> quality)
    {
        var (x, y) = CheckXY("rate-distortion", bpp, quality);
        Array.Sort(x, y);
        _series.Add(new XYSeries(CheckName(name), x, y, Line: true, Marker: Markers.ForSeries(_series.Count), PointSize: 0));
        return this;
    }

    /// <summary>Adds a labelled reference point, drawn as a distinct star marker.</summary>
    public RateDistortionChart AddAnchor(string label, double bpp, double quality)
    {
        _anchors.Add(new Anchor(CheckName(label), bpp, quality));
        return this;
    }

    public override string ToSvg()
        => XYPlot.Render(Title, XLabel, YLabel, Width, Height, _series, _anchors, false, XMin, XMax, YMin, YMax, int.MaxValue);
}
