namespace SecureTransmit.Neural;

/// <summary>
/// A seedable random generator for parameter initialization (xoshiro256** seeded by SplitMix64, so a
/// seed gives the same weights on every machine and .NET version), with PyTorch's default rules.
/// <para>
/// Layers take an optional <see cref="Init"/>; without one they draw from <see cref="Default"/>, which
/// <see cref="ManualSeed"/> reseeds (the analogue of <c>torch.manual_seed</c>). The values are equal in
/// distribution to PyTorch's defaults, not bit-equal (PyTorch's generator is a different algorithm).
/// </para>
/// </summary>
public sealed class Init
{
    private ulong _s0, _s1, _s2, _s3;
    private readonly Lock _lock = new();

    public Init(ulong seed) => Reseed(seed);

    /// <summary>The generator layers use when none is given. Seed 0 until <see cref="ManualSeed"/>.</summary>
    public static Init Default { get; } = new(0);

    /// <summary>Reseeds <see cref="Default"/>.</summary>
    public static void ManualSeed(ulong seed) => Default.Reseed(seed);

    public void Reseed(ulong seed)
    {
        lock (_lock)
        {
            ulong x = seed;
            _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
        }
    }

    /// <summary>A uniform 64-bit value.</summary>
    public ulong NextUInt64()
    {
        lock (_lock) return NextUnlocked();
    }

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fills with U(low, high).</summary>
    public void Uniform(Span<float> destination, float low, float high)
    {
        lock (_lock)
        {
            double width = (double)high - low;
            for (int i = 0; i < destination.Length; i++)
                destination[i] = (float)(low + width * ((NextUnlocked() >> 11) * (1.0 / (1UL << 53))));
        }
    }

    /// <summary>Fills with N(mean, std²) (Box–Muller).</summary>
    public void Normal(Span<float> destination, float mean = 0f, float std = 1f)
    {
        lock (_lock)
        {
            for (int i = 0; i < destination.Length; i += 2)
            {
                double u1 = ((NextUnlocked() >> 11) + 1) * (1.0 / ((1UL << 53) + 1));
                double u2 = (NextUnlocked() >> 11) * (1.0 / (1UL << 53));
                double r = Math.Sqrt(-2 * Math.Log(u1));
                destination[i] = (float)(mean + std * r * Math.Cos(2 * Math.PI * u2));
                if (i + 1 < destination.Length) destination[i + 1] = (float)(mean + std * r * Math.Sin(2 * Math.PI * u2));
            }
        }
    }

    /// <summary>
    /// PyTorch's default for Linear/Conv weights, <c>kaiming_uniform_(w, a=√5)</c>:
    /// gain = √(2/(1+a²)) = √(1/3), bound = gain·√(3/fan_in) = 1/√fan_in, w ~ U(−bound, bound).
    /// </summary>
    public void KaimingUniformDefault(Tensor weight, int fanIn)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        float bound = 1f / MathF.Sqrt(fanIn);
        Uniform(weight.Span, -bound, bound);
    }

    /// <summary>PyTorch's default for Linear/Conv biases: U(−1/√fan_in, 1/√fan_in).</summary>
    public void BiasDefault(Tensor bias, int fanIn)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        float bound = 1f / MathF.Sqrt(fanIn);
        Uniform(bias.Span, -bound, bound);
    }

    private ulong NextUnlocked()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
