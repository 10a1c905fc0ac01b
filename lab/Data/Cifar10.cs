namespace SecureTransmit.Lab.Data;

/// <summary>
/// CIFAR-10 "binary version" batch files: records of 1 label byte then 3072 pixel bytes
/// (1024 R, 1024 G, 1024 B; each a 32×32 row-major plane). No header: a file holds length/3073 records.
/// </summary>
internal sealed class Cifar10 : IImageDataset
{
    /// <summary>Bytes per record: 1 label + 3 × 32 × 32 pixels.</summary>
    public const int RecordSize = 1 + PixelBytes;
    public const int PixelBytes = 3 * 32 * 32;

    private readonly byte[][] _files;
    private readonly int[] _starts;

    private Cifar10(string name, byte[][] files)
    {
        Name = name;
        _files = files;
        _starts = new int[files.Length + 1];
        for (int i = 0; i < files.Length; i++) _starts[i + 1] = _starts[i] + files[i].Length / RecordSize;
    }

    public string Name { get; }
    public int Count => _starts[^1];
    public int Channels => 3;
    public int Size => 32;

    /// <summary>Opens one or more batch files. Throws <see cref="DatasetException"/> naming the bad file.</summary>
    public static Cifar10 Open(IEnumerable<string> paths)
    {
        var list = new List<byte[]>();
        var names = new List<string>();
        foreach (var p in paths)
        {
            if (!File.Exists(p)) throw new DatasetException($"{p}: no such file");
            var bytes = File.ReadAllBytes(p);
            if (bytes.Length == 0 || bytes.Length % RecordSize != 0)
                throw new DatasetException($"{p}: not a CIFAR-10 binary batch (length {bytes.Length} is not a multiple of {RecordSize})");
            for (int r = 0; r < bytes.Length; r += RecordSize)
                if (bytes[r] > 9) throw new DatasetException($"{p}: record {r / RecordSize} has label {bytes[r]} (expected 0..9)");
            list.Add(bytes);
            names.Add(Path.GetFileName(p));
        }
        if (list.Count == 0) throw new DatasetException("no CIFAR-10 batch files given");
        return new Cifar10(string.Join("+", names), list.ToArray());
    }

    public int Label(int index)
    {
        var (f, r) = Locate(index);
        return _files[f][r * RecordSize];
    }

    public void CopyPlanar(int index, Span<float> chw)
    {
        var (f, r) = Locate(index);
        var px = _files[f].AsSpan(r * RecordSize + 1, PixelBytes);
        const float inv = 1f / 255f;
        for (int i = 0; i < PixelBytes; i++) chw[i] = px[i] * inv;
    }

    public ReadOnlySpan<byte> PlanarBytes(int index)
    {
        var (f, r) = Locate(index);
        return _files[f].AsSpan(r * RecordSize + 1, PixelBytes);
    }

    private (int File, int Record) Locate(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
        int f = Array.BinarySearch(_starts, index);
        if (f < 0) f = ~f - 1;
        while (f + 1 < _starts.Length && _starts[f + 1] <= index) f++;
        return (f, index - _starts[f]);
    }
}
