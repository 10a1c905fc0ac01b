using SecureTransmit.Imaging;
using SecureTransmit.Lab.Experiments.Internal;

namespace SecureTransmit.Lab.Experiments;

/// <summary>
/// A reference image codec with one integer quality scale where a larger number means better quality and more bytes:
/// <list type="bullet">
/// <item>JPEG: in process, SkiaSharp's libjpeg-turbo encoder at quality Q = 1..100, 4:2:0, optimized Huffman tables;
/// decoded by <see cref="ImageIO"/>. At Q ≥ 25 the files are byte-for-byte the size of <c>cjpeg -quality Q -sample 2x2
/// -optimize</c> with identical decoded pixels (measured on kodim01/kodim23); below that Skia does not clamp the
/// quantization tables to baseline as cjpeg does (kodim23 q10: 1.5 % fewer bytes, +0.01 dB).</item>
/// <item>WebP: in process, SkiaSharp's libwebp lossy encoder at quality Q = 0..100 (4:2:0); decoded by
/// <see cref="ImageIO"/>. Against <c>cwebp -q Q -m 4</c>: sizes within 0.4 %, PSNR within 0.02 dB (same images);
/// <c>dwebp</c> and Skia decode identical pixels.</item>
/// <item>AVIF: the Debian tools <c>avifenc --min X --max X -y 420 -d 8 -s 8</c> with quantizer X = 63 − Q, Q = 0..63;
/// <c>avifdec -d 8</c> (SkiaSharp has no AVIF).</item>
/// </list>
/// Encode and Decode are thread-safe (the tool path uses its own temporary files per call).
/// </summary>
internal sealed class ReferenceCodec
{
    private readonly Func<string, string, int, string[]> _encodeArgs = null!;
    private readonly Func<string, string, string[]> _decodeArgs = null!;
    private readonly Func<Image, int, byte[]>? _libraryEncode;

    private ReferenceCodec(string name, string label, int min, int max, string encoder, string decoder, string package, string inputExt, string ext, string decodedExt,
        Func<string, string, int, string[]> encodeArgs, Func<string, string, string[]> decodeArgs)
    {
        (Name, Label, MinQuality, MaxQuality, Encoder, DecoderTool, Package) = (name, label, min, max, encoder, decoder, package);
        (_inputExt, Extension, _decodedExt, _encodeArgs, _decodeArgs) = (inputExt, ext, decodedExt, encodeArgs, decodeArgs);
    }

    /// <summary>An in-process codec from <see cref="ImageIO"/> (no command-line tools).</summary>
    private ReferenceCodec(string name, string label, int min, int max, string encoder, string ext, Func<Image, int, byte[]> encode)
    {
        (Name, Label, MinQuality, MaxQuality, Encoder, DecoderTool, Package) = (name, label, min, max, encoder, "ImageIO (SkiaSharp)", "SkiaSharp 4.156.1 (NuGet)");
        (_inputExt, Extension, _decodedExt, _libraryEncode) = ("", ext, "", encode);
    }

    private readonly string _inputExt;
    private readonly string _decodedExt;

    /// <summary>True when encode and decode run in this process through the image library.</summary>
    public bool InProcess => _libraryEncode is not null;

    public string Name { get; }

    /// <summary>How the setting is described in tables, e.g. "JPEG 4:2:0".</summary>
    public string Label { get; }

    public int MinQuality { get; }

    public int MaxQuality { get; }

    public string Encoder { get; }

    public string DecoderTool { get; }

    /// <summary>The Debian package with both tools.</summary>
    public string Package { get; }

    /// <summary>File extension with the dot, e.g. ".jpg".</summary>
    public string Extension { get; }

    public static ReferenceCodec Jpeg { get; } = new("jpeg", "JPEG 4:2:0", 1, 100, "SkiaSharp JPEG (libjpeg-turbo)", ".jpg",
        (image, q) => ImageIO.EncodeJpeg(image.Channels == 3 ? image : image.ToRgb(), q));

    public static ReferenceCodec WebP { get; } = new("webp", "WebP", 0, 100, "SkiaSharp WebP (libwebp)", ".webp",
        (image, q) => ImageIO.EncodeWebP(image.Channels == 3 ? image : image.ToRgb(), q));

    public static ReferenceCodec Avif { get; } = new("avif", "AVIF 4:2:0", 0, 63, "avifenc", "avifdec", "libavif-bin", ".png", ".avif", ".png",
        (i, o, q) => ["--min", (63 - q).ToString(System.Globalization.CultureInfo.InvariantCulture), "--max", (63 - q).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-y", "420", "-d", "8", "-s", "8", "-j", "1", i, o],
        (i, o) => ["-d", "8", i, o]);

    public static IReadOnlyList<ReferenceCodec> All { get; } = [Jpeg, WebP, Avif];

    public static ReferenceCodec Get(string name) => All.FirstOrDefault(c => c.Name == name)
        ?? throw new ExperimentException($"unknown codec '{name}' (known: {string.Join(", ", All.Select(c => c.Name))})");

    /// <summary>Throws unless the encoder and decoder are on PATH (nothing to check for an in-process codec).</summary>
    public void RequireTools()
    {
        if (InProcess) return;
        Tools.Require(Encoder, Package);
        Tools.Require(DecoderTool, Package);
    }

    public byte[] Encode(Image image, int quality)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (quality < MinQuality || quality > MaxQuality) throw new ExperimentException($"{Name}: quality {quality} outside {MinQuality}..{MaxQuality}");
        if (_libraryEncode is not null) return _libraryEncode(image, quality);
        var dir = Directory.CreateTempSubdirectory("st-lab-codec-");
        try
        {
            string input = Path.Combine(dir.FullName, "in" + _inputExt), output = Path.Combine(dir.FullName, "out" + Extension);
            ImageIO.Save(image.Channels == 3 ? image : image.ToRgb(), input);
            Tools.Run(Encoder, _encodeArgs(input, output, quality), TimeSpan.FromMinutes(2));
            return File.ReadAllBytes(output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    public Image Decode(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (InProcess)
        {
            try
            {
                return ImageIO.Decode(data).ToRgb();
            }
            catch (ImageFormatException e)
            {
                throw new ExperimentException($"{Name}: {e.Message}");
            }
        }

        var dir = Directory.CreateTempSubdirectory("st-lab-codec-");
        try
        {
            string input = Path.Combine(dir.FullName, "in" + Extension), output = Path.Combine(dir.FullName, "out" + _decodedExt);
            File.WriteAllBytes(input, data);
            Tools.Run(DecoderTool, _decodeArgs(input, output), TimeSpan.FromMinutes(2));
            return ImageIO.Load(output).ToRgb();
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

/// <summary>One image's encodings by one codec, cached by quality (size searches revisit qualities).</summary>
internal sealed class EncodingCache(ReferenceCodec codec, Image image)
{
    private readonly Dictionary<int, byte[]> _bytes = [];

    public ReferenceCodec Codec { get; } = codec;

    public Image Image { get; } = image;

    public byte[] Bytes(int quality)
    {
        lock (_bytes)
        {
            if (!_bytes.TryGetValue(quality, out var b)) _bytes[quality] = b = Codec.Encode(Image, quality);
            return b;
        }
    }

    /// <summary>The quality closest to <paramref name="targetBytes"/> (see <see cref="SizeMatch"/>).</summary>
    public SizeMatchResult Match(long targetBytes) => SizeMatch.Search(q => Bytes(q).Length, targetBytes, Codec.MinQuality, Codec.MaxQuality);
}
