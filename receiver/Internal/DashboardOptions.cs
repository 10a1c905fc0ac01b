namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// Settings of the dashboard's live event stream and statistics. <see cref="Validate"/> names the first bad value.
/// </summary>
internal sealed class DashboardOptions
{
    /// <summary>Interval between <c>: heartbeat</c> comment lines on an idle event stream. Default 15 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Interval between <c>stats</c> events (totals and the throughput series), so the chart keeps moving. Default 5 s.</summary>
    public TimeSpan StatsInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Event-stream connections served at once; more are answered 503 with Retry-After. Default 32.</summary>
    public int MaxSubscribers { get; init; } = 32;

    /// <summary>Seconds of per-second throughput history kept and sent. Default 300 (5 minutes).</summary>
    public int ThroughputSeconds { get; init; } = 300;

    /// <summary>
    /// Host names (besides IP literals and <c>localhost</c>) the dashboard answers to; guards against DNS rebinding.
    /// Default: this machine's name.
    /// </summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [Environment.MachineName];

    /// <summary>The reconnect delay suggested to browsers (the stream's <c>retry:</c> field). Default 3 s.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(3);

    public static DashboardOptions Default { get; } = new();

    public void Validate()
    {
        if (HeartbeatInterval <= TimeSpan.Zero) throw new ArgumentException("dashboard heartbeat interval must be positive");
        if (StatsInterval <= TimeSpan.Zero) throw new ArgumentException("dashboard stats interval must be positive");
        if (MaxSubscribers < 1) throw new ArgumentException("dashboard subscriber limit must be at least 1");
        if (ThroughputSeconds is < 10 or > 86_400) throw new ArgumentException("dashboard throughput window must be 10 s .. 1 day");
        if (ReconnectDelay <= TimeSpan.Zero) throw new ArgumentException("dashboard reconnect delay must be positive");
    }
}
