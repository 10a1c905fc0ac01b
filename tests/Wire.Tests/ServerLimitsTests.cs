namespace SecureTransmit.Wire.Tests;

/// <summary>The option objects validate every value and document their defaults.</summary>
public sealed class ServerLimitsTests
{
    [Fact]
    public void Defaults_bound_unauthenticated_buffering_to_64_MiB()
    {
        var l = new ServerLimits();
        l.Validate();
        Assert.Equal(512, l.MaxConnections);
        Assert.Equal(64, l.MaxConnectionsPerAddress);
        Assert.Equal(4, l.MaxStreamsPerConnection);
        Assert.Equal(128 * 1024, l.InitialConnectionWindowSize);
        Assert.Equal(96 * 1024, l.InitialStreamWindowSize);
        Assert.Equal(TimeSpan.FromSeconds(5), l.FirstMessageTimeout);
        Assert.Equal(64L * 1024 * 1024, l.UnauthenticatedBufferBound);
        // One upload message (a 64 KiB chunk and its framing) fits in the stream window, or it could never arrive.
        Assert.True(l.InitialStreamWindowSize >= Protos.V2.TransmitLimits.MaxUploadMessageSize + 5);
    }

    public static TheoryData<string, Action<ServerLimits>> Bad => new()
    {
        { "MaxConnections", l => l.MaxConnections = 0 },
        { "MaxConnections", l => l.MaxConnections = 100_001 },
        { "MaxConnectionsPerAddress", l => l.MaxConnectionsPerAddress = -1 },
        { "MaxStreamsPerConnection", l => l.MaxStreamsPerConnection = 0 },
        { "InitialConnectionWindowSize", l => l.InitialConnectionWindowSize = 65_534 },
        { "InitialStreamWindowSize", l => l.InitialStreamWindowSize = 17 * 1024 * 1024 },
        { "IdleConnectionTimeout", l => l.IdleConnectionTimeout = TimeSpan.FromMilliseconds(999) },
        { "TlsHandshakeTimeout", l => l.TlsHandshakeTimeout = TimeSpan.FromMinutes(6) },
        { "FirstMessageTimeout", l => l.FirstMessageTimeout = TimeSpan.FromMilliseconds(99) },
        { "UnaryTimeout", l => l.UnaryTimeout = TimeSpan.Zero },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void A_bad_value_is_refused_naming_the_setting(string name, Action<ServerLimits> set)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => set(new ServerLimits()));
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void Settings_that_contradict_each_other_are_refused_together()
    {
        var l = new ServerLimits { InitialConnectionWindowSize = 65_535, InitialStreamWindowSize = 70_000 };
        Assert.Equal("InitialStreamWindowSize", Assert.Throws<ArgumentOutOfRangeException>(l.Validate).ParamName);
        var m = new ServerLimits { MaxConnections = 10, MaxConnectionsPerAddress = 11 };
        Assert.Equal("MaxConnectionsPerAddress", Assert.Throws<ArgumentOutOfRangeException>(m.Validate).ParamName);
    }

    [Theory]
    [InlineData("ipv4:127.0.0.1:5000", "127.0.0.1")]
    [InlineData("ipv6:[::1]:443", "::1")]
    [InlineData("", "unknown")]
    [InlineData(null, "unknown")]
    public void The_refusal_log_names_the_peer_address(string? peer, string address) =>
        Assert.Equal(address, RefusalLog.AddressOf(peer));

    [Fact]
    public void Channel_settings_validate_and_an_https_channel_needs_a_pin()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelSettings { ConnectTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelSettings { MaxReceiveMessageSize = 10 });
        Assert.Throws<ArgumentException>(() => PinnedChannel.Create(new Uri("https://127.0.0.1:1"), null));
        Assert.Throws<ArgumentException>(() => PinnedChannel.Create(new Uri("ftp://127.0.0.1:1"), null));
    }
}
