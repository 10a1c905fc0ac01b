using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using SecureTransmit.Codec;
using SecureTransmit.Imaging;
using SecureTransmit.Lab.Commands;
using SecureTransmit.Lab.Experiments.Internal;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Lab.Experiments;

/// <summary>One way of sending the image set: its bytes and the quality the receiver gets.</summary>
/// <param name="Id">Short id, e.g. "png", "cae-compact", "jpeg@cae-compact".</param>
/// <param name="Kind">"png", "model", "jpeg" or "webp".</param>
/// <param name="Model">The model (for kind model) or the model whose packet sizes were matched (jpeg, webp).</param>
/// <param name="Bytes">Payload bytes of all images: files, or sealed packets (header + ciphertext + tag).</param>
/// <param name="Psnr">Mean per-image PSNR in dB (100 for lossless).</param>
/// <param name="Settings">Quality settings used, e.g. "q 12–31".</param>
/// <param name="MeanSizeError">Mean |bytes − target| / target of the size match (jpeg, webp).</param>
/// <param name="WireUp">Bytes client → server above TCP on loopback: TLS, HTTP/2, gRPC, handshakes, payload.</param>
/// <param name="WireDown">Bytes server → client above TCP on loopback.</param>
/// <param name="LoopbackMs">Time of the loopback transfer (connect to last acknowledgement).</param>
internal sealed record BandwidthFormat(string Id, string Label, string Kind, string? Model, int Images, long Bytes, long Pixels, double Psnr, double Ssim,
    string Settings, double? MeanSizeError, long WireUp, long WireDown, double LoopbackMs)
{
    /// <summary>Payload bits per pixel: bytes · 8 / pixels.</summary>
    public double Bpp => Bytes * 8.0 / Pixels;
}

/// <summary>The time to send one format's images over one link profile.</summary>
/// <param name="Method">"computed" (<see cref="TransferModel"/> on the loopback byte counts) or "netem" (measured).</param>
internal sealed record BandwidthTiming(string Format, string Profile, string Method, double TimeMs, TransferEstimate? Estimate);

internal sealed record BandwidthReport(string ImagesDir, IReadOnlyList<string> ImageNames, long Pixels, string Method, string MethodReason,
    IReadOnlyList<LinkProfile> Profiles, IReadOnlyList<BandwidthFormat> Formats, IReadOnlyList<BandwidthTiming> Timings, IReadOnlyList<string> Notes);

/// <summary>
/// <c>lab bandwidth</c>: sends the same images as PNG, as JPEG and WebP size-matched to each model's packets, and as
/// each model's sealed packets (our sender → receiver over TLS), and reports bytes, quality and transfer time per
/// link profile. See docs/bandwidth/README.md for the method.
/// </summary>
internal static class BandwidthExperiment
{
    /// <summary>Round trips before our first data byte: TCP, TLS 1.3, the OpenSession call.</summary>
    public const int OurHandshakeRoundTrips = 3;

    /// <summary>Round trips before a file push's first data byte: TCP, TLS 1.3.</summary>
    public const int FileHandshakeRoundTrips = 2;

