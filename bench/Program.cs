using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SecureTransmit.Bench.Internal;
using SecureTransmit.Neural;
using SecureTransmit.Neural.Internal;

// bench [--json FILE] [--quick] [--simd Avx2|Scalar] [--torch-peer PATH]   the full benchmark (bench/run.sh calls this)
// Developer modes (timings of parts; CPU-time figures stay meaningful on a busy shared machine):
// bench profile [BATCH] [MODEL] [--inference] [--simd P]  per-layer milliseconds of one training step (or forward)
// bench liccodec [MODELS]                               lic-2 768x512 encode+seal / open+decode p50
// bench licprof [BATCH] [SIZE] [MODEL]                  per-layer milliseconds of one lic training step
// bench convprof                                         Conv2d forward/backward, wall ms and GFLOP per CPU-second
// bench bwdprof                                          conv backward split into dX and dW
// bench gemm                                             SGEMM 1024^3 and 512^3, wall and per CPU-second
// bench tune [SIZE] [ROUNDS] | tune-kernel               GEMM blocking / microkernel experiments in thread CPU time
// bench train-rss SECONDS                                (internal) trains cae-compact, prints peak RSS MiB
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args.Length > 0 && args[0] == "profile")
{
    int si = Array.IndexOf(args, "--simd");
    using var force = si > 0 ? Simd.Force(Enum.Parse<SimdPath>(args[si + 1], ignoreCase: true)) : null;
    CaeBench.Profile(args.Length > 1 ? int.Parse(args[1]) : 256, args.Length > 2 && !args[2].StartsWith("--") ? args[2] : "cae-compact", args.Contains("--inference"));
    return 0;
}
if (args.Length > 0 && args[0] == "liccodec")
{
    var (e, d, w) = LicThroughput.Codec(args.Length > 1 ? args[1] : null, 20);
    Console.WriteLine($"lic-2 768x512 ({w} weights): encode + seal p50 {e:F1} ms, open + decode p50 {d:F1} ms");
    return 0;
}
if (args.Length > 0 && args[0] == "licprof")
{
    LicBench.Profile(args.Length > 1 ? int.Parse(args[1]) : 8, args.Length > 2 ? int.Parse(args[2]) : 128, args.Length > 3 ? args[3] : "lic-2");
    return 0;
}
if (args.Length > 0 && args[0] == "convprof")
{
    foreach (var (inC, outC, size) in new[] { (32, 16, 16), (32, 32, 16), (32, 3, 32), (3, 32, 32), (32, 32, 16), (16, 32, 8) })
    {
        var conv = new SecureTransmit.Neural.Layers.Conv2d(inC, outC, 3, init: new SecureTransmit.Neural.Init(1));
        conv.ReuseBuffers();
        var x = new SecureTransmit.Neural.Tensor(256, inC, size, size); x.Span.Fill(0.5f);
        var g = new SecureTransmit.Neural.Tensor(256, outC, size, size); g.Span.Fill(0.1f);
        for (int i = 0; i < 40; i++) { conv.Forward(x); conv.Backward(g); }
        var proc = System.Diagnostics.Process.GetCurrentProcess();
        double f = 0, bw = 0, fc = 0, bc = 0;
        int reps = 10;
        for (int i = 0; i < reps; i++)
        {
            proc.Refresh(); var c0 = proc.TotalProcessorTime;
            var sw = System.Diagnostics.Stopwatch.StartNew(); conv.Forward(x); f += sw.Elapsed.TotalMilliseconds;
            proc.Refresh(); var c1 = proc.TotalProcessorTime;
            sw.Restart(); conv.Backward(g); bw += sw.Elapsed.TotalMilliseconds;
            proc.Refresh(); var c2 = proc.TotalProcessorTime;
            fc += (c1 - c0).TotalMilliseconds; bc += (c2 - c1).TotalMilliseconds;
        }
        double gflop = 2.0 * outC * inC * 9 * size * size * 256 / 1e9;
        Console.WriteLine($"conv {inC,2}->{outC,2} @{size,2}: fwd {f / reps,5:F1} ms wall, {gflop / (fc / reps / 1000),4:F0} GFLOP/cpu-s | bwd {bw / reps,5:F1} ms wall, {2 * gflop / (bc / reps / 1000),4:F0} GFLOP/cpu-s");
    }
    return 0;
}
if (args.Length > 0 && args[0] == "bwdprof")
{
    foreach (var (inC, outC, size) in new[] { (32, 32, 16), (32, 16, 16), (32, 3, 32), (16, 32, 8) })
        unsafe
        {
            int n = 256, hw = size * size;
            var x = new float[n * inC * hw]; var dy = new float[n * outC * hw]; var dx = new float[n * inC * hw];
            var wts = new float[outC * inC * 9]; var gw = new float[outC * inC * 9]; var gb = new float[outC];
            var r = new Random(1);
            for (int i = 0; i < x.Length; i++) x[i] = (float)r.NextDouble();
            for (int i = 0; i < dy.Length; i++) dy[i] = (float)r.NextDouble();
            for (int i = 0; i < wts.Length; i++) wts[i] = (float)r.NextDouble();
            double gflop = 2.0 * outC * inC * 9 * hw * n / 1e9;
            var proc = System.Diagnostics.Process.GetCurrentProcess();
            fixed (float* px = x) fixed (float* pdy = dy) fixed (float* pdx = dx) fixed (float* pw = wts) fixed (float* pgw = gw) fixed (float* pgb = gb)
            {
                for (int i = 0; i < 10; i++)
                {
                    ConvEngine.ForwardBatch(pdy, n, outC, size, size, 3, pw, inC, null, 1, pdx, transposeFlip: true);
                    ConvEngine.WeightGradientsBatch(px, pdy, n, inC, outC, size, size, 3, 1, pgw, pgb);
                }
                double tdx = 0, tdw = 0, cdx = 0, cdw = 0;
                for (int i = 0; i < 10; i++)
                {
                    proc.Refresh(); var c0 = proc.TotalProcessorTime; var sw = System.Diagnostics.Stopwatch.StartNew();
                    ConvEngine.ForwardBatch(pdy, n, outC, size, size, 3, pw, inC, null, 1, pdx, transposeFlip: true);
                    tdx += sw.Elapsed.TotalMilliseconds; proc.Refresh(); var c1 = proc.TotalProcessorTime; sw.Restart();
                    ConvEngine.WeightGradientsBatch(px, pdy, n, inC, outC, size, size, 3, 1, pgw, pgb);
                    tdw += sw.Elapsed.TotalMilliseconds; proc.Refresh(); var c2 = proc.TotalProcessorTime;
                    cdx += (c1 - c0).TotalSeconds; cdw += (c2 - c1).TotalSeconds;
                }
                Console.WriteLine($"{inC}->{outC} @{size}: dX {tdx / 10:F1} ms ({gflop * 10 / cdx:F0} GFLOP/cpu-s), dW {tdw / 10:F1} ms ({gflop * 10 / cdw:F0} GFLOP/cpu-s)");
            }
        }
    return 0;
}
if (args.Length > 0 && args[0] == "gemm")
{
    double corePeak = Peak.PerCoreCpuGflops();
    foreach (int size in new[] { 1024, 512 })
        for (int r = 0; r < 3; r++)
        {
            var (wall, cpu) = GemmBench.SgemmTimed(size, size, size, 2);
            Console.WriteLine($"{size}^3: wall {wall:F1} GFLOP/s, per CPU-second {cpu:F1} = {cpu / corePeak:P1} of a core (core peak {corePeak:F0})");
        }
    return 0;
}
if (args.Length > 0 && args[0] == "tune-kernel")
{
    Tune.Kernel(5);
    return 0;
}
if (args.Length > 0 && args[0] == "tune")
{
    Tune.Run(args.Length > 1 ? int.Parse(args[1]) : 512, args.Length > 2 ? int.Parse(args[2]) : 6);
    return 0;
}
if (args.Length > 0 && args[0] == "train-rss")
{
    CaeBench.Training(256, double.Parse(args[1]));
    Console.WriteLine(Machine.PeakRssMb().ToString("F1"));
    return 0;
}

