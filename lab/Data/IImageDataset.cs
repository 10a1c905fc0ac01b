namespace SecureTransmit.Lab.Data;

/// <summary>A fixed list of square image samples (channels × size × size), read as planar floats in [0,1].</summary>
internal interface IImageDataset
{
    string Name { get; }
    int Count { get; }
    int Channels { get; }
    int Size { get; }

    /// <summary>Writes sample <paramref name="index"/> into <paramref name="chw"/> (length Channels·Size·Size).</summary>
    void CopyPlanar(int index, Span<float> chw);
}

/// <summary>A dataset problem a user can fix: one line, naming the file.</summary>
internal sealed class DatasetException(string message) : Exception(message);

/// <summary>Deterministic shuffles and splits from a seed.</summary>
internal static class Shuffle
{
    /// <summary>Fisher–Yates permutation of 0..n-1 with a seeded generator (same seed → same order on every machine).</summary>
    public static int[] Permutation(int n, int seed)
    {
        var idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        var rng = new SplitMix64((ulong)(uint)seed);
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)(rng.Next() % (ulong)(i + 1));
            (idx[i], idx[j]) = (idx[j], idx[i]);
        }
        return idx;
    }
}

/// <summary>SplitMix64: a tiny, well-known, platform-independent generator (used so shuffles don't depend on System.Random's algorithm).</summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
