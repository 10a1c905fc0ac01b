using System.Text.Json;

namespace SecureTransmit.Security.Tests;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>A temporary folder removed at dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "st-sec-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

internal static class Vectors
{
    private static readonly Lazy<JsonDocument> Doc = new(() =>
    {
        var path = System.IO.Path.Combine(AppContext.BaseDirectory, "vectors", "logistic_keystream.json");
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"golden vectors missing at {path}; regenerate with: /usr/bin/python3 tests/Security.Tests/vectors/make_vectors.py");
        return JsonDocument.Parse(File.ReadAllText(path));
    });

    public static JsonElement Root => Doc.Value.RootElement;

    public static byte[] Hex(this JsonElement e) => Convert.FromHexString(e.GetString()!);

    public static double Double(this JsonElement e) => BitConverter.Int64BitsToDouble(Convert.ToInt64(e.GetString()!, 16));

    public static string DoubleHex(double d) => BitConverter.DoubleToInt64Bits(d).ToString("x16");
}

internal static class Bytes
{
    public static byte[] Flip(byte[] data, int bit)
    {
        var copy = (byte[])data.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    public static byte[] Pattern(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }
}