    public static async Task<BandwidthReport> RunAsync(BandwidthOptions o, IExperimentProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        var images = ImageSet.Load(o.ImagesDir, o.Limit);
        var models = ModelSelection.Resolve(o.ModelsDir, o.Models);
        if (models.Count == 0) throw new ExperimentException($"no models in {o.ModelsDir} (need NAME{ModelFiles.EncoderSuffix} and NAME{ModelFiles.DecoderSuffix})");
        ReferenceCodec.Jpeg.RequireTools();
        ReferenceCodec.WebP.RequireTools();
        var (method, reason) = ChooseMethod(o.Mode);
        progress.Note($"transfer times: {method} ({reason})");
        var notes = new List<string>();
        long pixels = images.Sum(i => i.Pixels);

        var work = Directory.CreateTempSubdirectory("st-lab-bw-");
        try
        {
            var src = Path.Combine(work.FullName, "src");
            Directory.CreateDirectory(src);
            var srcFiles = images.Select(i => { var p = Path.Combine(src, i.Name + ".png"); File.WriteAllBytes(p, i.Png); return p; }).ToList();

            // 1. Our models: reconstruction quality (the receiver runs the same decoder on the same latent).
            var modelQuality = new Dictionary<string, (double Psnr, double Ssim, long Latent)>();
            foreach (var m in models)
            {
                var codec = CodecFiles.LoadPair(o.ModelsDir, m).Codec;
                progress.Stage($"{m}: encode and decode", images.Count);
                double ps = 0, ss = 0;
                long latent = 0;
                foreach (var img in images)
                {
                    ct.ThrowIfCancellationRequested();
                    var (e, r, _, _) = codec.RoundTrip(img.Rgb);
                    var (p, s) = Quality.Measure(img.Rgb, r);
                    ps += p; ss += s; latent += e.Latent.Length;
                    progress.Step();
                }
                modelQuality[m] = (ps / images.Count, ss / images.Count, latent);
            }

            // 2. Real transfers on loopback: our sender → counting relay → receiver (TLS); bytes per image from the sender.
            var peers = Peers.Create(work.FullName);
            var wire = new Dictionary<string, (long[] PerImage, long Up, long Down, double Ms)>();
            {
                var (rp, port) = await peers.StartReceiverAsync([], "127.0.0.1", o.ModelsDir, Path.Combine(work.FullName, "received"), ct);
                try
                {
                    await using var relay = new CountingRelay(port);
                    progress.Stage("loopback: sender → receiver over TLS", models.Count);
                    foreach (var m in models)
                    {
                        relay.Reset();
                        var sw = Stopwatch.StartNew();
                        var json = peers.Send([], $"https://127.0.0.1:{relay.Port}", m, o.ModelsDir, o.Cipher, srcFiles, Path.Combine(work.FullName, $"send-{m}.json"));
                        var (up, down) = await Settle(relay);
                        var arr = json["images"]!.AsArray();
                        var perImage = images.Select(i => arr.First(x => Path.GetFileNameWithoutExtension((string)x!["file"]!) == i.Name)!["wire_bytes"]!.GetValue<long>()).ToArray();
                        double transferMs = json["total_ms"]!.GetValue<double>() - arr.Sum(x => x!["encode_ms"]!.GetValue<double>());
                        wire[m] = (perImage, up, down, transferMs);
                        long expected = modelQuality[m].Latent + (o.Cipher == "logistic" ? (long)images.Count * EvalCommand.PacketOverhead : 0);
                        if (o.Cipher == "logistic" && perImage.Sum() != expected)
                            notes.Add($"{m}: the sender reported {perImage.Sum()} packet bytes, latent + {EvalCommand.PacketOverhead} B overhead per image predicts {expected}");
                        progress.Step();
                    }
                }
                finally
                {
                    Peers.Stop(rp);
                }
            }

            if (o.Cipher == "logistic" && notes.Count == 0)
                notes.Add($"checked: for every model the sender's packet bytes = latent bytes + {EvalCommand.PacketOverhead} B (header with the 60-byte logistic key block, 16-byte tag) per image");

            // 3. JPEG and WebP at the quality whose size is closest to each image's packet.
            var caches = new Dictionary<string, EncodingCache[]>
            {
                ["jpeg"] = images.Select(i => new EncodingCache(ReferenceCodec.Jpeg, i.Rgb)).ToArray(),
                ["webp"] = images.Select(i => new EncodingCache(ReferenceCodec.WebP, i.Rgb)).ToArray(),
            };
            var sets = new List<(string Id, string Label, string Kind, string? Model, List<byte[]> Files, double Psnr, double Ssim, string Settings, double? Err)>
            {
                ("png", "PNG (lossless)", "png", null, images.Select(i => i.Png).ToList(), Quality.PsnrCap, 1.0, "source files", null),
            };
            foreach (var m in models)
            {
                foreach (var kind in new[] { "jpeg", "webp" })
                {
                    progress.Stage($"{kind} matched to {m}", images.Count);
                    var files = new List<byte[]>();
                    var qs = new List<int>();
                    double ps = 0, ss = 0, err = 0;
                    for (int i = 0; i < images.Count; i++)
                    {
                        ct.ThrowIfCancellationRequested();
                        var cache = caches[kind][i];
                        var match = cache.Match(wire[m].PerImage[i]);
                        var bytes = cache.Bytes(match.Quality);
                        var (p, s) = Quality.Measure(images[i].Rgb, cache.Codec.Decode(bytes));
                        files.Add(bytes); qs.Add(match.Quality);
                        ps += p; ss += s; err += Math.Abs(match.RelativeError);
                        progress.Step();
                    }
                    var codec = caches[kind][0].Codec;
                    string settings = qs.Min() == qs.Max() ? $"q {qs[0]}" : $"q {qs.Min()}–{qs.Max()}";
                    sets.Add(($"{kind}@{m}", $"{codec.Label} ≈ {m}", kind, m, files, ps / images.Count, ss / images.Count, settings, err / images.Count));
                }
            }

            // 4. Real file pushes on loopback through the counting relay.
            var fileWire = new Dictionary<string, (long Up, long Down, double Ms)>();
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                using var stop = new CancellationTokenSource();
                var sink = FileTransfer.ServeAsync(listener, stop.Token);
                try
                {
                    await using var relay = new CountingRelay(((IPEndPoint)listener.LocalEndpoint).Port);
                    progress.Stage("loopback: file pushes over TLS", sets.Count);
                    foreach (var set in sets)
                    {
                        relay.Reset();
                        var r = await FileTransfer.PushAsync("127.0.0.1", relay.Port, set.Files, ct);
                        var (up, down) = await Settle(relay);
                        fileWire[set.Id] = (up, down, r.ElapsedMs);
                        progress.Step();
                    }
                }
                finally
                {
                    await stop.CancelAsync();
                    listener.Stop();
                    await sink;
                }
            }

            var formats = new List<BandwidthFormat>();
            formats.Add(Format(sets[0]));
            foreach (var m in models)
            {
                var (ps, ss, _) = modelQuality[m];
                var w = wire[m];
                formats.Add(new BandwidthFormat(m, $"{m} (ours, sealed)", "model", m, images.Count, w.PerImage.Sum(), pixels, ps, ss, "8-bit latent, " + o.Cipher, null, w.Up, w.Down, w.Ms));
                formats.Add(Format(sets.First(s => s.Id == $"jpeg@{m}")));
                formats.Add(Format(sets.First(s => s.Id == $"webp@{m}")));
            }

            BandwidthFormat Format((string Id, string Label, string Kind, string? Model, List<byte[]> Files, double Psnr, double Ssim, string Settings, double? Err) s)
            {
                var fw = fileWire[s.Id];
                return new BandwidthFormat(s.Id, s.Label, s.Kind, s.Model, images.Count, s.Files.Sum(f => (long)f.Length), pixels, s.Psnr, s.Ssim, s.Settings, s.Err, fw.Up, fw.Down, fw.Ms);
            }

            // 5. Times per profile.
            var timings = new List<BandwidthTiming>();
            if (method == "computed")
            {
                foreach (var p in o.Profiles)
                    foreach (var f in formats)
                    {
                        var est = TransferModel.Estimate(p, f.WireUp, f.WireDown, f.Kind == "model" ? OurHandshakeRoundTrips : FileHandshakeRoundTrips);
                        timings.Add(new BandwidthTiming(f.Id, p.Name, "computed", est.TotalMs, est));
                    }
            }
            else
            {
                timings.AddRange(await MeasureNetns(method, o, peers, models, srcFiles, sets.Select(s => (s.Id, s.Files)).ToList(), work.FullName, progress, ct));
            }
            return new BandwidthReport(o.ImagesDir, images.Select(i => i.Name).ToList(), pixels, method, reason, o.Profiles, formats, timings, notes);
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Waits until the relay's counters stop moving (the last bytes of a closed connection).</summary>
    private static async Task<(long Up, long Down)> Settle(CountingRelay relay)
    {
        (long, long) last = (-1, -1);
        for (int i = 0; i < 50; i++)
        {
            var now = (relay.Up, relay.Down);
            if (now == last) return now;
            last = now;
            await Task.Delay(100);
        }
        return last;
    }

    /// <summary>"netem" when the namespaces, veth and netem work here (and were not ruled out), else "computed"; with the reason.</summary>
    public static (string Method, string Reason) ChooseMethod(LinkMode mode)
    {
        if (mode == LinkMode.Computed) return ("computed", "--link computed");
        if (mode == LinkMode.Netns && Environment.GetEnvironmentVariable("ST_NETNS_QDISC") == "none")
            return ("netns-unshaped", "ST_NETNS_QDISC=none: two namespaces without tc shaping (a plumbing check, not a link profile)");
        string? why = null;
        var script = Peers.FindRoot() is { } root ? Path.Combine(root, "scripts", "netns-link.sh") : null;
        if (!OperatingSystem.IsLinux()) why = "not Linux";
        else if (Environment.UserName != "root") why = "not running as root";
        else if (!Tools.Exists("ip") || !Tools.Exists("tc")) why = "ip/tc (iproute2) missing";
        else if (script is null || !File.Exists(script)) why = "scripts/netns-link.sh not found";
        else
        {
            var r = Tools.Run("bash", [script, "probe"], TimeSpan.FromSeconds(30), check: false);
            if (r.ExitCode != 0) why = Tools.FirstLine(r.StdErr) is { Length: > 0 } l ? l.Replace("netns-link: ", "") : "netns probe failed";
        }
        if (why is null) return ("netem", "tc netem on a veth pair between two network namespaces");
        if (mode == LinkMode.Netns) throw new ExperimentException($"--link netns: cannot emulate the link here: {why}");
        return ("computed", $"link emulation unavailable: {why}; loopback transfers, times from the transfer model");
    }

    private static async Task<List<BandwidthTiming>> MeasureNetns(string method, BandwidthOptions o, Peers peers, IReadOnlyList<string> models, List<string> srcFiles,
        List<(string Id, List<byte[]> Files)> sets, string work, IExperimentProgress progress, CancellationToken ct)
    {
        var script = Path.Combine(peers.Root, "scripts", "netns-link.sh");
        int id = 1 + Environment.ProcessId % 250;
        string nsA = $"st-{id}-a", nsB = $"st-{id}-b", ipB = $"10.213.{id}.2";
        string[] inA = ["ip", "netns", "exec", nsA], inB = ["ip", "netns", "exec", nsB];
        var dirs = sets.Select(s =>
        {
            var d = Path.Combine(work, "sets", s.Id.Replace('@', '_'));
            Directory.CreateDirectory(d);
            return (s.Id, Files: s.Files.Select((f, i) => { var p = Path.Combine(d, $"{i:D4}.bin"); File.WriteAllBytes(p, f); return p; }).ToList());
        }).ToList();
        var timings = new List<BandwidthTiming>();
        void Down() => Tools.Run("bash", [script, "down", id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(60), check: false);
        using var reg = ct.Register(Down);
        foreach (var p in o.Profiles)
        {
            progress.Stage($"{method} {p.Name}", models.Count + sets.Count);
            Tools.Run("bash", [script, "up", id.ToString(CultureInfo.InvariantCulture), .. p.NetemArguments()], TimeSpan.FromSeconds(60));
            Process? receiver = null, sink = null;
            try
            {
                int rport, sport;
                (receiver, rport) = await peers.StartReceiverAsync(inB, ipB, o.ModelsDir, Path.Combine(work, $"received-{id}"), ct);
                (sink, sport) = await peers.StartSinkAsync(inB, ipB, Path.Combine(work, "sink.port"), ct);
                foreach (var m in models)
                {
                    var json = peers.Send(inA, $"https://{ipB}:{rport}", m, o.ModelsDir, o.Cipher, srcFiles, Path.Combine(work, $"netem-{m}.json"));
                    var arr = json["images"]!.AsArray();
                    double ms = json["total_ms"]!.GetValue<double>() - arr.Sum(x => x!["encode_ms"]!.GetValue<double>() + x["decode_ms"]!.GetValue<double>());
                    timings.Add(new BandwidthTiming(m, p.Name, method, ms, null));
                    progress.Step();
                }
                foreach (var (sid, files) in dirs)
                {
                    var jp = Path.Combine(work, "push.json");
                    Tools.Run(inA[0], [.. inA[1..], "dotnet", peers.LabDll, "bandwidth", "push", "--to", $"{ipB}:{sport}", "--json", jp, .. files], TimeSpan.FromMinutes(10));
                    timings.Add(new BandwidthTiming(sid, p.Name, method, JsonNode.Parse(File.ReadAllText(jp))!["elapsed_ms"]!.GetValue<double>(), null));
                    progress.Step();
                }
            }
            finally
            {
                Peers.Stop(receiver);
                Peers.Stop(sink);
                Down();
            }
        }
        // Same order as the formats: png, then per model: model, jpeg@, webp@.
        return timings;
    }
}
