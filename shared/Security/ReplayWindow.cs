namespace SecureTransmit.Security;

/// <summary>Outcome of a replay check.</summary>
public enum ReplayVerdict
{
    /// <summary>Never seen and inside (or ahead of) the window: accepted.</summary>
    Accepted,

    /// <summary>Already accepted once.</summary>
    Duplicate,

    /// <summary>So far behind the highest accepted number that the window no longer remembers it.</summary>
    TooOld,
}

/// <summary>
/// Anti-replay for one session's 64-bit packet sequence numbers (as in IPsec/DTLS): remembers the highest
/// accepted number H and a bitmap of the <see cref="Size"/> numbers H-Size+1..H. A number above H is
/// accepted and slides the window; one inside the window is accepted once; one at or below H-Size is
/// rejected as too old. So packets may arrive out of order by up to Size-1 positions. Thread-safe.
/// Call it only after the packet's tag has verified (the sequence number is in the authenticated header).
/// </summary>
public sealed class ReplayWindow
{
    /// <summary>Default window: 1024 sequence numbers.</summary>
    public const int DefaultSize = 1024;

    private readonly ulong[] _bits;
    private readonly object _gate = new();
    private ulong _highest;
    private bool _any;

    /// <param name="size">Window length, a multiple of 64 in [64, 65536]. Default 1024.</param>
    public ReplayWindow(int size = DefaultSize)
    {
        if (size < 64 || size > 65536 || size % 64 != 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, "the replay window must be a multiple of 64 in [64, 65536]");
        Size = size;
        _bits = new ulong[size / 64];
    }

    public int Size { get; }

    /// <summary>The highest accepted sequence number, or null before the first.</summary>
    public ulong? Highest
    {
        get { lock (_gate) return _any ? _highest : null; }
    }

    /// <summary>What <see cref="TryAccept"/> would answer, without recording anything.</summary>
    public ReplayVerdict Check(ulong sequence)
    {
        lock (_gate) return Classify(sequence);
    }

    /// <summary>Records <paramref name="sequence"/> when it is new; says why not otherwise.</summary>
    public ReplayVerdict TryAccept(ulong sequence)
    {
        lock (_gate)
        {
            var verdict = Classify(sequence);
            if (verdict != ReplayVerdict.Accepted) return verdict;
            if (!_any || sequence > _highest)
            {
                // Slide: forget the slots of the numbers that fall out of the window.
                ulong advance = _any ? sequence - _highest : ulong.MaxValue;
                if (advance >= (ulong)Size) Array.Clear(_bits);
                else for (ulong s = _highest + 1; s <= sequence; s++) Clear(s);
                _highest = sequence;
                _any = true;
            }
            Set(sequence);
            return ReplayVerdict.Accepted;
        }
    }

    /// <summary>Like <see cref="TryAccept"/>, but throws <see cref="ReplayException"/> unless accepted.</summary>
    public void Accept(ulong sequence)
    {
        var verdict = TryAccept(sequence);
        if (verdict != ReplayVerdict.Accepted) throw new ReplayException(sequence, verdict);
    }

    private ReplayVerdict Classify(ulong sequence)
    {
        if (!_any || sequence > _highest) return ReplayVerdict.Accepted;
        if (_highest - sequence >= (ulong)Size) return ReplayVerdict.TooOld;
        return IsSet(sequence) ? ReplayVerdict.Duplicate : ReplayVerdict.Accepted;
    }

    private int Slot(ulong sequence) => (int)(sequence % (ulong)Size);

    private bool IsSet(ulong s) { var i = Slot(s); return (_bits[i >> 6] & (1UL << (i & 63))) != 0; }

    private void Set(ulong s) { var i = Slot(s); _bits[i >> 6] |= 1UL << (i & 63); }

    private void Clear(ulong s) { var i = Slot(s); _bits[i >> 6] &= ~(1UL << (i & 63)); }
}
