using System.Numerics;
using System.Runtime.CompilerServices;
using static SecureTransmit.Codec.Entropy.Internal.RangeCoderLayout;

namespace SecureTransmit.Codec.Entropy;

/// <summary>
/// Range encoder over <see cref="CdfTable"/>s (16-bit CDFs), integer arithmetic only, so the bytes are the same
/// on every CPU. Symbols may use a different table each (one per latent channel, interleaved); the decoder must
/// be given the same tables in the same order. A value outside its table is coded as the escape symbol followed
/// by the value's exact distance from the table in bypass bits (any 32-bit integer round-trips).
/// Not thread-safe; one encoder makes one stream.
/// </summary>
public sealed class RangeEncoder
{
    private ulong _low;               // 33 bits: bit 32 is a carry into bytes not yet written
    private uint _range = uint.MaxValue;
    private byte _cache;              // the byte that a carry could still change
    private long _pending = 1;        // _cache plus the 0xFF bytes after it, not yet written
    private bool _skipFirst = true;   // the first byte written is the always-zero integer byte
    private byte[] _buffer;
    private int _length;
    private bool _finished;

    /// <summary>Creates an encoder; <paramref name="capacity"/> is the first buffer size in bytes (it grows as needed).</summary>
    public RangeEncoder(int capacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _buffer = new byte[Math.Max(capacity, 16)];
    }

    /// <summary>Number of symbols encoded so far.</summary>
    public long SymbolCount { get; private set; }

    /// <summary>Appends <paramref name="value"/> coded with <paramref name="table"/>.</summary>
    public void Encode(int value, CdfTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (_finished) throw new InvalidOperationException("the encoder is finished");
        var cdf = table.RawCdf;
        long index = (long)value - table.Offset;
        int n = cdf.Length - 2;
        if ((ulong)index < (ulong)n)
        {
            EncodeInterval((uint)cdf[index], (uint)cdf[index + 1]);
        }
        else
        {
            EncodeInterval((uint)cdf[n], CdfTable.Total);
            EncodeEscape(index < 0 ? (ulong)(-index) : (ulong)(index - n + 1), above: index >= 0);
        }
        SymbolCount++;
    }

    /// <summary>Appends every value of <paramref name="values"/>, all coded with <paramref name="table"/>.</summary>
    public void Encode(ReadOnlySpan<int> values, CdfTable table)
    {
        foreach (int v in values) Encode(v, table);
    }

    /// <summary>
    /// Flushes the coder and returns the stream. The flush picks the number in the final interval with the most
    /// trailing zero bits and drops the zero bytes it ends with, so an empty stream is 0 bytes long.
    /// </summary>
    public byte[] Finish()
    {
        if (_finished) throw new InvalidOperationException("the encoder is finished");
        _finished = true;
        ulong end = _low + _range; // exclusive
        for (int bits = 8 * StateBytes; bits >= 8 * (StateBytes - 1); bits -= 8)
        {
            ulong mask = (1UL << bits) - 1;
            ulong v = (_low + mask) & ~mask;
            if (v < end) { _low = v; break; } // always true at 24 bits: range ≥ 2^24 > mask
        }
        for (int i = 0; i <= StateBytes; i++) ShiftLow();
        int trimmed = 0;
        while (trimmed < MaxTrimmedBytes && _length > 0 && _buffer[_length - 1] == 0) { _length--; trimmed++; }
        return _buffer.AsSpan(0, _length).ToArray();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EncodeInterval(uint start, uint end)
    {
        uint r = _range >> CdfTable.Precision;
        _low += (ulong)(r * start);
        _range = r * (end - start);
        while (_range < RenormThreshold)
        {
            _range <<= 8;
            ShiftLow();
        }
    }

    private void EncodeBits(uint bits, int count)
    {
        uint r = _range >> count;
        _low += (ulong)(r * bits);
        _range = r;
        while (_range < RenormThreshold)
        {
            _range <<= 8;
            ShiftLow();
        }
    }

    private void EncodeEscape(ulong distance, bool above)
    {
        // distance ∈ [1, 2^32]: its bit length n is 1..33
        EncodeBits(above ? 1u : 0u, 1);
        int n = 64 - BitOperations.LeadingZeroCount(distance);
        for (int i = 1; i < n; i++) EncodeBits(0, 1);
        EncodeBits(1, 1);
        int rest = n - 1;
        while (rest > 0)
        {
            int take = Math.Min(rest, MaxBypassBits);
            rest -= take;
            EncodeBits((uint)(distance >> rest) & ((1u << take) - 1), take);
        }
    }

    private void ShiftLow()
    {
        if ((uint)_low < 0xFF000000u || (_low >> 32) != 0)
        {
            byte carry = (byte)(_low >> 32);
            byte b = _cache;
            do
            {
                WriteByte((byte)(b + carry));
                b = 0xFF;
            } while (--_pending != 0);
            _cache = (byte)(_low >> 24);
        }
        _pending++;
        _low = (_low & 0x00FFFFFFu) << 8;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteByte(byte b)
    {
        if (_skipFirst) { _skipFirst = false; return; }
        if (_length == _buffer.Length) Array.Resize(ref _buffer, checked(_buffer.Length * 2));
        _buffer[_length++] = b;
    }
}
