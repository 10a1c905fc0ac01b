using SecureTransmit.Wire.Internal;

namespace SecureTransmit.Wire.Tests;

public sealed class HeaderEncodingTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("4m", 40_000L)]
    [InlineData("5u", 50L)]
    [InlineData("600n", 6L)]
    [InlineData("1n", 1L)]          // rounded up to one tick (100 ns), never to zero
    [InlineData("0S", 0L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    [InlineData("99999999H", 3_599_999_964_000_000_000L)]
    public void Timeout_parses_every_unit(string header, long ticks)
    {
        Assert.True(TimeoutHeader.TryParse(header, out TimeSpan timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("1")]
    [InlineData("123456789S")]
    [InlineData("1s")]
    [InlineData("1h")]
    [InlineData("-1S")]
    [InlineData("1.5S")]
    [InlineData(" 1S")]
    [InlineData("1 S")]
    public void Timeout_rejects_malformed_values(string header)
    {
        Assert.False(TimeoutHeader.TryParse(header, out _));
    }

    [Theory]
    [InlineData(1L, "1u")]                       // one tick rounds up to 1 µs
    [InlineData(2_000_000L, "200000u")]          // 200 ms
    [InlineData(1_000_000_000L, "100000m")]      // 100 s no longer fits in 8 digits of µs
    [InlineData(1_728_000_000_000L, "172800S")]  // 2 days
    [InlineData(3_600_000_000_000_000L, "6000000M")]
    public void Timeout_formats_with_the_finest_unit_that_fits(long ticks, string expected)
    {
        Assert.Equal(expected, TimeoutHeader.Format(TimeSpan.FromTicks(ticks)));
    }

    [Fact]
    public void Timeout_format_never_shortens_and_always_parses()
    {
        var random = new Random(1234);
        for (int i = 0; i < 2000; i++)
        {
            var timeout = TimeSpan.FromTicks((long)(Math.Pow(10, random.NextDouble() * 17) + 1));
            string header = TimeoutHeader.Format(timeout);
            Assert.InRange(header.Length, 2, 9);
            Assert.True(TimeoutHeader.TryParse(header, out TimeSpan parsed), header);
            Assert.True(parsed >= timeout, $"{timeout} -> {header} -> {parsed}");
        }
    }

    [Theory]
    [InlineData("plain text ~!", "plain text ~!")]
    [InlineData("100%", "100%25")]
    [InlineData("ö", "%C3%B6")]
    [InlineData("tab\there\r\n", "tab%09here%0D%0A")]
    [InlineData("✓", "%E2%9C%93")]
    [InlineData("\u007F", "%7F")]
    [InlineData("😀", "%F0%9F%98%80")]
    public void Grpc_message_percent_encoding_follows_the_spec(string message, string wire)
    {
        Assert.Equal(wire, PercentEncoding.Encode(message));
        Assert.Equal(message, PercentEncoding.Decode(wire));
    }

    [Theory]
    [InlineData("50%", "50%")]
    [InlineData("%zz", "%zz")]
    [InlineData("%4", "%4")]
    [InlineData("a%2", "a%2")]
    [InlineData("%c3%b6", "ö")]
    [InlineData("%FF", "\uFFFD")]
    public void Grpc_message_decoding_is_lenient(string wire, string message)
    {
        Assert.Equal(message, PercentEncoding.Decode(wire));
    }

    [Fact]
    public void Grpc_message_round_trips_random_unicode()
    {
        var random = new Random(99);
        for (int i = 0; i < 500; i++)
        {
            var chars = new List<char>();
            for (int j = 0; j < 20; j++)
            {
                int cp = random.Next(5) switch
                {
                    0 => random.Next(0x20, 0x7F),
                    1 => random.Next(0, 0x20),
                    2 => random.Next(0xA0, 0xD7FF),
                    3 => '%',
                    _ => random.Next(0x10000, 0x10FFFF),
                };
                chars.AddRange(char.ConvertFromUtf32(cp));
            }

            string message = new(chars.ToArray());
            string wire = PercentEncoding.Encode(message);
            Assert.All(wire, c => Assert.InRange(c, (char)0x20, (char)0x7E));
            Assert.Equal(message, PercentEncoding.Decode(wire));
        }
    }
}