string? jsonPath = null;
string peer = Path.Combine(AppContext.BaseDirectory, "torch_peer.py");
bool quick = false;
IDisposable? forced = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--json" when i + 1 < args.Length: jsonPath = args[++i]; break;
        case "--torch-peer" when i + 1 < args.Length: peer = args[++i]; break;
        case "--quick": quick = true; break;
        case "--simd" when i + 1 < args.Length:
            // Force a narrower kernel path (to see what a machine without AVX-512 gets).
            forced = Simd.Force(Enum.Parse<SimdPath>(args[++i], ignoreCase: true));
            break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'. Usage: bench [--json FILE] [--quick] [--simd Avx2|Scalar] [--torch-peer PATH]");
            return 2;
    }
}

if (TorchPeer.Missing() is { } why)
{
    Console.Error.WriteLine(why);
    return 3;
}

double t = quick ? 1.5 : 6; // seconds per throughput measurement
int threads = Environment.ProcessorCount;
var report = new JsonObject
{
    ["machine"] = new JsonObject
    {
        ["cpu"] = Machine.CpuModel(),
        ["cores"] = threads,
        ["simd_path"] = Simd.Active.ToString(),
        ["load_average_start"] = Machine.LoadAverage(),
        ["dotnet"] = Environment.Version.ToString(),
    },
};
void Say(string s) => Console.WriteLine(s);

