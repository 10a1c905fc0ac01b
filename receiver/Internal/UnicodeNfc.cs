using System.Text;

namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// Unicode Normalization Form C (UAX #15): full canonical decomposition, canonical ordering by combining class, then
/// canonical composition, with Hangul syllables done algorithmically. Needed because the solution runs with
/// InvariantGlobalization, where <see cref="string.Normalize()"/> leaves decomposed text as it is. Tables:
/// <see cref="UnicodeNfcData"/> (generated from Python's unicodedata by make_unicode_nfc.py).
/// </summary>
internal static class UnicodeNfc
{
    // Hangul (Unicode ch. 3.12): S = SBase + (L·VCount + V)·TCount + T.
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly Dictionary<int, int> Ccc = Pairs(UnicodeNfcData.CombiningClasses);
    private static readonly Dictionary<int, int[]> Decomp = LoadDecompositions();
    private static readonly Dictionary<long, int> Comp = LoadCompositions();

    public static string Normalize(string s)
    {
        // Fast path: ASCII is always NFC.
        bool ascii = true;
        foreach (char c in s) if (c >= 0x80) { ascii = false; break; }
        if (ascii) return s;

        var cps = new List<int>(s.Length);
        foreach (var r in s.EnumerateRunes()) Decompose(r.Value, cps);
        Reorder(cps);
        Compose(cps);
        var sb = new StringBuilder(cps.Count);
        foreach (int cp in cps) sb.Append(char.ConvertFromUtf32(cp));
        return sb.ToString();
    }

    private static int CombiningClass(int cp) => Ccc.TryGetValue(cp, out int c) ? c : 0;

    private static void Decompose(int cp, List<int> output)
    {
        if (cp is >= SBase and < SBase + SCount)
        {
            int index = cp - SBase;
            output.Add(LBase + (index / NCount));
            output.Add(VBase + (index % NCount / TCount));
            if (index % TCount != 0) output.Add(TBase + (index % TCount));
            return;
        }
        if (Decomp.TryGetValue(cp, out var parts))
        {
            foreach (int p in parts) Decompose(p, output);
            return;
        }
        output.Add(cp);
    }

    /// <summary>Stable sort of each run of non-starters by combining class.</summary>
    private static void Reorder(List<int> cps)
    {
        for (int i = 1; i < cps.Count; i++)
        {
            int c = CombiningClass(cps[i]);
            if (c == 0) continue;
            for (int j = i; j > 0; j--)
            {
                int prev = CombiningClass(cps[j - 1]);
                if (prev == 0 || prev <= c) break;
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
            }
        }
    }

    /// <summary>
    /// Canonical composition (UAX #15 sample algorithm): each character joins the last starter when a primary composite
    /// exists and it is not blocked, i.e. the last character kept since the starter has a lower combining class (or
    /// none was kept: the two are adjacent).
    /// </summary>
    private static void Compose(List<int> cps)
    {
        if (cps.Count == 0) return;
        int starter = 0;
        int lastClass = CombiningClass(cps[0]) == 0 ? 0 : 256; // a leading non-starter composes with nothing
        int write = 1;
        for (int read = 1; read < cps.Count; read++)
        {
            int cp = cps[read], cc = CombiningClass(cp);
            if ((lastClass < cc || lastClass == 0) && TryPair(cps[starter], cp, out int composite))
            {
                cps[starter] = composite;
                continue;
            }
            if (cc == 0) starter = write;
            lastClass = cc;
            cps[write++] = cp;
        }
        cps.RemoveRange(write, cps.Count - write);
    }

    private static bool TryPair(int first, int second, out int composite)
    {
        if (first is >= LBase and < LBase + LCount && second is >= VBase and < VBase + VCount)
        {
            composite = SBase + (((first - LBase) * VCount) + (second - VBase)) * TCount;
            return true;
        }
        if (first is >= SBase and < SBase + SCount && (first - SBase) % TCount == 0 && second is > TBase and < TBase + TCount)
        {
            composite = first + (second - TBase);
            return true;
        }
        return Comp.TryGetValue(((long)first << 21) | (uint)second, out composite);
    }

    private static Dictionary<int, int> Pairs(ReadOnlySpan<int> data)
    {
        var d = new Dictionary<int, int>(data.Length / 2);
        for (int i = 0; i < data.Length; i += 2) d[data[i]] = data[i + 1];
        return d;
    }

    private static Dictionary<int, int[]> LoadDecompositions()
    {
        ReadOnlySpan<int> data = UnicodeNfcData.Decompositions;
        var d = new Dictionary<int, int[]>();
        for (int i = 0; i < data.Length;)
        {
            int cp = data[i], n = data[i + 1];
            d[cp] = data.Slice(i + 2, n).ToArray();
            i += 2 + n;
        }
        return d;
    }

    private static Dictionary<long, int> LoadCompositions()
    {
        ReadOnlySpan<int> data = UnicodeNfcData.Compositions;
        var d = new Dictionary<long, int>(data.Length / 3);
        for (int i = 0; i < data.Length; i += 3) d[((long)data[i] << 21) | (uint)data[i + 1]] = data[i + 2];
        return d;
    }
}
