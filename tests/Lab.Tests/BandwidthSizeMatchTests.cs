using SecureTransmit.Lab.Experiments;

namespace SecureTransmit.Lab.Tests;

public class BandwidthSizeMatchTests
{
    [Fact]
    public void Finds_the_closest_size_of_a_monotonic_encoder()
    {
        // size(q) = 100 + 10·q for q = 1..100.
        long Size(int q) => 100 + 10L * q;
        Assert.Equal(40, SizeMatch.Search(Size, 500, 1, 100).Quality);           // exact
        Assert.Equal(40, SizeMatch.Search(Size, 504, 1, 100).Quality);           // 500 is closer than 510
        Assert.Equal(41, SizeMatch.Search(Size, 506, 1, 100).Quality);           // 510 is closer than 500
        Assert.Equal(40, SizeMatch.Search(Size, 505, 1, 100).Quality);           // tie → the smaller file
        var low = SizeMatch.Search(Size, 3, 1, 100);                              // below the range → lowest quality
        Assert.Equal((1, 110L), (low.Quality, low.Bytes));
        var high = SizeMatch.Search(Size, 1_000_000, 1, 100);                     // above → highest
        Assert.Equal((100, 1100L), (high.Quality, high.Bytes));
        Assert.True(SizeMatch.Search(Size, 777, 1, 100).Evaluations <= 12, "a binary search, not a scan");
    }

    [Fact]
    public void Tolerates_a_non_monotonic_bump_next_to_the_answer()
    {
        // Sizes rise by 10 per step but q = 51 is 4 bytes smaller than q = 50.
        long Size(int q) => q == 51 ? 596 : 100 + 10L * q;
        var r = SizeMatch.Search(Size, 597, 1, 100);
        Assert.Equal(51, r.Quality);
        Assert.Equal(596, r.Bytes);
    }

    [Theory]
    [InlineData("jpeg")]
    [InlineData("webp")]
    public void Real_encoder_lands_on_the_nearest_achievable_size_within_the_stated_tolerance(string name)
    {
        var codec = ReferenceCodec.Get(name);
        codec.RequireTools();
        var cache = new EncodingCache(codec, BandwidthTestSupport.Photo(192, 128, seed: 3));
        // Exhaustive sizes over the whole quality range.
        var all = Enumerable.Range(codec.MinQuality, codec.MaxQuality - codec.MinQuality + 1).ToDictionary(q => q, q => (long)cache.Bytes(q).Length);
        long min = all.Values.Min(), max = all.Values.Max();
        foreach (double f in new[] { 0.15, 0.4, 0.65, 0.9 })
        {
            long target = min + (long)((max - min) * f * f);
            var r = cache.Match(target);
            long nearest = all.Values.Min(s => Math.Abs(s - target));
            Assert.True(Math.Abs(r.Bytes - target) <= nearest + target / 100,
                $"{name}: target {target} → q {r.Quality} ({r.Bytes} B), but some quality gives a size {nearest} B from the target");
            // Stated tolerance: ±5 % of the target, or half the gap between the achievable sizes around it where the
            // encoder's steps are coarser than that (the top of JPEG's range).
            long below = all.Values.Where(s => s <= target).DefaultIfEmpty(min).Max(), above = all.Values.Where(s => s > target).DefaultIfEmpty(max).Min();
            double allowed = Math.Max(0.05 * target, (above - below) / 2.0 + 0.01 * target);
            Assert.True(Math.Abs(r.Bytes - target) <= allowed, $"{name}: target {target} → {r.Bytes} B ({r.RelativeError:P1}), allowed ±{allowed:0} B");
            Assert.Equal(all[r.Quality], r.Bytes);
        }
    }
}
