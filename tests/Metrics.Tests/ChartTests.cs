using System.Xml.Linq;
using SecureTransmit.Metrics;
using SecureTransmit.Metrics.Charts;
using SecureTransmit.Metrics.Charts.Internal;

namespace SecureTransmit.Metrics.Tests;

public class ChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XDocument Parse(string svg) => XDocument.Parse(svg);

    private static List<XElement> Groups(XDocument doc, string cls)
        => doc.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == cls).ToList();

    [Fact]
    public void Escape_HandlesMarkupAndForbiddenCharacters()
    {
        Assert.Equal("a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;", SvgWriter.Escape("a <b> & \"c\" 'd'"));
        Assert.Equal("x\uFFFDy", SvgWriter.Escape("x\u0001y"));
        Assert.Equal("\uFFFD", SvgWriter.Escape("\uD800"));
        Assert.Equal("😀", SvgWriter.Escape("😀"));
    }

    [Fact]
    public void LineChart_IsValidXml_WithEscapedTitle_AndOneGroupPerSeries()
    {
        const string title = "PSNR <vs> epoch & \"more\" \u0002";
        string svg = new LineChart { Title = title, XLabel = "epoch", YLabel = "dB <y>" }
            .AddSeries("train & val", new double[] { 0, 1, 2, 3 }, new double[] { 20, 25, 27, 28 })
            .AddSeries("test", new double[] { 0, 1, 2, 3 }, new double[] { 19, 24, double.NaN, 27 })
            .AddSeries("<script>", new double[] { 10, 20, 30 })
            .ToSvg();

        Assert.Contains("PSNR &lt;vs&gt; epoch &amp; &quot;more&quot;", svg);
        Assert.DoesNotContain("<script>", svg);
        var doc = Parse(svg);
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        Assert.Equal("PSNR <vs> epoch & \"more\" \uFFFD", doc.Root.Element(Svg + "title")!.Value);
        var series = Groups(doc, "series");
        Assert.Equal(3, series.Count);
        Assert.Equal(new[] { "train & val", "test", "<script>" }, series.Select(g => (string)g.Attribute("data-series")!));
        Assert.Equal(3, Groups(doc, "legend-item").Count);
        // The NaN point breaks the "test" line into two sub-paths.
        string d = (string)series[1].Element(Svg + "path")!.Attribute("d")!;
        Assert.Equal(2, d.Count(ch => ch == 'M'));
        Assert.DoesNotContain("NaN", svg);
    }

    [Fact]
    public void LineChart_LogY_LabelsDecades_AndSkipsNonPositive()
    {
        string svg = new LineChart { Title = "loss", LogY = true }
            .AddSeries("loss", new double[] { 1, 2, 3, 4 }, new double[] { 0.5, 0.05, 0, 0.002 })
            .ToSvg();
        var doc = Parse(svg);
        var labels = Groups(doc, "tick-labels").SelectMany(g => g.Elements(Svg + "text")).Select(t => t.Value).ToList();
        Assert.Contains("0.001", labels);
        Assert.Contains("0.01", labels);
        Assert.Contains("0.1", labels);
        Assert.Contains("1", labels);
        string d = (string)Groups(doc, "series")[0].Element(Svg + "path")!.Attribute("d")!;
        Assert.Equal(2, d.Count(ch => ch == 'M')); // broken at y = 0
    }

    [Fact]
    public void NiceTicks_AreRoundNumbers()
    {
        var a = Axis.Linear(0, 97);
        Assert.Equal(new[] { "0", "20", "40", "60", "80", "100" }, a.Ticks.Select(t => t.Label));
        var b = Axis.Linear(0.1, 0.93);
        Assert.Equal(new[] { "0.0", "0.2", "0.4", "0.6", "0.8", "1.0" }, b.Ticks.Select(t => t.Label));
        var c = Axis.Linear(0, 256, tight: true);
        Assert.Equal(new[] { "0", "50", "100", "150", "200", "250" }, c.Ticks.Select(t => t.Label));
        Assert.Equal(2.0, Axis.NiceNumber(1.7, round: true));
        Assert.Equal(5.0, Axis.NiceNumber(3.2, round: false));
    }

    [Fact]
    public void HistogramChart_PanelsAndGrouped()
    {
        var plain = new long[256];
        for (int i = 0; i < 256; i++) plain[i] = i < 128 ? i * 10 : 0;
        var cipher = Enumerable.Repeat(1024L, 256).ToArray();

        var panels = Parse(new HistogramChart { Title = "Histogram: plain & cipher" }.AddSeries("plain", plain).AddSeries("cipher", cipher).ToSvg());
        Assert.Equal(2, Groups(panels, "series").Count);
        Assert.Equal(new[] { "plain", "cipher" }, panels.Descendants(Svg + "text").Where(t => (string?)t.Attribute("class") == "panel-title").Select(t => t.Value));
        Assert.Equal("Histogram: plain & cipher", panels.Root!.Element(Svg + "title")!.Value);
        // The cipher panel: 256 bars, each a closed sub-path.
        string d = (string)Groups(panels, "series")[1].Element(Svg + "path")!.Attribute("d")!;
        Assert.Equal(256, d.Count(ch => ch == 'z'));

        var grouped = Parse(new HistogramChart { Layout = HistogramLayout.Grouped }.AddSeries("plain", plain).AddSeries("cipher", cipher).ToSvg());
        Assert.Equal(2, Groups(grouped, "series").Count);
        Assert.Equal(2, Groups(grouped, "legend-item").Count);

        Assert.Throws<MetricsException>(() => new HistogramChart().AddSeries("a", new long[256]).AddSeries("b", new long[10]));
    }

    [Fact]
    public void ScatterChart_ThinsManyPoints()
    {
        var img = new byte[512 * 512];
        new Random(1).NextBytes(img);
        var (x, y) = AdjacentCorrelation.Pairs(img, 512, 512, 1, 0, AdjacencyDirection.Horizontal);
        Assert.Equal(511 * 512, x.Length);
        var chart = new ScatterChart { Title = "Horizontal pairs", XLabel = "p(x,y)", YLabel = "p(x+1,y)", XMin = 0, XMax = 255, YMin = 0, YMax = 255, MaxPointsPerSeries = 5000 };
        string svg = chart.AddSeries("cipher", x, y).ToSvg();
        var doc = Parse(svg);
        Assert.Single(Groups(doc, "series"));
        string d = (string)Groups(doc, "series")[0].Element(Svg + "path")!.Attribute("d")!;
        int squares = d.Count(ch => ch == 'z');
        Assert.InRange(squares, 2500, 5000);
        Assert.True(svg.Length < 400_000, $"SVG is {svg.Length} chars");
    }

    [Fact]
    public void RateDistortionChart_DrawsSeriesWithMarkers_AndAnchors()
    {
        var chart = new RateDistortionChart { Title = "RD: ours vs JPEG" }
            .AddSeries("ours", new double[] { 0.5, 0.25, 1.0 }, new double[] { 30, 27, 33 })
            .AddSeries("JPEG", new double[] { 0.3, 0.6, 1.2 }, new double[] { 25, 29, 32 })
            .AddSeries("lossless", new double[] { 4.0, 2.0 }, new double[] { double.PositiveInfinity, 40 })
            .AddAnchor("paper A (0.5 bpp)", 0.5, 31.2)
            .AddAnchor("paper B", 0.9, 34.0);
        string svg = chart.ToSvg();
        var doc = Parse(svg);
        Assert.Equal(3, Groups(doc, "series").Count);
        Assert.Equal(2, Groups(doc, "anchor").Count);
        Assert.Equal(new[] { "paper A (0.5 bpp)", "paper B" }, Groups(doc, "anchor").Select(g => (string)g.Attribute("data-label")!));
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("Infinity", svg);
        Assert.Contains("Rate (bits per pixel)", svg);
        // Each series: one line path and one marker path; the "ours" line is sorted by rate (3 points, 1 M).
        var ours = Groups(doc, "series")[0].Elements(Svg + "path").ToList();
        Assert.Equal(2, ours.Count);
        Assert.Equal(1, ((string)ours[0].Attribute("d")!).Count(ch => ch == 'M'));
    }

    [Fact]
    public void BarChart_GroupsSeriesOverCategories()
    {
        string svg = new BarChart { Title = "NPCR (%)" }.SetCategories("R", "G", "B")
            .AddSeries("ours", new double[] { 99.61, 99.60, 99.62 })
            .AddSeries("baseline", new double[] { 99.1, 98.7, 99.0 })
            .ToSvg();
        var doc = Parse(svg);
        Assert.Equal(2, Groups(doc, "series").Count);
        Assert.Throws<MetricsException>(() => new BarChart().SetCategories("a").AddSeries("x", new double[] { 1, 2 }));
    }

    [Fact]
    public void EmptyChart_StillRendersValidSvg()
    {
        Parse(new LineChart { Title = "nothing" }.ToSvg());
        Parse(new HistogramChart().ToSvg());
        Parse(new ScatterChart().ToSvg());
        Parse(new RateDistortionChart().ToSvg());
        Parse(new BarChart().ToSvg());
    }

    [Fact]
    public void SaveAtomic_WritesAndReplaces_WithoutLeftovers()
    {
        string dir = Path.Combine(Path.GetTempPath(), "st-metrics-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(dir, "sub", "chart.svg");
            string first = new LineChart { Title = "one" }.AddSeries("s", new double[] { 1, 2 }).ToSvg();
            SvgWriter.SaveAtomic(path, first);
            Assert.Equal(first, File.ReadAllText(path));
            string second = new LineChart { Title = "two" }.AddSeries("s", new double[] { 3, 4 }).ToSvg();
            SvgWriter.SaveAtomic(path, second);
            Assert.Equal(second, File.ReadAllText(path));
            Assert.Equal(new[] { "chart.svg" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
            // No BOM: the file starts with the XML declaration.
            Assert.Equal((byte)'<', File.ReadAllBytes(path)[0]);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void BadChartSettings_Throw()
    {
        Assert.Throws<MetricsException>(() => new LineChart { Width = 10 });
        Assert.Throws<MetricsException>(() => new LineChart().AddSeries("a", new double[] { 1, 2 }, new double[] { 1 }));
        Assert.Throws<MetricsException>(() => SvgWriter.SaveAtomic(" ", "<svg/>"));
    }
}
