using SecureTransmit.Lab.Experiments;

namespace SecureTransmit.Lab.Tests;

/// <summary>The computed transfer time against values worked out by hand (segment payload 1448, header 52, IW 10).</summary>
public class BandwidthTransferModelTests
{
    [Fact]
    public void Small_transfer_on_a_slow_long_link_is_handshakes_plus_serialization_plus_one_rtt()
    {
        // 1 Mbit/s, 100 ms each way: RTT 200 ms. 10 000 B = 7 segments → 10 000 + 7·52 = 10 364 B on the link
        // = 82 912 bits = 82.912 ms. Fits the first window (14 480 B): no stall. No loss.
        // T = 2·200 + 82.912 + 0 + 0 + 200 = 682.912 ms.
        var e = TransferModel.Estimate(LinkProfile.Parse("1mbit:100ms:0%"), 10_000, 0, 2);
        Assert.Equal(400, e.HandshakeMs, 9);
        Assert.Equal(82.912, e.SerializationMs, 9);
        Assert.Equal(0, e.SlowStartStallMs, 9);
        Assert.Equal(0, e.LossRecoveryMs, 9);
        Assert.Equal(200, e.DeliveryMs, 9);
        Assert.Equal(682.912, e.TotalMs, 9);
    }

    [Fact]
    public void Larger_transfer_waits_for_slow_start_windows()
    {
        // 10 Mbit/s, 40 ms: RTT 80 ms, one segment 1.1584 ms. 100 000 B = 70 segments → 103 640 B = 82.912 ms.
        // Windows 14 480 B (11.584 ms): stall 1.1584 + 80 − 11.584 = 69.5744; 28 960 B (23.168 ms): stall 57.9904;
        // then 57 920 B finishes (14 480 + 28 960 + 57 920 ≥ 100 000). H = 3.
        // T = 240 + 82.912 + 127.5648 + 0 + 80 = 530.4768 ms.
        var e = TransferModel.Estimate(LinkProfile.Parse("10mbit:40ms:0%"), 100_000, 0, 3);
        Assert.Equal(127.5648, e.SlowStartStallMs, 9);
        Assert.Equal(530.4768, e.TotalMs, 9);
    }

    [Fact]
    public void Loss_inflates_serialization_and_adds_recovery_round_trips()
    {
        // 10 Mbit/s, 40 ms, 1 %: 20 000 B = 14 segments → 20 728 B = 165 824 bits / (10⁷ · 0.99) = 16.749899 ms;
        // one stall 69.5744; recovery 14 · 0.01 · 80 = 11.2; T = 160 + 16.749899 + 69.5744 + 11.2 + 80 = 337.524299 ms.
        var e = TransferModel.Estimate(LinkProfile.Parse("10mbit:40ms:1%"), 20_000, 0, 2);
        Assert.Equal(165_824 / 9.9e6 * 1000, e.SerializationMs, 9);
        Assert.Equal(11.2, e.LossRecoveryMs, 9);
        Assert.Equal(337.524299, e.TotalMs, 5);
    }

    [Fact]
    public void Downstream_bytes_cost_serialization_time_too()
    {
        // 3 000 B down = 3 segments → 3 156 B = 25.248 ms at 1 Mbit/s, on top of the upload-only time.
        var up = TransferModel.Estimate(LinkProfile.Parse("1mbit:100ms:0%"), 10_000, 0, 2);
        var both = TransferModel.Estimate(LinkProfile.Parse("1mbit:100ms:0%"), 10_000, 3_000, 2);
        Assert.Equal(25.248, both.TotalMs - up.TotalMs, 9);
    }

    [Fact]
    public void Rejects_negative_counts()
    {
        Assert.Throws<ExperimentException>(() => TransferModel.Estimate(LinkProfile.Parse("1mbit:1ms:0%"), -1, 0, 2));
        Assert.Throws<ExperimentException>(() => TransferModel.Estimate(LinkProfile.Parse("1mbit:1ms:0%"), 1, 0, -1));
    }
}