Say($"SecureTransmit.Neural benchmark on {Machine.CpuModel()}, {threads} cores, SIMD {Simd.Active}, load average {Machine.LoadAverage():F1}");

double peak = Peak.MeasureGflops(threads);
double corePeakCpu = Peak.PerCoreCpuGflops();
var (gemm1024, gemm1024Cpu) = GemmBench.SgemmTimed(1024, 1024, 1024, t);
Say($"FMA peak ({threads} threads, wall clock): {peak:F1} GFLOP/s; one core per CPU-second: {corePeakCpu:F1} GFLOP/s");
Say($"SGEMM 1024^3: {gemm1024:F1} GFLOP/s wall = {gemm1024 / peak:P1} of the wall peak; per CPU-second {gemm1024Cpu:F1} = {gemm1024Cpu / corePeakCpu:P1} of a core's peak");
report["fma_peak_gflops"] = peak;
report["fma_peak_gflops_per_core_cpu_second"] = corePeakCpu;
report["gemm_1024_gflops"] = gemm1024;
report["gemm_1024_gflops_per_cpu_second"] = gemm1024Cpu;
// Efficiency of the code: GEMM FLOPs per CPU-second over the FMA loop's, both in CPU time, so the other
// tenants of a shared machine do not distort it. On an idle machine it equals the wall-clock fraction.
report["gemm_peak_fraction"] = gemm1024Cpu / corePeakCpu;
report["gemm_peak_fraction_wall"] = gemm1024 / peak;

// The im2col GEMM shapes of cae-compact's convolutions (M = out channels, K = in·9, N = H·W·batch), as one
// product each, and the same convolutions as our Conv2d runs them (implicit im2col, per image).
var shapes = new JsonObject();
int b = 256;
foreach (var (name, inC, outC, size) in new[]
{
    ("enc0_3x32x32", 3, 32, 32), ("enc3_32x16x16", 32, 16, 16), ("enc6_16x8x8", 16, 8, 8),
    ("dec3_16x4x4", 16, 16, 4), ("dec6_16x8x8", 16, 32, 8), ("dec9_32x16x16", 32, 32, 16), ("dec12_32x32x32", 32, 3, 32),
})
{
    int m = outC, k = inC * 9, n = size * size * b;
    double g = GemmBench.Sgemm(m, n, k, t / 4);
    double conv = GemmBench.ConvForward(inC, outC, size, b, t / 4);
    Say($"  conv {name,-16} GEMM M={m,2} K={k,3} N={n,6}: {g,6:F1} GFLOP/s ({g / peak:P0})   Conv2d forward: {conv,6:F1} GFLOP/s ({conv / peak:P0})");
    shapes[name] = new JsonObject { ["m"] = m, ["k"] = k, ["n"] = n, ["gemm_gflops"] = g, ["gemm_peak_fraction"] = g / peak, ["conv_forward_gflops"] = conv, ["conv_peak_fraction"] = conv / peak };
}
report["cae_gemm_shapes"] = shapes;

