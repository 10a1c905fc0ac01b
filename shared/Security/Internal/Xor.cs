using System.Numerics;
using System.Runtime.InteropServices;

namespace SecureTransmit.Security.Internal;

internal static class Xor
{
    /// <summary>destination[i] = a[i] ^ b[i]; destination may alias a or b exactly.</summary>
    public static void Apply(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination)
    {
        int n = destination.Length;
        if (a.Length != n || b.Length != n) throw new ArgumentException("XOR operands differ in length");
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<byte>.Count)
        {
            var va = MemoryMarshal.Cast<byte, Vector<byte>>(a);
            var vb = MemoryMarshal.Cast<byte, Vector<byte>>(b);
            var vd = MemoryMarshal.Cast<byte, Vector<byte>>(destination);
            for (int v = 0; v < vd.Length; v++) vd[v] = va[v] ^ vb[v];
            i = vd.Length * Vector<byte>.Count;
        }
        for (; i < n; i++) destination[i] = (byte)(a[i] ^ b[i]);
    }
}
