using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using SecureTransmit.Imaging;
using SkiaSharp;

// PngSuite: each decoder's RGBA8 against the suite's verified RGBA references (16-bit references reduced with
// round(v*255/65535)); the 14 x* files must be refused. Then 512x512 encode/decode speed, rounds interleaved.
string suite = args.Length > 0 ? args[0] : "../shared/datasets/pngsuite";
string photo = args.Length > 1 ? args[1] : "../shared/datasets/kodak/kodim23.png";

var index = File.ReadAllLines(Path.Combine(suite, "INDEX.tsv")).Skip(1).Select(l => l.Split('\t'))
    .Where(f => f[0] != "PngSuite.png").ToList();
int oursOk = 0, skiaOk = 0, oursRefused = 0, skiaRefused = 0, valid = 0, corrupt = 0;
var skiaFailures = new List<string>();
var oursFailures = new List<string>();
foreach (var f in index)
{
    byte[] data = File.ReadAllBytes(Path.Combine(suite, f[0]));
    bool shouldDecode = f[8] == "decode";
    byte[]? ours = Try(() => PngDecoder.Decode(data).ToRgba().Pixels);
    byte[]? skia = Try(() => SkiaRgba(data));
    if (!shouldDecode)
    {
        corrupt++;
        if (ours is null) oursRefused++; else oursFailures.Add($"{f[0]}: decoded, should be refused");
        if (skia is null) skiaRefused++; else skiaFailures.Add($"{f[0]}: decoded, should be refused");
        continue;
    }

    valid++;
    int[] reference = JsonSerializer.Deserialize<int[]>(File.ReadAllText(Path.Combine(suite, "reference-rgba-json", f[11].Split(' ')[0])))!;
    int bits = int.Parse(f[5]);
    byte[] ref8 = reference.Select(v => bits == 16 ? (byte)((v * 255 + 32767) / 65535) : (byte)v).ToArray();
    Check("ours", ours, ref ref8, ref oursOk, oursFailures, f[0]);
    Check("skia", skia, ref ref8, ref skiaOk, skiaFailures, f[0]);
}

Console.WriteLine($"PngSuite valid {valid}: ours within ±1 {oursOk}, SkiaSharp within ±1 {skiaOk}");
Console.WriteLine($"PngSuite corrupt {corrupt}: ours refused {oursRefused}, SkiaSharp refused {skiaRefused}");
foreach (var s in skiaFailures) Console.WriteLine($"  skia  {s}");
foreach (var s in oursFailures) Console.WriteLine($"  ours  {s}");

// Speed: a 512x512 crop of a natural photo, as the receiver writes it (RGB, zlib level 3).
Image img = ImageIO.Load(photo).ToRgb().Crop(0, 0, 512, 512);
var oursOpts = new PngEncoderOptions { CompressionLevel = 3 };
byte[] oursPng = PngEncoder.Encode(img, oursOpts);
byte[] skiaPng = SkiaEncode(img, 3);
Console.WriteLine($"512x512 RGB sizes at zlib level 3: ours {oursPng.Length:N0} B, SkiaSharp {skiaPng.Length:N0} B");
var t = new Dictionary<string, List<double>> { ["ours encode"] = [], ["skia encode"] = [], ["ours decode"] = [], ["skia decode"] = [] };
for (int round = 0; round < 60; round++)
{
    Time("ours encode", () => PngEncoder.Encode(img, oursOpts));
    Time("skia encode", () => SkiaEncode(img, 3));
    Time("ours decode", () => PngDecoder.Decode(oursPng));
    Time("skia decode", () => SkiaRgba(skiaPng));
}

foreach (var (k, v) in t)
{
    var s = v.Skip(10).Order().ToList(); // first 10 rounds are warm-up
    Console.WriteLine($"{k,-12} p50 {s[s.Count / 2]:0.00} ms  min {s[0]:0.00} ms  (n={s.Count})");
}

return 0;

void Time(string key, Action a)
{
    var sw = Stopwatch.StartNew();
    a();
    t[key].Add(sw.Elapsed.TotalMilliseconds);
}

static void Check(string who, byte[]? got, ref byte[] want, ref int ok, List<string> failures, string file)
{
    if (got is null) { failures.Add($"{file}: refused a valid file"); return; }
    if (got.Length != want.Length) { failures.Add($"{file}: {got.Length} bytes, want {want.Length}"); return; }
    int worst = 0;
    for (int i = 0; i < got.Length; i++) worst = Math.Max(worst, Math.Abs(got[i] - want[i]));
    if (worst <= 1) ok++; else failures.Add($"{file}: max difference {worst}");
}

static byte[]? Try(Func<byte[]> f)
{
    try { return f(); } catch (Exception) { return null; }
}

static byte[] SkiaRgba(byte[] data)
{
    using var sk = SKData.CreateCopy(data);
    using var stream = new SKMemoryStream(sk);
    using var codec = SKCodec.Create(stream, out var r) ?? throw new InvalidDataException(r.ToString());
    var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
    var px = new byte[info.BytesSize];
    var h = GCHandle.Alloc(px, GCHandleType.Pinned);
    try
    {
        var res = codec.GetPixels(info, h.AddrOfPinnedObject());
        if (res != SKCodecResult.Success) throw new InvalidDataException(res.ToString());
    }
    finally { h.Free(); }
    return px;
}

static byte[] SkiaEncode(Image img, int level)
{
    var rgba = img.ToRgba();
    var info = new SKImageInfo(img.Width, img.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
    var h = GCHandle.Alloc(rgba.Pixels, GCHandleType.Pinned);
    try
    {
        using var pm = new SKPixmap(info, h.AddrOfPinnedObject(), rgba.Stride);
        using var d = pm.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, level));
        return d?.ToArray() ?? throw new InvalidDataException("skia refused to encode");
    }
    finally { h.Free(); }
}
