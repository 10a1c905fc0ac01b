namespace SecureTransmit.Metrics.Charts;

/// <summary>
/// Common settings of every chart. Charts are plain mutable builders: set properties, add series, call
/// <see cref="ToSvg"/> (a standalone SVG 1.1 document, every text escaped) or <see cref="Save"/>.
/// </summary>
public abstract class Chart
{
    private int _width = 800;
    private int _height = 500;
    private string _title = string.Empty;
    private string _xLabel = string.Empty;
    private string _yLabel = string.Empty;

    private protected Chart() { }

    /// <summary>Title drawn above the plot (and the SVG &lt;title&gt;). Default empty.</summary>
    public string Title { get => _title; set => _title = value ?? string.Empty; }

    /// <summary>X-axis label. Default empty.</summary>
    public string XLabel { get => _xLabel; set => _xLabel = value ?? string.Empty; }

    /// <summary>Y-axis label. Default empty.</summary>
    public string YLabel { get => _yLabel; set => _yLabel = value ?? string.Empty; }

    /// <summary>Width in px. Default 800; 200..10000.</summary>
    public int Width
    {
        get => _width;
        set => _width = value is >= 200 and <= 10000 ? value : throw new MetricsException($"chart: Width must be 200..10000 px (got {value})");
    }

    /// <summary>Height in px. Default 500; 150..10000.</summary>
    public int Height
    {
        get => _height;
        set => _height = value is >= 150 and <= 10000 ? value : throw new MetricsException($"chart: Height must be 150..10000 px (got {value})");
    }

    /// <summary>Renders the chart as a standalone SVG document.</summary>
    public abstract string ToSvg();

    /// <summary>Renders and writes the chart with <see cref="SvgWriter.SaveAtomic"/>.</summary>
    public void Save(string path) => SvgWriter.SaveAtomic(path, ToSvg());

    private protected static string CheckName(string name)
    {
        if (name is null) throw new MetricsException("chart: series name is null");
        return name;
    }

    private protected static (double[] X, double[] Y) CheckXY(string what, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        if (xs.Length != ys.Length) throw new MetricsException($"{what}: x and y differ in length ({xs.Length} vs {ys.Length})");
        return (xs.ToArray(), ys.ToArray());
    }
}
