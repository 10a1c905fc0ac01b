namespace SecureTransmit.Codec.Entropy.Internal;

/// <summary>
/// Constants of the range coder's bitstream. The stream is the big-endian binary expansion of one number
/// x in [0, 1), written from its first fractional byte on:
/// <code>
/// byte 0..n-1 : x · 256^n, most significant byte first (the integer byte, always 0, is not written)
///               trailing zero bytes (at most <see cref="MaxTrimmedBytes"/>) are dropped; the decoder reads
///               past the end as zeros
/// </code>
/// Each symbol narrows [low, low + range) by its CDF interval: r = range >> 16, low += r · cdf[s],
/// range = r · (cdf[s+1] − cdf[s]); bypass bits use r = range >> k. Renormalisation shifts one byte out
/// whenever range drops below <see cref="RenormThreshold"/>.
/// </summary>
internal static class RangeCoderLayout
{
    /// <summary>The coder's state registers are 32 bits wide (range ∈ [2^24, 2^32)).</summary>
    public const int StateBytes = 4;

    /// <summary>Renormalise (shift out one byte) while range &lt; 2^24, so r = range >> 16 is always ≥ 256.</summary>
    public const uint RenormThreshold = 1u << 24;

    /// <summary>The encoder's final flush ends in at most this many zero bytes, which it drops.</summary>
    public const int MaxTrimmedBytes = StateBytes;

    /// <summary>Most bypass bits coded in one step (a uniform distribution over 2^k values).</summary>
    public const int MaxBypassBits = 16;

    /// <summary>
    /// Escape payload: 1 bypass bit (0 = below the table, 1 = above), then the distance d ≥ 1 from the
    /// table's nearest end in Elias-gamma form: (n − 1) zero bits, a one bit, then the low n − 1 bits of d,
    /// where n is d's bit length (1..33, since |d| ≤ 2^32).
    /// </summary>
    public const int MaxEscapeBitLength = 33;
}
