namespace SecureTransmit.Lab.Experiments;

/// <summary>The quality setting whose output size came closest to a target.</summary>
internal sealed record SizeMatchResult(int Quality, long Bytes, long Target, int Evaluations)
{
    /// <summary>(bytes − target) / target.</summary>
    public double RelativeError => Target == 0 ? 0 : (Bytes - (double)Target) / Target;
}

/// <summary>
/// Finds the quality whose encoded size is closest to a target number of bytes, for an encoder whose size grows
/// with quality (JPEG -quality, WebP -q). A binary search finds the highest quality at or under the target; that
/// quality, the next one up, and their neighbours (sizes are not strictly monotonic) are compared, and the closest
/// wins (the smaller on a tie). When the target lies outside [size(min), size(max)] the nearest end is returned.
/// Tolerance: the chosen size is the nearest achievable one (checked against an exhaustive scan in the tests), so it
/// is within ±5 % of a target inside the range wherever one quality step changes the size by under 10 % (the
/// whole range of WebP and JPEG up to the mid 90s on photos), and within half a step where steps are coarser.
/// </summary>
internal static class SizeMatch
{
    public static SizeMatchResult Search(Func<int, long> sizeAt, long target, int minQuality, int maxQuality)
    {
        ArgumentNullException.ThrowIfNull(sizeAt);
        if (minQuality > maxQuality) throw new ExperimentException($"size match: quality range {minQuality}..{maxQuality} is empty");
        if (target < 0) throw new ExperimentException("size match: target must not be negative");
        var seen = new Dictionary<int, long>();
        long Size(int q)
        {
            if (!seen.TryGetValue(q, out var s)) seen[q] = s = sizeAt(q);
            return s;
        }

        // Largest q with size(q) <= target (lo = minQuality - 1 when even the lowest quality is larger).
        int lo = minQuality - 1, hi = maxQuality + 1;
        while (hi - lo > 1)
        {
            int mid = lo + (hi - lo) / 2;
            if (Size(mid) <= target) lo = mid;
            else hi = mid;
        }
        int best = -1;
        long bestSize = 0;
        for (int q = lo - 1; q <= lo + 2; q++)
        {
            if (q < minQuality || q > maxQuality) continue;
            long s = Size(q);
            long d = Math.Abs(s - target), bd = Math.Abs(bestSize - target);
            if (best < 0 || d < bd || (d == bd && s < bestSize)) { best = q; bestSize = s; }
        }
        return new SizeMatchResult(best, bestSize, target, seen.Count);
    }
}
