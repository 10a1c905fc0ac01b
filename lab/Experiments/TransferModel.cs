namespace SecureTransmit.Lab.Experiments;

/// <summary>Constants of the computed transfer time (<see cref="TransferModel"/>); the defaults describe Linux TCP over IPv4.</summary>
internal sealed class TransferModelOptions
{
    /// <summary>TCP payload bytes per segment. Default 1448 (1500-byte MTU − 20 IPv4 − 20 TCP − 12 timestamp option).</summary>
    public int SegmentPayload { get; init; } = 1448;

    /// <summary>IPv4 + TCP header bytes each segment adds on the link. Default 52 (20 + 20 + 12 timestamps).</summary>
    public int SegmentHeader { get; init; } = 52;

    /// <summary>Initial congestion window in segments. Default 10 (RFC 6928, Linux's default).</summary>
    public int InitialWindowSegments { get; init; } = 10;

    public void Validate()
    {
        if (SegmentPayload is < 100 or > 65_000) throw new ExperimentException($"transfer model: SegmentPayload {SegmentPayload} must be 100..65000 bytes");
        if (SegmentHeader is < 0 or > 200) throw new ExperimentException($"transfer model: SegmentHeader {SegmentHeader} must be 0..200 bytes");
        if (InitialWindowSegments is < 1 or > 1000) throw new ExperimentException($"transfer model: InitialWindowSegments {InitialWindowSegments} must be 1..1000");
    }
}

/// <summary>The parts of a computed transfer time, in ms.</summary>
internal sealed record TransferEstimate(double HandshakeMs, double SerializationMs, double SlowStartStallMs, double LossRecoveryMs, double DeliveryMs)
{
    public double TotalMs => HandshakeMs + SerializationMs + SlowStartStallMs + LossRecoveryMs + DeliveryMs;
}

/// <summary>
/// Computed time to push <c>up</c> bytes (and receive <c>down</c> bytes of handshake and receipts) over a
/// <see cref="LinkProfile"/>, for when the link cannot be emulated. With RTT = 2·delay, rate R, loss p, S = segment
/// payload, h = segment header, N = ⌈up/S⌉ data segments, M = ⌈down/S⌉:
/// <code>
/// T = H·RTT                                   handshake round trips before the first data byte (TCP 1, TLS 1.3 1, …)
///   + 8·((up + N·h) + (down + M·h)) / (R·(1−p))   serialization; lost segments are sent again
///   + Σ_k max(0, 8·S/R + RTT − 8·W_k/R)       slow-start stalls: window W_k = IW·S·2^k bytes, for every window
///                                             after which data is still left (Kurose–Ross)
///   + N·p·RTT                                 one fast-retransmit round trip per expected lost data segment
///   + RTT                                     the last byte's one-way trip and the acknowledgement's way back
/// </code>
/// Not modelled: lost handshake packets (a 1 s SYN timeout), retransmission timeouts, window cuts after a loss
/// (fine for short flows), and the receiver's processing time.
/// </summary>
internal static class TransferModel
{
    public static TransferEstimate Estimate(LinkProfile link, long upBytes, long downBytes, int handshakeRoundTrips, TransferModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(link);
        var o = options ?? new TransferModelOptions();
        o.Validate();
        if (upBytes < 0 || downBytes < 0) throw new ExperimentException("transfer model: byte counts must not be negative");
        if (handshakeRoundTrips < 0) throw new ExperimentException("transfer model: handshake round trips must not be negative");
        double rtt = link.RttMs, p = link.LossProbability, rate = link.RateBitsPerSecond;
        long nUp = (upBytes + o.SegmentPayload - 1) / o.SegmentPayload;
        long nDown = (downBytes + o.SegmentPayload - 1) / o.SegmentPayload;
        double linkBytes = upBytes + nUp * (double)o.SegmentHeader + downBytes + nDown * (double)o.SegmentHeader;
        double serialization = linkBytes * 8 / (rate * (1 - p)) * 1000;

        double stall = 0, segmentMs = o.SegmentPayload * 8.0 / rate * 1000;
        double window = (double)o.InitialWindowSegments * o.SegmentPayload, sent = 0;
        while (upBytes > 0)
        {
            sent += window;
            if (sent >= upBytes) break;
            stall += Math.Max(0, segmentMs + rtt - window * 8 / rate * 1000);
            window *= 2;
        }
        return new TransferEstimate(handshakeRoundTrips * rtt, serialization, stall, nUp * p * rtt, upBytes > 0 ? rtt : 0);
    }
}
