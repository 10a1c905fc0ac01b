using System.Globalization;
using System.Text;

namespace SecureTransmit.Metrics.Charts.Internal;

/// <summary>Small append-only SVG text builder; every text and attribute value goes through <see cref="SvgWriter.Escape"/>.</summary>
internal sealed class SvgBuilder
{
    private readonly StringBuilder _sb = new();

    public SvgBuilder(double width, double height, string title)
    {
        _sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        _sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").Append(N(width))
           .Append("\" height=\"").Append(N(height)).Append("\" viewBox=\"0 0 ").Append(N(width)).Append(' ').Append(N(height))
           .Append("\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n");
        _sb.Append("<title>").Append(SvgWriter.Escape(title)).Append("</title>\n");
        _sb.Append("<rect x=\"0\" y=\"0\" width=\"").Append(N(width)).Append("\" height=\"").Append(N(height)).Append("\" fill=\"#ffffff\"/>\n");
    }

    /// <summary>Invariant number with at most 2 decimals ("12.5", "-3", "0.07").</summary>
    public static string N(double v)
    {
        if (!double.IsFinite(v)) v = 0;
        double r = Math.Round(v, 2);
        if (r == 0) r = 0; // no "-0"
        return r.ToString("0.##", CultureInfo.InvariantCulture);
    }

    /// <summary>Opens an element with escaped attributes; name/value pairs.</summary>
    public SvgBuilder Open(string tag, params (string Name, string Value)[] attrs)
    {
        StartTag(tag, attrs);
        _sb.Append(">\n");
        return this;
    }

    public SvgBuilder Close(string tag)
    {
        _sb.Append("</").Append(tag).Append(">\n");
        return this;
    }

    /// <summary>Self-closing element.</summary>
    public SvgBuilder Empty(string tag, params (string Name, string Value)[] attrs)
    {
        StartTag(tag, attrs);
        _sb.Append("/>\n");
        return this;
    }

    /// <summary>Element with escaped text content.</summary>
    public SvgBuilder Text(string tag, string text, params (string Name, string Value)[] attrs)
    {
        StartTag(tag, attrs);
        _sb.Append('>').Append(SvgWriter.Escape(text)).Append("</").Append(tag).Append(">\n");
        return this;
    }

    private void StartTag(string tag, (string Name, string Value)[] attrs)
    {
        _sb.Append('<').Append(tag);
        foreach (var (name, value) in attrs)
        {
            _sb.Append(' ').Append(name).Append("=\"").Append(SvgWriter.Escape(value)).Append('"');
        }
    }

    public override string ToString() => _sb.ToString() + "</svg>\n";
}
