using SecureTransmit.Imaging;

namespace SecureTransmit.Lab.Data;

/// <summary>
/// Photographs held in memory as 8-bit RGB for random-crop training of the <c>lic</c> codecs. Every image of a folder
/// (searched recursively, any format <see cref="ImageIO"/> reads) is loaded once; images whose shorter side is at
/// least 2·<c>halfScaleMinSide</c> also get a 2×2-averaged half-size copy, which is sampled like an image of its own
/// (downscaling removes most of the source JPEG's artefacts and gives the model more structure per crop).
/// A fixed set of images — every <c>validationEvery</c>-th file in path order — is kept out for validation.
/// </summary>
internal sealed class PhotoCrops
{
    private readonly List<Image> _train = [];
    private readonly List<Image> _val = [];

    public PhotoCrops(string folder, int crop, int validationEvery = 40, int halfScaleMinSide = 256, Action<int, int>? progress = null)
    {
        if (!Directory.Exists(folder)) throw new DatasetException($"{folder}: no such folder");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => ImageIO.DetectFormat(ReadHead(f)) != null)
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new DatasetException($"{folder}: no images ImageIO can read");
        Crop = crop;
        var loaded = new Image?[files.Count];
        int done = 0;
        Parallel.For(0, files.Count, i =>
        {
            var img = ImageIO.Load(files[i]).ToRgb();
            loaded[i] = img.Width >= crop && img.Height >= crop ? img : null;
            progress?.Invoke(Interlocked.Increment(ref done), files.Count);
        });
        for (int i = 0; i < files.Count; i++)
        {
            if (loaded[i] is not { } img) continue;
            if (validationEvery > 0 && i % validationEvery == validationEvery / 2) { _val.Add(img); continue; }
            _train.Add(img);
            if (Math.Min(img.Width, img.Height) >= 2 * halfScaleMinSide) _train.Add(Half(img));
        }
        if (_train.Count == 0) throw new DatasetException($"{folder}: no image of at least {crop}×{crop}");
        Name = folder;
        Files = files.Count;
    }

    public string Name { get; }
    public int Files { get; }
    public int Crop { get; }
    public int TrainCount => _train.Count;
    public IReadOnlyList<Image> Validation => _val;

    /// <summary>
    /// Fills <paramref name="batch"/> [B, 3, crop, crop] with random crops (random image, position, horizontal flip)
    /// scaled to [0, 1]; the same <paramref name="seed"/> gives the same batch.
    /// </summary>
    public void Fill(float[] batch, int count, int seed)
    {
        int s = Crop, plane = s * s;
        var rng = new Random(seed);
        var picks = new (Image Img, int X, int Y, bool Flip)[count];
        for (int b = 0; b < count; b++)
        {
            var img = _train[rng.Next(_train.Count)];
            picks[b] = (img, rng.Next(img.Width - s + 1), rng.Next(img.Height - s + 1), rng.Next(2) == 1);
        }
        Parallel.For(0, count, b =>
        {
            var (img, x0, y0, flip) = picks[b];
            var px = img.Pixels;
            int off = b * 3 * plane;
            for (int y = 0; y < s; y++)
            {
                int row = ((y0 + y) * img.Width + x0) * 3;
                for (int x = 0; x < s; x++)
                {
                    int src = row + 3 * (flip ? s - 1 - x : x), dst = off + y * s + x;
                    batch[dst] = px[src] / 255f;
                    batch[dst + plane] = px[src + 1] / 255f;
                    batch[dst + 2 * plane] = px[src + 2] / 255f;
                }
            }
        });
    }

    private static Image Half(Image img)
    {
        int w = img.Width / 2, h = img.Height / 2;
        var dst = new byte[w * h * 3];
        var src = img.Pixels;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                {
                    int a = ((2 * y) * img.Width + 2 * x) * 3 + c, b = a + img.Width * 3;
                    dst[(y * w + x) * 3 + c] = (byte)((src[a] + src[a + 3] + src[b] + src[b + 3] + 2) >> 2);
                }
        return new Image(w, h, 3, dst);
    }

    private static byte[] ReadHead(string path)
    {
        using var f = File.OpenRead(path);
        var head = new byte[16];
        int n = f.Read(head);
        return head[..n];
    }
}
