using SecureTransmit.Imaging;

namespace SecureTransmit.Lab.Data;

/// <summary>How square crops are cut from the images of a folder.</summary>
internal enum CropMode
{
    /// <summary>Non-overlapping tiles covering each image from the top-left corner (partial edge tiles dropped).</summary>
    Tiled,
    /// <summary>A fixed number of crops per image at seeded random positions.</summary>
    Random,
}

/// <summary>RGB crops of side <see cref="Size"/> cut from the PNG/TIFF/PPM images of a folder (sorted by name).</summary>
internal sealed class FolderDataset : IImageDataset
{
    private static readonly string[] Extensions = [".png", ".tif", ".tiff", ".ppm", ".pgm", ".pnm"];
    private readonly List<float[]> _images = [];
    private readonly List<(int Image, int X, int Y, int W)> _crops = [];

    public FolderDataset(string folder, int size, CropMode mode, int cropsPerImage = 16, int seed = 1)
    {
        if (!Directory.Exists(folder)) throw new DatasetException($"{folder}: no such folder");
        var files = Directory.EnumerateFiles(folder).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new DatasetException($"{folder}: no images (.png .tif .tiff .ppm .pgm .pnm) found");
        Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        Size = size;
        Files = files;
        var rng = new SplitMix64((ulong)(uint)seed);
        for (int i = 0; i < files.Count; i++)
        {
            var image = ImageIO.Load(files[i]).ToRgb();
            if (image.Width < size || image.Height < size)
                throw new DatasetException($"{files[i]}: image is {image.Width}×{image.Height}, smaller than the {size}×{size} tile");
            _images.Add(image.ToPlanarFloats());
            if (mode == CropMode.Tiled)
            {
                for (int y = 0; y + size <= image.Height; y += size)
                    for (int x = 0; x + size <= image.Width; x += size)
                        _crops.Add((i, x, y, image.Width));
            }
            else
            {
                for (int k = 0; k < cropsPerImage; k++)
                    _crops.Add((i, (int)(rng.Next() % (ulong)(image.Width - size + 1)), (int)(rng.Next() % (ulong)(image.Height - size + 1)), image.Width));
            }
        }
    }

    public string Name { get; }
    public IReadOnlyList<string> Files { get; }
    public int Count => _crops.Count;
    public int Channels => 3;
    public int Size { get; }

    public void CopyPlanar(int index, Span<float> chw)
    {
        var (img, x0, y0, w) = _crops[index];
        var src = _images[img];
        int plane = src.Length / 3, s = Size;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < s; y++)
                src.AsSpan(c * plane + (y0 + y) * w + x0, s).CopyTo(chw.Slice((c * s + y) * s, s));
    }
}

/// <summary>
/// Views an RGB dataset as single-plane square patches (paper B's stacked autoencoder): each image of side S
/// gives (S/P)² patches per colour plane, each one sample of shape [1, P, P].
/// </summary>
internal sealed class PatchDataset(IImageDataset inner, int patch) : IImageDataset
{
    private readonly float[] _buffer = new float[inner.Channels * inner.Size * inner.Size];
    private int _cached = -1;
    private readonly int _perSide = inner.Size / patch;

    public string Name => $"{inner.Name} ({patch}×{patch} patches)";
    public int Count => inner.Count * inner.Channels * _perSide * _perSide;
    public int Channels => 1;
    public int Size => patch;

    public void CopyPlanar(int index, Span<float> chw)
    {
        int per = inner.Channels * _perSide * _perSide;
        int img = index / per, rest = index % per;
        int c = rest / (_perSide * _perSide), p = rest % (_perSide * _perSide);
        lock (_buffer)
        {
            if (_cached != img) { inner.CopyPlanar(img, _buffer); _cached = img; }
            int S = inner.Size, py = p / _perSide * patch, px = p % _perSide * patch;
            for (int y = 0; y < patch; y++)
                _buffer.AsSpan(c * S * S + (py + y) * S + px, patch).CopyTo(chw.Slice(y * patch, patch));
        }
    }
}

/// <summary>A subset of another dataset, by index list (a held-out split or a shuffled order).</summary>
internal sealed class SubsetDataset(IImageDataset inner, int[] indices, string name) : IImageDataset
{
    public string Name => name;
    public int Count => indices.Length;
    public int Channels => inner.Channels;
    public int Size => inner.Size;
    public void CopyPlanar(int index, Span<float> chw) => inner.CopyPlanar(indices[index], chw);
}

internal static class DataSources
{
    /// <summary>
    /// Opens what a <c>--data</c> option names: CIFAR-10 batch files, or one folder of images (cut into crops).
    /// </summary>
    public static IImageDataset Open(IReadOnlyList<string> paths, int size, CropMode crops, int seed)
    {
        if (paths.Count == 0) throw new DatasetException("no data given");
        if (paths.Count == 1 && Directory.Exists(paths[0])) return new FolderDataset(paths[0], size, crops, seed: seed);
        foreach (var p in paths)
            if (Directory.Exists(p)) throw new DatasetException($"{p}: give one folder, or CIFAR-10 batch files, not both");
        var cifar = Cifar10.Open(paths);
        if (size != 32) throw new DatasetException($"CIFAR-10 images are 32×32; the model needs {size}×{size} samples");
        return cifar;
    }

    /// <summary>Splits a dataset into (train, held-out) by a seeded permutation; the held-out part is the last fraction.</summary>
    public static (IImageDataset Train, IImageDataset Val) Split(IImageDataset data, double valFraction, int seed)
    {
        if (valFraction is <= 0 or >= 1) throw new DatasetException($"--val-fraction {valFraction} must be between 0 and 1");
        var perm = Shuffle.Permutation(data.Count, seed);
        int nVal = Math.Max(1, (int)Math.Round(data.Count * valFraction));
        return (new SubsetDataset(data, perm[..^nVal], data.Name + " (train split)"),
                new SubsetDataset(data, perm[^nVal..], data.Name + " (held-out split)"));
    }
}