// Throughput, ours and PyTorch's, interleaved in rounds so both see the same machine load; each side keeps
// its best round (the machine is shared, so a round can be slowed by other tenants).
int rounds = quick ? 1 : 2;
double oursInf = 0, oursTrain = 0;
var torchInf = new List<TorchPeer.Result>();
var torchTrain = new List<TorchPeer.Result>();
for (int round = 0; round < rounds; round++)
{
    oursInf = Math.Max(oursInf, CaeBench.Inference(b, t));
    torchInf.AddRange(new[] { "nchw", "channels_last" }.Select(f => TorchPeer.Run(peer, "inference", f, b, t)));
    oursTrain = Math.Max(oursTrain, CaeBench.Training(b, t));
    torchTrain.AddRange(new[] { "nchw", "channels_last" }.Select(f => TorchPeer.Run(peer, "training", f, b, t)));
}
var bestInf = torchInf.MaxBy(r => r.ImagesPerSecond)!;
var bestTrain = torchTrain.MaxBy(r => r.ImagesPerSecond)!;
torchInf = torchInf.GroupBy(r => r.Format).Select(g => g.MaxBy(r => r.ImagesPerSecond)!).ToList();
torchTrain = torchTrain.GroupBy(r => r.Format).Select(g => g.MaxBy(r => r.ImagesPerSecond)!).ToList();
Say($"cae-compact inference, batch {b}: ours {oursInf:F0} img/s, PyTorch {bestInf.TorchVersion} {bestInf.ImagesPerSecond:F0} img/s ({bestInf.Format}; " +
    string.Join(", ", torchInf.Select(r => $"{r.Format} {r.ImagesPerSecond:F0}")) + $") -> {oursInf / bestInf.ImagesPerSecond:F1}x");
Say($"cae-compact training (Adam + MSE), batch {b}: ours {oursTrain:F0} img/s, PyTorch {bestTrain.ImagesPerSecond:F0} img/s ({bestTrain.Format}; " +
    string.Join(", ", torchTrain.Select(r => $"{r.Format} {r.ImagesPerSecond:F0}")) + $") -> {oursTrain / bestTrain.ImagesPerSecond:F1}x");
report["cae_inference_images_per_s"] = oursInf;
report["torch_inference_images_per_s"] = bestInf.ImagesPerSecond;
report["torch_inference_format"] = bestInf.Format;
report["cae_inference_ratio"] = oursInf / bestInf.ImagesPerSecond;
report["cae_training_images_per_s"] = oursTrain;
report["torch_training_images_per_s"] = bestTrain.ImagesPerSecond;
report["torch_training_format"] = bestTrain.Format;
report["cae_training_ratio"] = oursTrain / bestTrain.ImagesPerSecond;
report["torch_version"] = bestTrain.TorchVersion;
report["torch_runs"] = new JsonArray(torchInf.Concat(torchTrain).Select(r => (JsonNode)new JsonObject
{
    ["mode"] = r.Mode, ["format"] = r.Format, ["images_per_s"] = r.ImagesPerSecond, ["peak_rss_mb"] = r.PeakRssMb,
}).ToArray());

// cnn-bigru: the same interleaved rounds (BiGRU layers dominate: 16 steps of 256→3×128 gates, both directions, twice).
const string BiGru = "cnn-bigru";
int bb = 64;
double bigruInf = 0, bigruTrain = 0;
var torchBigruInf = new List<TorchPeer.Result>();
var torchBigruTrain = new List<TorchPeer.Result>();
for (int round = 0; round < rounds; round++)
{
    bigruInf = Math.Max(bigruInf, CaeBench.Inference(bb, t, BiGru));
    torchBigruInf.AddRange(new[] { "nchw", "channels_last" }.Select(f => TorchPeer.Run(peer, "inference", f, bb, t, BiGru)));
    bigruTrain = Math.Max(bigruTrain, CaeBench.Training(bb, t, BiGru));
    torchBigruTrain.AddRange(new[] { "nchw", "channels_last" }.Select(f => TorchPeer.Run(peer, "training", f, bb, t, BiGru)));
}
var bestBigruInf = torchBigruInf.MaxBy(r => r.ImagesPerSecond)!;
var bestBigruTrain = torchBigruTrain.MaxBy(r => r.ImagesPerSecond)!;
Say($"cnn-bigru inference, batch {bb}: ours {bigruInf:F0} img/s, PyTorch {bestBigruInf.ImagesPerSecond:F0} img/s ({bestBigruInf.Format}) -> {bigruInf / bestBigruInf.ImagesPerSecond:F1}x");
Say($"cnn-bigru training (Adam + MSE), batch {bb}: ours {bigruTrain:F0} img/s, PyTorch {bestBigruTrain.ImagesPerSecond:F0} img/s ({bestBigruTrain.Format}) -> {bigruTrain / bestBigruTrain.ImagesPerSecond:F1}x");
report["bigru_batch"] = bb;
report["bigru_inference_images_per_s"] = bigruInf;
report["torch_bigru_inference_images_per_s"] = bestBigruInf.ImagesPerSecond;
report["bigru_inference_ratio"] = bigruInf / bestBigruInf.ImagesPerSecond;
report["bigru_training_images_per_s"] = bigruTrain;
report["torch_bigru_training_images_per_s"] = bestBigruTrain.ImagesPerSecond;
report["bigru_training_ratio"] = bigruTrain / bestBigruTrain.ImagesPerSecond;

