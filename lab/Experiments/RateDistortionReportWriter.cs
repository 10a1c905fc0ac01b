using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SecureTransmit.Metrics.Charts;

namespace SecureTransmit.Lab.Experiments;

/// <summary>Writes an <see cref="RdReport"/>: rd.md, rd.json, and per data set PSNR and SSIM charts (full range and a 0–2.5 bpp zoom with the Kodak anchors).</summary>
internal static class RateDistortionReportWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Upper rate of the zoomed charts (bpp), where the published anchors and the low-rate codecs sit.</summary>
    public const double ZoomMaxBpp = 2.5;

    public static IReadOnlyList<string> Write(RdReport r, string outDir)
    {
        ArgumentNullException.ThrowIfNull(r);
        Directory.CreateDirectory(outDir);
        var written = new List<string>
        {
            Save(Path.Combine(outDir, "rd.json"), ToJson(r).ToJsonString(new JsonSerializerOptions { WriteIndented = true })),
            Save(Path.Combine(outDir, "rd.md"), Markdown(r)),
        };
        foreach (var ds in r.Datasets)
        {
            bool kodak = ds.Contains("kodak", StringComparison.OrdinalIgnoreCase);
            foreach (var (metric, label) in new[] { ("psnr", "PSNR (dB, RGB)"), ("ssim", "SSIM") })
                foreach (bool zoom in new[] { false, true })
                {
                    var chart = new RateDistortionChart
                    {
                        Title = $"{ds}: {(metric == "psnr" ? "PSNR" : "SSIM")} vs bits per pixel sent{(zoom ? $" (0–{ZoomMaxBpp} bpp)" : "")}",
                        YLabel = label,
                        Width = 960,
                        Height = 600,
                    };
                    if (zoom) { chart.XMin = 0; chart.XMax = ZoomMaxBpp; }
                    foreach (var g in r.Rows.Where(x => x.Dataset == ds).GroupBy(x => x.Method))
                    {
                        var pts = g.Where(x => !zoom || x.Bpp <= ZoomMaxBpp).ToList();
                        if (pts.Count == 0) continue;
                        bool ours = r.Models.Contains(g.Key) || g.Key == "lic";
                        chart.AddSeries(ours ? $"{g.Key} (ours)" : g.Key, pts.Select(x => x.Bpp).ToArray(), pts.Select(x => metric == "psnr" ? x.Psnr : x.Ssim).ToArray());
                    }
                    if (kodak && metric == "psnr")
                    {
                        foreach (var (codec, bpp, psnr) in RateDistortionExperiment.KodakAnchors)
                            chart.AddAnchor(codec.StartsWith("JPEG", StringComparison.Ordinal) ? "JPEG pub." : "WebP pub.", bpp, psnr);
                        if (zoom && r.Rows.Any(x => x.Method == "lic"))
                            foreach (var g in RateDistortionExperiment.KodakPublishedCurves.Where(c => c.Codec != "WebP").GroupBy(c => c.Codec))
                                chart.AddSeries($"{g.Key} (published)", g.Select(c => c.Bpp).ToArray(), g.Select(c => c.Psnr).ToArray());
                    }
                    var path = Path.Combine(outDir, $"rd-{Slug(ds)}-{metric}{(zoom ? "-zoom" : "")}.svg");
                    chart.Save(path);
                    written.Add(path);
                }
        }
        return written;
    }

    public static string Slug(string s) => new(s.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());

    public static string Markdown(RdReport r)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Rate–distortion");
        sb.AppendLine();
        sb.AppendLine("bpp = bytes actually sent · 8 / pixels: our sealed packets (8-bit latent or lic bitstream + header with key block + 16-byte tag),");
        sb.AppendLine("JPEG/WebP/AVIF file sizes. PSNR over RGB and SSIM (mean of R, G, B) averaged per image.");
        sb.AppendLine();
        foreach (var ds in r.Datasets)
        {
            var rows = r.Rows.Where(x => x.Dataset == ds).ToList();
            int n = rows.Count == 0 ? 0 : rows.Max(x => x.Images);
            sb.AppendLine(Inv, $"## {ds} ({n} images)");
            sb.AppendLine();
            if (r.LosslessPng is not null && r.LosslessPng.TryGetValue(ds, out var png))
            {
                sb.AppendLine(Inv, $"Lossless PNG of the same images: {png.Bytes * 8.0 / png.Pixels:0.000} bpp ({png.Bytes:N0} bytes; {(png.SourcePng ? "the source files" : "encoded by our PNG encoder from the sources")}).");
                sb.AppendLine();
            }
            var ours = rows.Where(x => r.Models.Contains(x.Method) || x.Method == "lic").ToList();
            if (ours.Count > 0)
            {
                sb.AppendLine("Our models against the reference codecs at the same rate (codec PSNR interpolated along its curve; — = outside the sweep):");
                sb.AppendLine();
                sb.Append("| model | bpp | PSNR dB | SSIM |");
                foreach (var c in r.Codecs) sb.Append(Inv, $" {c} PSNR at same bpp |");
                sb.AppendLine();
                sb.Append("|---|---:|---:|---:|");
                foreach (var _ in r.Codecs) sb.Append("---:|");
                sb.AppendLine();
                foreach (var m in ours)
                {
                    sb.Append(Inv, $"| {(m.Method == "lic" ? m.Setting : m.Method)} | {m.Bpp:0.000} | {m.Psnr:0.00} | {m.Ssim:0.0000} |");
                    foreach (var c in r.Codecs)
                    {
                        var v = RateDistortionExperiment.Interpolate(rows.Where(x => x.Method == c), m.Bpp, x => x.Psnr);
                        sb.Append(v is { } d ? string.Create(Inv, $" {d:0.00} |") : " — |");
                    }
                    sb.AppendLine();
                }
                sb.AppendLine();
            }
            if (ds.Contains("kodak", StringComparison.OrdinalIgnoreCase))
            {
                sb.AppendLine("Reference codecs in this run vs the published Kodak anchors (PSNR dB; this run interpolated along its curve):");
                sb.AppendLine();
                sb.AppendLine("| codec | 0.25 bpp | 0.5 bpp | 1.0 bpp | 1.5 bpp |");
                sb.AppendLine("|---|---:|---:|---:|---:|");
                foreach (var codec in new[] { "JPEG 4:2:0", "WebP" })
                {
                    var pub = RateDistortionExperiment.KodakAnchors.Where(a => a.Codec == codec).ToList();
                    sb.Append(Inv, $"| {codec} published |");
                    foreach (var a in pub) sb.Append(Inv, $" {a.Psnr:0.0} |");
                    sb.AppendLine();
                    if (!r.Codecs.Contains(codec)) continue;
                    sb.Append(Inv, $"| {codec} this run |");
                    foreach (var a in pub)
                    {
                        var v = RateDistortionExperiment.Interpolate(rows.Where(x => x.Method == codec), a.Bpp, x => x.Psnr);
                        sb.Append(v is { } d ? string.Create(Inv, $" {d:0.0} |") : " — |");
                    }
                    sb.AppendLine();
                }
                sb.AppendLine();
                var lic = rows.Where(x => x.Method == "lic").ToList();
                if (lic.Count > 0)
                {
                    sb.AppendLine("The lic points against the published Kodak curves at the same bpp (linear between the published 0.25/0.5/0.75/1.0 bpp points; — = outside them):");
                    sb.AppendLine();
                    var curves = RateDistortionExperiment.KodakPublishedCurves.GroupBy(c => c.Codec).ToList();
                    sb.Append("| model | bpp | PSNR dB |");
                    foreach (var g in curves) sb.Append(Inv, $" {g.Key} (published) |");
                    sb.AppendLine();
                    sb.Append("|---|---:|---:|");
                    foreach (var _ in curves) sb.Append("---:|");
                    sb.AppendLine();
                    foreach (var m in lic)
                    {
                        sb.Append(Inv, $"| {m.Setting} | {m.Bpp:0.000} | {m.Psnr:0.00} |");
                        foreach (var g in curves)
                        {
                            var pts = g.OrderBy(c => c.Bpp).ToList();
                            double? v = null;
                            for (int i = 0; i + 1 < pts.Count; i++)
                                if (m.Bpp >= pts[i].Bpp && m.Bpp <= pts[i + 1].Bpp)
                                    v = pts[i].Psnr + (pts[i + 1].Psnr - pts[i].Psnr) * (m.Bpp - pts[i].Bpp) / (pts[i + 1].Bpp - pts[i].Bpp);
                            sb.Append(v is { } d ? string.Create(Inv, $" {d:0.00} |") : " — |");
                        }
                        sb.AppendLine();
                    }
                    sb.AppendLine();
                }
            }
            sb.AppendLine("| method | setting | images | bytes | pixels | bpp | PSNR dB | SSIM |");
            sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
            foreach (var x in rows)
                sb.AppendLine(Inv, $"| {x.Method} | {x.Setting} | {x.Images} | {x.Bytes} | {x.Pixels} | {x.Bpp:0.0000} | {x.Psnr:0.00} | {x.Ssim:0.0000} |");
            sb.AppendLine();
            var slug = Slug(ds);
            sb.AppendLine(Inv, $"Charts: [PSNR](rd-{slug}-psnr.svg), [PSNR 0–{ZoomMaxBpp} bpp](rd-{slug}-psnr-zoom.svg), [SSIM](rd-{slug}-ssim.svg), [SSIM 0–{ZoomMaxBpp} bpp](rd-{slug}-ssim-zoom.svg).");
            sb.AppendLine();
        }
        foreach (var note in r.Notes) sb.AppendLine("- " + note);
        return sb.ToString();
    }

    public static JsonObject ToJson(RdReport r)
    {
        var rows = new JsonArray();
        foreach (var x in r.Rows)
            rows.Add(new JsonObject
            {
                ["dataset"] = x.Dataset,
                ["method"] = x.Method,
                ["setting"] = x.Setting,
                ["images"] = x.Images,
                ["bytes"] = x.Bytes,
                ["pixels"] = x.Pixels,
                ["bpp"] = Math.Round(x.Bpp, 5),
                ["psnr"] = Math.Round(x.Psnr, 3),
                ["ssim"] = Math.Round(x.Ssim, 5),
            });
        var samples = new JsonArray();
        foreach (var s in r.Samples)
            samples.Add(new JsonArray(s.Dataset, s.Image, s.Method, s.Setting, s.Bytes, s.Pixels, Math.Round(s.Psnr, 3), Math.Round(s.Ssim, 5)));
        return new JsonObject
        {
            ["datasets"] = new JsonArray(r.Datasets.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
            ["models"] = new JsonArray(r.Models.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
            ["codecs"] = new JsonArray(r.Codecs.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
            ["packet_overhead_bytes"] = Commands.EvalCommand.PacketOverhead,
            ["lossless_png"] = r.LosslessPng is null ? null : new JsonObject(r.LosslessPng.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonObject
            {
                ["bytes"] = kv.Value.Bytes,
                ["pixels"] = kv.Value.Pixels,
                ["bpp"] = Math.Round(kv.Value.Bytes * 8.0 / kv.Value.Pixels, 5),
                ["source_png"] = kv.Value.SourcePng,
            }))),
            ["rows"] = rows,
            ["sample_columns"] = new JsonArray("dataset", "image", "method", "setting", "bytes", "pixels", "psnr", "ssim"),
            ["samples"] = samples,
            ["notes"] = new JsonArray(r.Notes.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
        };
    }

    private static string Save(string path, string text)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full + ".tmp", text);
        File.Move(full + ".tmp", full, overwrite: true);
        return full;
    }
}
