namespace SecureTransmit.Security.Tests;

public class ReplayWindowTests
{
    [Fact]
    public void In_order_numbers_are_accepted_once()
    {
        var w = new ReplayWindow();
        Assert.Null(w.Highest);
        for (ulong s = 0; s < 3000; s++) Assert.Equal(ReplayVerdict.Accepted, w.TryAccept(s));
        Assert.Equal(2999UL, w.Highest);
        Assert.Equal(ReplayVerdict.Duplicate, w.TryAccept(2999));
        Assert.Equal(ReplayVerdict.Duplicate, w.TryAccept(2999 - 1023));
        Assert.Equal(ReplayVerdict.TooOld, w.TryAccept(2999 - 1024));
        Assert.Equal(ReplayVerdict.TooOld, w.TryAccept(0));
    }

    [Fact]
    public void Out_of_order_inside_the_window_is_accepted_and_gaps_stay_open()
    {
        var w = new ReplayWindow(64);
        Assert.Equal(ReplayVerdict.Accepted, w.TryAccept(100));
        Assert.Equal(ReplayVerdict.Accepted, w.TryAccept(90));
        Assert.Equal(ReplayVerdict.Duplicate, w.TryAccept(90));
        Assert.Equal(ReplayVerdict.Accepted, w.TryAccept(37));    // 100 - 63: last slot of the window
        Assert.Equal(ReplayVerdict.TooOld, w.TryAccept(36));      // 100 - 64
        Assert.Equal(ReplayVerdict.Accepted, w.TryAccept(130));   // slide by 30: 91..99 still open
        Assert.Equal(ReplayVerdict.Accepted, w.TryAccept(95));
        Assert.Equal(ReplayVerdict.Duplicate, w.TryAccept(100));
        Assert.Equal(ReplayVerdict.TooOld, w.TryAccept(66));      // 130 - 64
        Assert.Equal(ReplayVerdict.Accepted, w.TryAccept(67));
        // A slot reused after sliding does not inherit the old number's bit: 100 + 64 = 164 shares 100's slot.
        Assert.Equal(ReplayVerdict.Accepted, w.TryAccept(164));
        Assert.Equal(ReplayVerdict.Accepted, w.TryAccept(163));
        // A jump beyond the window clears everything.
        Assert.Equal(ReplayVerdict.Accepted, w.TryAccept(10_000));
        Assert.Equal(ReplayVerdict.Accepted, w.TryAccept(10_000 - 63));
        Assert.Equal(ReplayVerdict.TooOld, w.TryAccept(164));
    }

    [Fact]
    public void Check_does_not_record_and_accept_throws_with_the_verdict()
    {
        var w = new ReplayWindow();
        Assert.Equal(ReplayVerdict.Accepted, w.Check(5));
        Assert.Equal(ReplayVerdict.Accepted, w.Check(5));
        w.Accept(5);
        Assert.Equal(ReplayVerdict.Duplicate, w.Check(5));
        var e = Assert.Throws<ReplayException>(() => w.Accept(5));
        Assert.Equal(ReplayVerdict.Duplicate, e.Verdict);
        Assert.Equal(5UL, e.Sequence);
        w.Accept(5000);
        Assert.Equal(ReplayVerdict.TooOld, Assert.Throws<ReplayException>(() => w.Accept(6)).Verdict);
        w.Accept(ulong.MaxValue);
        Assert.Equal(ReplayVerdict.Duplicate, w.TryAccept(ulong.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayWindow(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayWindow(0));
    }

    [Fact]
    public void Matches_a_reference_model_on_a_random_reordered_stream()
    {
        // Reference: accepted iff never accepted before and > highest - size.
        var w = new ReplayWindow(128);
        var seen = new HashSet<ulong>();
        ulong? highest = null;
        var rng = new Random(42);
        ulong baseSeq = 0;
        for (int i = 0; i < 20_000; i++)
        {
            baseSeq += (ulong)rng.Next(0, 3);
            var s = (ulong)Math.Max(0, (long)baseSeq + rng.Next(-200, 40));
            ReplayVerdict expected;
            if (highest is null || s > highest) expected = ReplayVerdict.Accepted;
            else if (highest.Value - s >= 128) expected = ReplayVerdict.TooOld;
            else expected = seen.Contains(s) ? ReplayVerdict.Duplicate : ReplayVerdict.Accepted;
            Assert.Equal(expected, w.TryAccept(s));
            if (expected == ReplayVerdict.Accepted)
            {
                seen.Add(s);
                highest = highest is null ? s : Math.Max(highest.Value, s);
            }
        }
    }

    [Fact]
    public async Task Concurrent_callers_get_each_number_accepted_exactly_once()
    {
        var w = new ReplayWindow(4096);
        var accepted = new int[2000];
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (int s = 0; s < accepted.Length; s++)
                if (w.TryAccept((ulong)s) == ReplayVerdict.Accepted) Interlocked.Increment(ref accepted[s]);
        }));
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(accepted, c => Assert.Equal(1, c));
    }
}
