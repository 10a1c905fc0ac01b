namespace SecureTransmit.Codec.Entropy.Internal;

/// <summary>
/// Turns masses into integer frequencies ≥ 1 with an exact total (the rule is documented on
/// <see cref="CdfTable.FromPmf"/>). Uses only IEEE-754 double +, −, ×, ÷ and floor in a fixed order,
/// so it gives the same frequencies on every CPU.
/// </summary>
internal static class PmfQuantizer
{
    public static int[] Quantize(double[] masses, int total)
    {
        int k = masses.Length;
        // divide by the largest mass first (exact IEEE division) so tiny or subnormal masses still normalise
        double max = 0;
        for (int i = 0; i < k; i++) if (masses[i] > max) max = masses[i];
        if (!(max > 0)) throw new CodecException("pmf and tail mass are all zero: the distribution has no mass");
        for (int i = 0; i < k; i++) masses[i] /= max;
        var inFloor = new bool[k];
        int floorCount = 0;
        double scale;
        while (true)
        {
            double rest = 0;
            for (int i = 0; i < k; i++) if (!inFloor[i]) rest += masses[i];
            // rest ≥ 1: the largest mass (now 1) never joins U, since Σ_{i∉U} m_i·scale = total − |U| > k
            scale = (total - floorCount) / rest;
            int added = 0;
            for (int i = 0; i < k; i++)
            {
                if (!inFloor[i] && masses[i] * scale < 1) { inFloor[i] = true; added++; }
            }
            if (added == 0) break;
            floorCount += added;
        }

        var freq = new int[k];
        var frac = new double[k];
        long sum = 0;
        for (int i = 0; i < k; i++)
        {
            if (inFloor[i]) { freq[i] = 1; frac[i] = double.NegativeInfinity; }
            else
            {
                double x = masses[i] * scale;
                double f = Math.Floor(x);
                // x < total, so f fits an int; the floor of 1 holds because x ≥ 1 outside U
                freq[i] = Math.Max(1, (int)f);
                frac[i] = x - f;
            }
            sum += freq[i];
        }

        long left = total - sum;
        if (left != 0)
        {
            // order: largest fractional part first, then lower index (a total order, so any sort gives it)
            var order = new int[k];
            for (int i = 0; i < k; i++) order[i] = i;
            Array.Sort(order, (a, b) =>
            {
                int c = frac[b].CompareTo(frac[a]);
                return c != 0 ? c : a.CompareTo(b);
            });
            // rounding can only leave fewer than k units; floating error could in theory leave one more or
            // one fewer, so walk the order as often as needed, skipping floor symbols and never going below 1
            int guard = 0;
            while (left > 0)
            {
                int i = order[guard++ % k];
                if (inFloor[i]) continue;
                freq[i]++; left--;
            }
            guard = 0;
            while (left < 0)
            {
                int i = LargestIndex(freq);
                freq[i]--; left++;
                if (++guard > total) throw new InvalidOperationException("frequency repair did not converge");
            }
        }
        return freq;
    }

    private static int LargestIndex(int[] freq)
    {
        int best = 0;
        for (int i = 1; i < freq.Length; i++) if (freq[i] > freq[best]) best = i;
        return best;
    }
}
