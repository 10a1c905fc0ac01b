using System.Runtime.CompilerServices;
using static SecureTransmit.Codec.Entropy.Internal.RangeCoderLayout;

namespace SecureTransmit.Codec.Entropy;

/// <summary>
/// Decodes a stream made by <see cref="RangeEncoder"/>, given the same tables in the same order. Safe on any
/// byte string: every call does bounded work, allocates nothing, and a malformed stream yields garbage values
/// (never an exception) until <see cref="Finish"/>, which reports it with a <see cref="CodecException"/>.
/// Not thread-safe.
/// </summary>
public sealed class RangeDecoder
{
    private readonly ReadOnlyMemory<byte> _data;
    private readonly byte[]? _array;   // fast path: the array behind _data
    private readonly int _arrayStart;
    private readonly int _length;
    private int _position;             // bytes of _data consumed
    private int _pastEnd;              // zero bytes read past the end (saturates)
    private uint _code;                // the stream's value minus low, scaled like range
    private uint _range = uint.MaxValue;
    private string? _error;

    /// <summary>Starts decoding <paramref name="data"/> (not copied: keep it unchanged until decoding ends).</summary>
    public RangeDecoder(ReadOnlyMemory<byte> data)
    {
        _data = data;
        _length = data.Length;
        if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var segment))
        {
            _array = segment.Array;
            _arrayStart = segment.Offset;
        }
        for (int i = 0; i < StateBytes; i++) _code = (_code << 8) | NextByte();
    }

    /// <summary>Decodes the next value, which was coded with <paramref name="table"/>.</summary>
    public int Decode(CdfTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        uint r = _range >> CdfTable.Precision;
        uint target = _code / r;
        if (target >= CdfTable.Total)
        {
            // only a malformed stream points past the last interval (into the part of range that r·65536 leaves)
            _error ??= "a coded value lies outside its table's intervals";
            target = CdfTable.Total - 1;
        }
        var cdf = table.RawCdf;
        int s = table.FindInterval(target);
        uint start = (uint)cdf[s];
        _code -= r * start;
        _range = r * ((uint)cdf[s + 1] - start);
        Normalize();
        int n = cdf.Length - 2;
        return s < n ? table.Offset + s : DecodeEscape(table, n);
    }

    /// <summary>Decodes <paramref name="values"/>.Length values, all coded with <paramref name="table"/>.</summary>
    public void Decode(Span<int> values, CdfTable table)
    {
        for (int i = 0; i < values.Length; i++) values[i] = Decode(table);
    }

    /// <summary>
    /// Checks that the stream was well formed and read exactly to its end (allowing for the zero bytes the
    /// encoder's flush drops).
    /// </summary>
    /// <exception cref="CodecException">The stream is malformed, too short, or longer than what was decoded.</exception>
    public void Finish()
    {
        if (_error is not null) throw new CodecException($"entropy-coded stream is malformed: {_error}");
        if (_pastEnd > MaxTrimmedBytes)
            throw new CodecException($"entropy-coded stream is truncated: decoding read {_pastEnd} bytes past its end of {_length}");
        if (_position < _length)
            throw new CodecException($"entropy-coded stream has {_length - _position} bytes left after the last symbol");
    }

    private int DecodeEscape(CdfTable table, int n)
    {
        bool above = DecodeBits(1) != 0;
        int zeros = 0;
        while (DecodeBits(1) == 0)
        {
            if (++zeros >= MaxEscapeBitLength)
            {
                _error ??= "an escape's length prefix is too long";
                return table.Offset;
            }
        }
        ulong distance = 1;
        int rest = zeros;
        while (rest > 0)
        {
            int take = Math.Min(rest, MaxBypassBits);
            rest -= take;
            distance = (distance << take) | DecodeBits(take);
        }
        long value = above ? (long)table.Offset + n - 1 + (long)distance : table.Offset - (long)distance;
        if (value < int.MinValue || value > int.MaxValue)
        {
            _error ??= "an escaped value does not fit a 32-bit integer";
            return table.Offset;
        }
        return (int)value;
    }

    private uint DecodeBits(int count)
    {
        uint r = _range >> count;
        uint bits = _code / r;
        uint limit = (1u << count) - 1;
        if (bits > limit)
        {
            _error ??= "a bypass value lies outside its range";
            bits = limit;
        }
        _code -= bits * r;
        _range = r;
        Normalize();
        return bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Normalize()
    {
        while (_range < RenormThreshold)
        {
            _code = (_code << 8) | NextByte();
            _range <<= 8;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint NextByte()
    {
        if (_position < _length)
        {
            int p = _position++;
            return _array is not null ? _array[_arrayStart + p] : _data.Span[p];
        }
        if (_pastEnd < int.MaxValue) _pastEnd++;
        return 0;
    }
}
