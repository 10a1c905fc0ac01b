namespace SecureTransmit.Imaging.Internal;

/// <summary>Adler-32 (RFC 1950 §8.2): two sums modulo 65521, initial value 1.</summary>
internal static class Adler32
{
    private const uint Modulus = 65521;

    // Largest n such that 255 n (n+1) / 2 + (n+1)(Modulus-1) fits in 32 bits: reduce at least this often.
    private const int MaxBlock = 5552;

    public static uint Compute(ReadOnlySpan<byte> data) => Update(1, data);

    public static uint Update(uint adler, ReadOnlySpan<byte> data)
    {
        uint a = adler & 0xFFFF;
        uint b = adler >> 16;
        while (!data.IsEmpty)
        {
            int n = Math.Min(data.Length, MaxBlock);
            ReadOnlySpan<byte> block = data[..n];
            int i = 0;
            for (; i + 4 <= n; i += 4)
            {
                a += block[i];
                b += a;
                a += block[i + 1];
                b += a;
                a += block[i + 2];
                b += a;
                a += block[i + 3];
                b += a;
            }

            for (; i < n; i++)
            {
                a += block[i];
                b += a;
            }

            a %= Modulus;
            b %= Modulus;
            data = data[n..];
        }

        return (b << 16) | a;
    }
}
