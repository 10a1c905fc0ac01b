using SecureTransmit.Security;

namespace SecureTransmit.Lab.Analysis.Internal;

/// <summary>One backward search: how many derivable x0 (same r) reach the same state after the warm-up.</summary>
/// <param name="Ancestors">Doubles in (0, 1) found at the full depth (any x0, on or off the 2⁻⁵³ grid).</param>
/// <param name="GridAncestors">Those on the 2⁻⁵³ grid inside the derivable range [2⁻²⁰, 1 − 2⁻²⁰]: keys equivalent to the sampled one.</param>
/// <param name="Capped">
/// The tree outgrew the caps. <paramref name="GridAncestors"/> is then a lower bound found forwards: the derivable x0
/// among the nearest grid neighbours of x0 and of 1 − x0 whose orbits reach the same state.
/// </param>
/// <param name="Work">Preimage expansions done.</param>
internal readonly record struct AncestorCount(double X0, double R, long Ancestors, long GridAncestors, bool Capped, int Depth, long Work);

/// <summary>
/// Equivalent keys of the logistic keystream: in IEEE double precision the map x ← (r·x)·(1 − x) is many-to-one
/// (it folds x and 1 − x together and rounds), so distinct x0 merge into the same orbit. For a sampled (x0, r) this
/// computes y = f^d(x0) and enumerates every double x with f^d(x) = y by walking the preimage tree backwards:
/// the preimages of v are the doubles near (1 ± √(1 − 4v/r))/2 whose rounded image is exactly v. The number of
/// grid points among the depth-d ancestors is the size of x0's equivalence class.
/// </summary>
internal static class EquivalentKeys
{
    private const double Grid = 9007199254740992.0; // 2^53
    private const double MinX0 = 1.0 / (1 << 20);

    /// <summary>Doubles scanned on each side of a root before giving up (only near x = 1/2 can more be needed; then the count is a lower bound).</summary>
    private const int MaxScan = 4096;

    /// <summary>Scan tolerance around the target, in ulps of the target: beyond it no double can round onto the target.</summary>
    private const int ToleranceUlps = 64;

    /// <param name="nodeCap">Largest level kept; a larger level stops the search (counts become lower bounds).</param>
    /// <param name="workCap">Most preimage expansions in all; beyond it the search stops the same way.</param>
    public static AncestorCount Count(double x0, double r, int depth, int nodeCap = 100_000, long workCap = 16_000_000)
    {
        double y = x0;
        for (int i = 0; i < depth; i++) y = r * y * (1.0 - y);

        var level = new List<double> { y };
        var next = new List<double>();
        var seen = new HashSet<double>();
        int d = 0;
        bool capped = false;
        long work = 0;
        for (; d < depth; d++)
        {
            next.Clear();
            foreach (double v in level) Preimages(r, v, next, seen);
            work += level.Count;
            if (next.Count > nodeCap || work > workCap)
            {
                capped = true;
                break;
            }
            (level, next) = (next, level);
        }

        if (capped) return new AncestorCount(x0, r, -1, ForwardLowerBound(x0, r, depth, y), true, d, work);
        long grid = level.Count(OnGrid);
        {
            // Self-check: x0 must be among its own ancestors, and a few found keys must really reach y going forwards.
            if (!level.Contains(x0)) throw new InvalidOperationException($"preimage search lost the true orbit (x0 = {x0:R}, r = {r:R})");
            foreach (double a in level.Where(OnGrid).Take(8))
            {
                double z = a;
                for (int i = 0; i < depth; i++) z = r * z * (1.0 - z);
                if (z != y) throw new InvalidOperationException("preimage search returned a double that does not reach the state");
            }
        }
        return new AncestorCount(x0, r, level.Count, grid, false, d, work);
    }

    /// <summary>Grid points within ±<see cref="ForwardWindow"/> steps of x0 and of 1 − x0 whose f^depth equals y (x0 itself included).</summary>
    private static long ForwardLowerBound(double x0, double r, int depth, double y)
    {
        const double Step = 1.0 / Grid;
        long count = 0;
        foreach (double centre in (ReadOnlySpan<double>)[x0, 1.0 - x0])
        {
            for (int k = -ForwardWindow; k <= ForwardWindow; k++)
            {
                if (centre == 1.0 - x0 && x0 == 1.0 - x0) break;
                double z = centre + k * Step;
                if (!OnGrid(z)) continue;
                for (int i = 0; i < depth; i++) z = r * z * (1.0 - z);
                if (z == y) count++;
            }
        }
        return Math.Max(1, count);
    }

    /// <summary>Grid neighbours on each side checked by <see cref="ForwardLowerBound"/>.</summary>
    private const int ForwardWindow = 2048;

    private static bool OnGrid(double x) => x >= MinX0 && x <= 1.0 - MinX0 && Math.Floor(x * Grid) == x * Grid;

    /// <summary>Appends every double x ∈ (0, 1) with (r·x)·(1 − x) == v exactly.</summary>
    private static void Preimages(double r, double v, List<double> output, HashSet<double> seen)
    {
        double tolerance = ToleranceUlps * (Math.BitIncrement(v) - v);
        double s = Math.Sqrt(Math.Max(0.0, 1.0 - 4.0 * v / r));
        seen.Clear();
        foreach (double root in (ReadOnlySpan<double>)[(1.0 - s) / 2.0, (1.0 + s) / 2.0])
        {
            if (!(root > 0.0 && root < 1.0)) continue;
            Scan(r, v, root, down: true, tolerance, output, seen);
            Scan(r, v, Math.BitIncrement(root), down: false, tolerance, output, seen);
        }
    }

    private static void Scan(double r, double v, double x, bool down, double tolerance, List<double> output, HashSet<double> seen)
    {
        for (int step = 0; step < MaxScan && x > 0.0 && x < 1.0; step++)
        {
            double fx = r * x * (1.0 - x);
            if (fx == v)
            {
                if (seen.Add(x)) output.Add(x);
            }
            else if (Math.Abs(fx - v) > tolerance)
            {
                return;
            }
            x = down ? Math.BitDecrement(x) : Math.BitIncrement(x);
        }
    }

    /// <summary>Random (x0, r) exactly as the logistic mode derives them.</summary>
    public static List<(double X0, double R)> Samples(int count, ulong seed)
    {
        var rng = new Data.SplitMix64(seed);
        var list = new List<(double, double)>();
        while (list.Count < count)
        {
            var key = Seeded.Bytes(rng.Next(), 32);
            if (LogisticKeystream.TryDeriveParameters(key, 0, out double x0, out double r)) list.Add((x0, r));
        }
        return list;
    }
}
