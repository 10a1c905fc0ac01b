using SecureTransmit.Lab.Experiments;

namespace SecureTransmit.Lab.Tests;

public class BandwidthLinkProfileTests
{
    [Fact]
    public void Parses_rate_delay_and_loss_with_units()
    {
        var p = LinkProfile.Parse("10mbit:40ms:1%");
        Assert.Equal(10_000_000, p.RateBitsPerSecond);
        Assert.Equal(40, p.DelayMs);
        Assert.Equal(1, p.LossPercent);
        Assert.Equal(80, p.RttMs);
        Assert.Equal(0.01, p.LossProbability, 12);

        var q = LinkProfile.Parse(" 1.5Mbit:250us:0.5% ");
        Assert.Equal(1_500_000, q.RateBitsPerSecond);
        Assert.Equal(0.25, q.DelayMs, 12);
        Assert.Equal(0.5, q.LossPercent);

        var r = LinkProfile.Parse("512kbit:1s:0%");
        Assert.Equal(512_000, r.RateBitsPerSecond);
        Assert.Equal(1000, r.DelayMs);
        Assert.Equal(["512000bit", "1000000us", "0%"], r.NetemArguments());
    }

    [Theory]
    [InlineData("10mbit:40ms", "expected RATE:DELAY:LOSS")]
    [InlineData("10mb:40ms:1%", "rate '10mb'")]
    [InlineData("10mbit:40:1%", "delay '40'")]
    [InlineData("10mbit:40ms:1", "loss '1'")]
    [InlineData("10mbit:40ms:60%", "below 50%")]
    [InlineData("100bit:40ms:1%", "between 1kbit")]
    [InlineData("10mbit:11s:0%", "at most 10s")]
    public void Rejects_bad_syntax_with_a_message_naming_the_part(string text, string expected)
    {
        var e = Assert.Throws<ExperimentException>(() => LinkProfile.Parse(text));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Parses_a_list_and_refuses_duplicates_and_empty_lists()
    {
        var list = LinkProfile.ParseList("10mbit:40ms:1%, 100mbit:5ms:0%,1mbit:100ms:0%");
        Assert.Equal(["10mbit:40ms:1%", "100mbit:5ms:0%", "1mbit:100ms:0%"], list.Select(p => p.Name));
        Assert.Contains("twice", Assert.Throws<ExperimentException>(() => LinkProfile.ParseList("1mbit:1ms:0%,1mbit:1ms:0%")).Message);
        Assert.Throws<ExperimentException>(() => LinkProfile.ParseList(" , "));
    }
}
