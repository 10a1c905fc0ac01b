using System.Text;

namespace SecureTransmit.Metrics.Charts;

/// <summary>Text escaping and atomic file output for the SVG charts.</summary>
public static class SvgWriter
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Escapes text for XML character data and attribute values: &amp; &lt; &gt; " ' become entities, and
    /// characters XML 1.0 forbids (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, unpaired surrogates)
    /// become U+FFFD, so any string yields a well-formed document.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return string.Empty;
        var sb = new StringBuilder(text.Length + 16);
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            switch (ch)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                default:
                    if (char.IsHighSurrogate(ch) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        sb.Append(ch).Append(text[i + 1]);
                        i++;
                    }
                    else if (char.IsSurrogate(ch) || ch == '\uFFFE' || ch == '\uFFFF' || (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r'))
                    {
                        sb.Append('\uFFFD');
                    }
                    else
                    {
                        sb.Append(ch);
                    }
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Writes <paramref name="svg"/> to <paramref name="path"/> (UTF-8, no BOM) atomically: the text goes to a
    /// temporary file in the same folder, is flushed to disk, then renamed over the target, so readers never see
    /// a half-written chart. Creates the folder if needed. I/O failures propagate as <see cref="IOException"/>
    /// (the temporary file is removed).
    /// </summary>
    public static void SaveAtomic(string path, string svg)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new MetricsException("SVG: output path is empty");
        ArgumentNullException.ThrowIfNull(svg);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? throw new MetricsException($"SVG: output path {path} has no folder");
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                byte[] bytes = Utf8NoBom.GetBytes(svg);
                fs.Write(bytes, 0, bytes.Length);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
