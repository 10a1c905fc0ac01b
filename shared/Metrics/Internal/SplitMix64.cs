namespace SecureTransmit.Metrics.Internal;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator so that sampled statistics (local
/// entropy blocks, random adjacent pairs) are reproducible across .NET versions and machines.
/// Not for cryptography.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, bound) without modulo bias (rejection on the top range).</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound));
        ulong b = (ulong)bound;
        ulong limit = ulong.MaxValue - (ulong.MaxValue % b + 1) % b;
        ulong r;
        do { r = NextUInt64(); } while (r > limit);
        return (int)(r % b);
    }
}
