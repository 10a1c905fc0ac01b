using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SecureTransmit.Metrics.Charts;

namespace SecureTransmit.Lab.Experiments;

/// <summary>Writes a <see cref="BandwidthReport"/> as bandwidth.md, bandwidth.json and SVG charts.</summary>
internal static class BandwidthReportWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IReadOnlyList<string> Write(BandwidthReport r, string outDir, string? extraJson)
    {
        ArgumentNullException.ThrowIfNull(r);
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        var json = ToJson(r).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        written.Add(Save(Path.Combine(outDir, "bandwidth.json"), json));
        if (extraJson is not null) written.Add(Save(extraJson, json));
        written.Add(Save(Path.Combine(outDir, "bandwidth.md"), Markdown(r)));

        var models = r.Formats.Where(f => f.Kind == "model").Select(f => f.Model!).ToArray();
        var png = r.Formats.First(f => f.Kind == "png");
        double Kb(string id) => r.Formats.First(f => f.Id == id).Bytes / 1024.0 / r.ImageNames.Count;
        var bytes = new BarChart { Title = "Bytes per image: our sealed packets vs JPEG/WebP at the same size vs PNG", YLabel = "KiB per image", Width = 900 }
            .SetCategories(models)
            .AddSeries("ours (sealed packet)", models.Select(Kb).ToArray())
            .AddSeries("JPEG ≈ same size", models.Select(m => Kb($"jpeg@{m}")).ToArray())
            .AddSeries("WebP ≈ same size", models.Select(m => Kb($"webp@{m}")).ToArray())
            .AddSeries("PNG", models.Select(_ => png.Bytes / 1024.0 / r.ImageNames.Count).ToArray());
        bytes.Save(Path.Combine(outDir, "bandwidth-bytes.svg"));
        written.Add(Path.Combine(outDir, "bandwidth-bytes.svg"));

        foreach (var p in r.Profiles)
        {
            double T(string id) => r.Timings.First(t => t.Format == id && t.Profile == p.Name).TimeMs / 1000.0;
            var chart = new BarChart
            {
                Title = $"Time to send {r.ImageNames.Count} image(s) over {p.Name} ({r.Method})",
                YLabel = "seconds",
                Width = 900,
            }
                .SetCategories(models)
                .AddSeries("ours (sealed packet)", models.Select(T).ToArray())
                .AddSeries("JPEG ≈ same size", models.Select(m => T($"jpeg@{m}")).ToArray())
                .AddSeries("WebP ≈ same size", models.Select(m => T($"webp@{m}")).ToArray())
                .AddSeries("PNG", models.Select(_ => T("png")).ToArray());
            var path = Path.Combine(outDir, $"bandwidth-time-{Slug(p.Name)}.svg");
            chart.Save(path);
            written.Add(path);
        }

        var rd = new RateDistortionChart { Title = $"Quality vs bytes sent ({r.ImageNames.Count} image(s))", XLabel = "bits per pixel sent (bytes · 8 / pixels)", Width = 900 };
        foreach (var kind in new[] { "jpeg", "webp" })
        {
            var fs = r.Formats.Where(f => f.Kind == kind).ToList();
            rd.AddSeries(kind == "jpeg" ? "JPEG 4:2:0 (size-matched)" : "WebP (size-matched)", fs.Select(f => f.Bpp).ToArray(), fs.Select(f => f.Psnr).ToArray());
        }
        foreach (var f in r.Formats.Where(f => f.Kind == "model"))
            rd.AddSeries($"{f.Model} (ours)", [f.Bpp], [f.Psnr]);
        rd.Save(Path.Combine(outDir, "bandwidth-quality.svg"));
        written.Add(Path.Combine(outDir, "bandwidth-quality.svg"));
        return written;
    }

    /// <summary>A file-name form of a profile: "10mbit:40ms:1%" → "10mbit-40ms-1pct".</summary>
    public static string Slug(string profile) => new string(profile.Replace("%", "pct").Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');

    public static string Markdown(BandwidthReport r)
    {
        var sb = new StringBuilder();
        int n = r.ImageNames.Count;
        sb.AppendLine(Inv, $"# Bandwidth: {n} image(s) from {Path.GetFileName(Path.TrimEndingDirectorySeparator(r.ImagesDir))}");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Images: {string.Join(", ", r.ImageNames)} ({r.Pixels:N0} pixels in all).");
        sb.AppendLine(Inv, $"Transfer times: **{r.Method}** — {r.MethodReason}.");
        sb.AppendLine();
        sb.AppendLine("## Bytes and quality");
        sb.AppendLine();
        sb.AppendLine("| format | bytes (all images) | KiB/image | bpp | PSNR dB | SSIM | settings | size vs target | bytes on the wire ↑/↓ |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---|---:|---:|");
        foreach (var f in r.Formats)
        {
            string psnr = f.Kind == "png" ? "∞ (lossless)" : f.Psnr.ToString("0.00", Inv);
            string err = f.MeanSizeError is { } e ? $"±{e * 100:0.0} %" : "";
            sb.AppendLine(Inv, $"| {f.Label} | {f.Bytes:N0} | {f.Bytes / 1024.0 / n:0.0} | {f.Bpp:0.000} | {psnr} | {f.Ssim:0.0000} | {f.Settings} | {err} | {f.WireUp:N0} / {f.WireDown:N0} |");
        }
        sb.AppendLine();
        sb.AppendLine("bytes: what the format itself sends — file sizes, or our sealed packets (header with key block + ciphertext + 16-byte tag).");
        sb.AppendLine("bytes on the wire: everything above TCP counted by a relay on loopback, both directions — TLS handshake and records, and for");
        sb.AppendLine("our sender also HTTP/2, gRPC, protobuf framing and the signed session handshake. PSNR is over RGB, averaged per image;");
        sb.AppendLine("size vs target: mean |file − packet| / packet of the JPEG/WebP quality search.");
        sb.AppendLine();
        sb.AppendLine("## Transfer time (ms)");
        sb.AppendLine();
        sb.Append("| format |");
        foreach (var p in r.Profiles) sb.Append(Inv, $" {p.Name} |");
        sb.AppendLine();
        sb.Append("|---|");
        foreach (var _ in r.Profiles) sb.Append("---:|");
        sb.AppendLine();
        foreach (var f in r.Formats)
        {
            sb.Append(Inv, $"| {f.Label} |");
            foreach (var p in r.Profiles)
                sb.Append(Inv, $" {r.Timings.First(t => t.Format == f.Id && t.Profile == p.Name).TimeMs:N0} |");
            sb.AppendLine();
        }
        sb.AppendLine();
        if (r.Method == "computed")
        {
            sb.AppendLine("**These times are computed, not measured on a shaped link** (the link could not be emulated here). From the");
            sb.AppendLine("loopback byte counts ↑/↓ with RTT = 2·delay, rate R, loss p, N = ⌈↑/1448⌉ and M = ⌈↓/1448⌉ segments:");
            sb.AppendLine();
            sb.AppendLine("    T = H·RTT + 8·(↑ + 52·N + ↓ + 52·M) / (R·(1−p)) + Σ slow-start stalls + N·p·RTT + RTT");
            sb.AppendLine();
            sb.AppendLine(Inv, $"H = {BandwidthExperiment.OurHandshakeRoundTrips} round trips for our sender (TCP, TLS 1.3, OpenSession), {BandwidthExperiment.FileHandshakeRoundTrips} for a file push (TCP, TLS 1.3);");
            sb.AppendLine("slow-start stall after window k (10·1448·2^k bytes) = max(0, 8·1448/R + RTT − 8·W_k/R) while data is left;");
            sb.AppendLine("N·p·RTT = one fast-retransmit round trip per expected lost segment; the last RTT = last byte's trip + the receipt.");
        }
        else
        {
            sb.AppendLine(r.Method == "netem" ? "Measured between two network namespaces over a veth pair shaped by tc netem on both ends. Ours: the sender's"
                : "**Measured between two network namespaces WITHOUT shaping (plumbing check): the profiles were not applied.** Ours: the sender's");
            sb.AppendLine("total time minus its encode time and the receiver's decode time; files: connect to the last acknowledgement.");
        }
        sb.AppendLine();
        sb.AppendLine("Loopback times (ms, unshaped link, this loaded machine; ours include the receiver's decode before each receipt): " + string.Join(", ", r.Formats.Select(f => string.Create(Inv, $"{f.Id} {f.LoopbackMs:N0}"))) + ".");
        if (r.Notes.Count > 0)
        {
            sb.AppendLine();
            foreach (var note in r.Notes) sb.AppendLine("- " + note);
        }
        return sb.ToString();
    }

    public static JsonObject ToJson(BandwidthReport r)
    {
        var formats = new JsonArray();
        foreach (var f in r.Formats)
            formats.Add(new JsonObject
            {
                ["id"] = f.Id,
                ["label"] = f.Label,
                ["kind"] = f.Kind,
                ["model"] = f.Model,
                ["images"] = f.Images,
                ["bytes"] = f.Bytes,
                ["pixels"] = f.Pixels,
                ["bpp"] = Math.Round(f.Bpp, 5),
                ["psnr"] = Math.Round(f.Psnr, 3),
                ["ssim"] = Math.Round(f.Ssim, 5),
                ["settings"] = f.Settings,
                ["mean_size_error"] = f.MeanSizeError is { } e ? Math.Round(e, 5) : null,
                ["wire_up"] = f.WireUp,
                ["wire_down"] = f.WireDown,
                ["loopback_ms"] = Math.Round(f.LoopbackMs, 2),
            });
        var timings = new JsonArray();
        foreach (var t in r.Timings)
        {
            var o = new JsonObject { ["format"] = t.Format, ["profile"] = t.Profile, ["method"] = t.Method, ["ms"] = Math.Round(t.TimeMs, 2) };
            if (t.Estimate is { } e)
                o["parts_ms"] = new JsonObject
                {
                    ["handshake"] = Math.Round(e.HandshakeMs, 2),
                    ["serialization"] = Math.Round(e.SerializationMs, 2),
                    ["slow_start"] = Math.Round(e.SlowStartStallMs, 2),
                    ["loss_recovery"] = Math.Round(e.LossRecoveryMs, 2),
                    ["delivery"] = Math.Round(e.DeliveryMs, 2),
                };
            timings.Add(o);
        }
        return new JsonObject
        {
            ["images_dir"] = Path.GetFileName(Path.TrimEndingDirectorySeparator(r.ImagesDir)),
            ["images"] = new JsonArray(r.ImageNames.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
            ["pixels"] = r.Pixels,
            ["method"] = r.Method,
            ["method_reason"] = r.MethodReason,
            ["profiles"] = new JsonArray(r.Profiles.Select(p => (JsonNode?)new JsonObject
            {
                ["name"] = p.Name,
                ["rate_bps"] = p.RateBitsPerSecond,
                ["delay_ms"] = p.DelayMs,
                ["loss_percent"] = p.LossPercent,
            }).ToArray()),
            ["formats"] = formats,
            ["timings"] = timings,
            ["notes"] = new JsonArray(r.Notes.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
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
