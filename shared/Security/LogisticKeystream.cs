using System.Buffers.Binary;
using System.Security.Cryptography;
using SecureTransmit.Security.Internal;

namespace SecureTransmit.Security;

/// <summary>Why a logistic orbit was rejected.</summary>
public enum LogisticDegeneracy
{
    /// <summary>The orbit is usable.</summary>
    None,

    /// <summary>Derived x0 or r outside the allowed ranges (x0 in [2^-20, 1-2^-20], r in (3.5699, 4)).</summary>
    BadParameters,

    /// <summary>An iterate left the open interval (0, 1) (e.g. 0.5 → 1 → 0 at r = 4).</summary>
    OutOfRange,

    /// <summary>The double-precision orbit repeated a value exactly (fixed point or cycle).</summary>
    Cycle,

    /// <summary>
    /// A block of 1024 iterations stretched nearby orbits by less than 2^64 (finite-time Lyapunov exponent
    /// below 1/16 bit per step): the orbit is contracting onto an attracting cycle (a periodic window), or
    /// r sits at the edge of chaos. Its low-order bits would soon repeat with the cycle's period.
    /// </summary>
    LowExpansion,
}

/// <summary>Parameters the keystream was generated from.</summary>
/// <param name="X0">Initial value.</param>
/// <param name="R">Map parameter.</param>
/// <param name="Counter">How many parameter sets were rejected before this one.</param>
public readonly record struct LogisticParameters(double X0, double R, int Counter);

/// <summary>
/// The logistic-map keystream generator of the "logistic" mode (SECURITY.md, "Logistic keystream"). All
/// arithmetic is IEEE-754 binary64 with only +, -, * and comparisons, in a fixed order, so every
/// conforming implementation produces the same bytes (tests/Security.Tests/vectors checks this against an
/// independent Python implementation). NOTE: a non-standard, unanalysed generator; its secrecy rests on
/// the HKDF-derived image key, not on chaos.
/// </summary>
public static class LogisticKeystream
{
    /// <summary>Iterations discarded before output.</summary>
    public const int WarmUpIterations = 1024;

    /// <summary>Parameter sets tried before giving up (each is rejected with probability ≈ 0.1).</summary>
    public const int MaxAttempts = 64;

    /// <summary>Keystream bytes per iteration: the low 16 bits of the 52-bit mantissa, low byte first.</summary>
    public const int BytesPerIteration = 2;

    /// <summary>r = RMin + RSpan · u, u ∈ (0, 1).</summary>
    public const double RMin = 3.57;

    public const double RSpan = 0.43;

    /// <summary>Lower end of the chaotic range; r must exceed it.</summary>
    public const double ChaosThreshold = 3.5699;

    private const int Block = 1024;             // expansion is checked over every block of this many iterations
    private const int MinBlockExpansion = 64;   // bits of stretching each block must show
    private const double MinX0 = 1.0 / (1 << 20);
    private const long MantissaMask = (1L << 52) - 1;