// lic-2 (the learned codec): the training step against PyTorch's on the same model and batch (8 crops of 128²), interleaved
// rounds as above; then 768×512 encode + seal and open + decode through the product's codec (p50).
const string Lic = "lic-2";
int lb = 8;
double licTrain = 0, licInf = 0;
var torchLicTrain = new List<TorchPeer.Result>();
var torchLicInf = new List<TorchPeer.Result>();
for (int round = 0; round < rounds; round++)
{
    licInf = Math.Max(licInf, LicThroughput.Inference(lb, t));
    torchLicInf.Add(TorchPeer.Run(peer, "inference", "nchw", lb, t, Lic));
    licTrain = Math.Max(licTrain, LicThroughput.Training(lb, t));
    torchLicTrain.Add(TorchPeer.Run(peer, "training", "nchw", lb, t, Lic));
}
var bestLicTrain = torchLicTrain.MaxBy(r => r.ImagesPerSecond)!;
var bestLicInf = torchLicInf.MaxBy(r => r.ImagesPerSecond)!;
Say($"lic-2 training step (rate–distortion, Adam), batch {lb} of 128²: ours {licTrain:F1} img/s, PyTorch {bestLicTrain.ImagesPerSecond:F1} img/s -> {licTrain / bestLicTrain.ImagesPerSecond:F1}x");
Say($"lic-2 g_a + g_s inference, batch {lb} of 128²: ours {licInf:F1} img/s, PyTorch {bestLicInf.ImagesPerSecond:F1} img/s -> {licInf / bestLicInf.ImagesPerSecond:F1}x");
report["lic_training_images_per_s"] = licTrain;
report["torch_lic_training_images_per_s"] = bestLicTrain.ImagesPerSecond;
report["lic_training_ratio"] = licTrain / bestLicTrain.ImagesPerSecond;
report["lic_inference_ratio"] = licInf / bestLicInf.ImagesPerSecond;
var modelsDir = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "models");
var (licEnc, licDec, licWeights) = LicThroughput.Codec(Directory.Exists(modelsDir) ? modelsDir : null, quick ? 10 : 30);
Say($"lic-2 768×512 ({licWeights} weights): encode + seal p50 {licEnc:F1} ms, open + decode p50 {licDec:F1} ms");
report["lic_encode_768x512_ms"] = licEnc;
report["lic_decode_768x512_ms"] = licDec;

// Peak RSS of training, each in a fresh process (ours: this program's train-rss mode).
var self = Environment.ProcessPath!;
var selfArgs = self.EndsWith("dotnet", StringComparison.Ordinal) ? new List<string> { typeof(Program).Assembly.Location } : [];
selfArgs.AddRange(["train-rss", (quick ? 2 : 4).ToString()]);
var (rc, outText, err) = TorchPeer.RunProcess(self, selfArgs, TimeSpan.FromMinutes(5));
if (rc != 0) throw new InvalidOperationException($"train-rss child failed: {err}");
double oursRss = double.Parse(outText.Trim().Split('\n').Last(), CultureInfo.InvariantCulture);
double torchRss = torchTrain.Min(r => r.PeakRssMb);
Say($"training peak RSS (VmHWM, own process): ours {oursRss:F0} MiB, PyTorch {torchRss:F0} MiB (lowest of its formats)");
report["cae_training_peak_rss_mb"] = oursRss;
report["torch_training_peak_rss_mb"] = torchRss;
report["goals"] = new JsonObject { ["inference_ratio"] = 10, ["training_ratio"] = 5, ["bigru_inference_ratio"] = 5, ["bigru_training_ratio"] = 3, ["lic_training_ratio"] = 10, ["lic_encode_768x512_ms_below"] = 150, ["lic_decode_768x512_ms_below"] = 150 };
report["rounds"] = rounds;
((JsonObject)report["machine"]!)["load_average_end"] = Machine.LoadAverage();
Say($"load average at the end: {Machine.LoadAverage():F1} (the machine is shared; absolute numbers move with it, ratios less)");

forced?.Dispose();
if (jsonPath != null)
{
    File.WriteAllText(jsonPath, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    Say($"wrote {jsonPath}");
}
return 0;

internal partial class Program;