    /// <summary>
    /// Parameter set <paramref name="counter"/> of an image key: D = HMAC-SHA256(K_img, "securetransmit/v1
    /// logistic params" || u32be(counter)); x0 = (u64be(D[0..8]) >> 11) · 2^-53;
    /// r = 3.57 + 0.43 · ((2·(u64be(D[8..16]) >> 12) + 1) · 2^-53). Returns false when x0 or r is out of range.
    /// </summary>
    public static bool TryDeriveParameters(ReadOnlySpan<byte> imageKey, int counter, out double x0, out double r)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(counter);
        Span<byte> msg = stackalloc byte[Labels.LogisticParams.Length + 4];
        Labels.LogisticParams.CopyTo(msg);
        BinaryPrimitives.WriteUInt32BigEndian(msg[Labels.LogisticParams.Length..], (uint)counter);
        Span<byte> d = stackalloc byte[32];
        HMACSHA256.HashData(imageKey, msg, d);
        ulong a = BinaryPrimitives.ReadUInt64BigEndian(d) >> 11;
        ulong b = BinaryPrimitives.ReadUInt64BigEndian(d[8..]) >> 12;
        CryptographicOperations.ZeroMemory(d);
        const double TwoPowMinus53 = 1.0 / (1L << 53);
        x0 = a * TwoPowMinus53;                         // exact
        double u = (2 * b + 1) * TwoPowMinus53;          // exact, strictly inside (0, 1)
        r = RMin + RSpan * u;                            // two IEEE roundings
        return x0 >= MinX0 && x0 <= 1.0 - MinX0 && r > ChaosThreshold && r < 4.0;
    }

    /// <summary>
    /// Fills <paramref name="output"/> with the keystream of image key <paramref name="imageKey"/>:
    /// parameter sets 0, 1, ... are tried until one passes every degeneracy check for this length.
    /// </summary>
    /// <exception cref="SecureTransmitSecurityException">No usable parameters in <see cref="MaxAttempts"/> tries (not expected to happen).</exception>
    public static LogisticParameters Generate(ReadOnlySpan<byte> imageKey, Span<byte> output)
    {
        for (int counter = 0; counter < MaxAttempts; counter++)
        {
            if (!TryDeriveParameters(imageKey, counter, out var x0, out var r)) continue;
            if (TryGenerate(x0, r, output) == LogisticDegeneracy.None) return new LogisticParameters(x0, r, counter);
        }
        output.Clear();
        throw new SecureTransmitSecurityException($"no non-degenerate logistic orbit in {MaxAttempts} parameter sets");
    }

    /// <summary>
    /// Runs the orbit x_i = (r · x_{i-1}) · (1 − x_{i-1}) from <paramref name="x0"/>, discards
    /// <see cref="WarmUpIterations"/> iterates and writes 2 bytes per further iterate (low 16 mantissa
    /// bits, low byte first) until <paramref name="output"/> is full. With M = warm-up + ⌈N/2⌉ it iterates
    /// 3M times in all and rejects the orbit (returning why) when an iterate leaves (0, 1); when an iterate
    /// equals the checkpoint (Brent: checkpoints at steps 0, 1, 2, 4, 8, ...; any repetition within the first
    /// M iterates is caught by step 3M); or when a block of 1024 steps stretches by less than 2^64 (the
    /// running product of |r(1 − 2x_i)| is kept as a double in [1, 2) times 2^E; a block's stretch is the
    /// growth of E). On rejection the output content is unspecified. Raw parameters, no key: exposed for
    /// analysis and the golden vectors.
    /// </summary>
    public static LogisticDegeneracy TryGenerate(double x0, double r, Span<byte> output)
    {
        if (!(x0 > 0.0 && x0 < 1.0) || !(r > 0.0 && r <= 4.0)) return LogisticDegeneracy.BadParameters;
        long n = output.Length;
        long m = WarmUpIterations + (n + 1) / 2;
        long total = 3 * m;
        double x = x0, checkpoint = x0;
        long nextCheckpoint = 1;
        double stretch = 1.0;
        long exponentSum = 0, exponentAtBlock = 0;
        for (long i = 1; i <= total; i++)
        {
            x = r * x * (1.0 - x);
            if (!(x > 0.0 && x < 1.0)) return LogisticDegeneracy.OutOfRange;
            if (x == checkpoint) return LogisticDegeneracy.Cycle;
            if (i == nextCheckpoint)
            {
                checkpoint = x;
                nextCheckpoint <<= 1;
            }

            stretch *= Math.Abs(r * (1.0 - 2.0 * x));
            if (stretch == 0.0) return LogisticDegeneracy.LowExpansion;
            long bits = BitConverter.DoubleToInt64Bits(stretch);
            exponentSum += ((bits >> 52) & 0x7FF) - 1023;
            stretch = BitConverter.Int64BitsToDouble((bits & MantissaMask) | (1023L << 52));
            if (i % Block == 0)
            {
                if (exponentSum - exponentAtBlock < MinBlockExpansion) return LogisticDegeneracy.LowExpansion;
                exponentAtBlock = exponentSum;
            }

            if (i > WarmUpIterations && i <= m)
            {
                long mantissa = BitConverter.DoubleToInt64Bits(x) & MantissaMask;
                long k = 2 * (i - WarmUpIterations - 1);
                output[(int)k] = (byte)mantissa;
                if (k + 1 < n) output[(int)k + 1] = (byte)(mantissa >> 8);
            }
        }
        return LogisticDegeneracy.None;
    }
}
