using SecureTransmit.Codec;
using SecureTransmit.Integration.Tests.Reliability.Support;
using SecureTransmit.Protos.V2;
using SecureTransmit.Security;
using Grpc.Core;
using SecureTransmit.Sender;
using Xunit.Abstractions;

namespace SecureTransmit.Integration.Tests.Reliability;

/// <summary>
/// Tampering with a real sealed packet. The bulk (every bit of the header, ciphertext and tag, plus random multi-byte
/// mutations and truncations: about 20,000 variants per cipher) runs through <see cref="Receiver.Internal.TransmitService"/>
/// in-process; a sample of 400 goes over real HTTP/2 (hand-framed requests) to a receiver host. Every variant must be rejected
/// (DATA_LOSS or INVALID_ARGUMENT, no receipt) and nothing may reach the output folder, while the untouched packet
/// is still accepted afterwards (rejections must not burn its sequence number).
/// </summary>
public sealed class TamperTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>One altered packet: which part was changed, and the three byte arrays as they go on the wire.</summary>
    private sealed record Variant(string Label, byte[] Header, byte[] Ciphertext, byte[] Tag);

    /// <summary>Hello, then the variant's begin, data (ciphertext, then the honest sealed metadata) and end.</summary>
    private static List<UploadRequest> Messages(Session session, SealedPacket honest, Variant v) =>
        [TransmitClient.Hello(session), .. TransmitClient.ImageMessages(v.Header, v.Ciphertext, LibrarySender.Metadata(session, honest), v.Tag)];

    [Theory]
    [InlineData(CipherModes.Logistic)]
    [InlineData(CipherModes.Aes256Gcm)]
    public async Task Every_bit_flip_and_random_mutation_is_rejected_in_process(string cipher)
    {
        using var world = World.Create();
        using var receiver = new InProcessReceiver(world);
        using var sender = new LibrarySender(Security.IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        var session = await receiver.OpenSessionAsync(sender, cipher).WaitAsync(Timeout);
        var packet = Packet.Seal(session, LibrarySender.Encode(World.Synthetic(128, 128, 5)), 1, Packet.NewImageId());

        var variants = Variants(packet, new Random(cipher.Length)).ToList();
        Assert.True(variants.Count >= 10_000, $"only {variants.Count} variants");
        var counts = new Dictionary<StatusCode, int>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        foreach (var v in variants)
        {
            var outcome = await receiver.UploadAsync(Messages(session, packet, v), Timeout);
            Assert.True(outcome.Status is StatusCode.DataLoss or StatusCode.InvalidArgument && outcome.Receipts.Count == 0,
                $"{v.Label} was not rejected: {outcome}");
            counts[outcome.Status] = counts.GetValueOrDefault(outcome.Status) + 1;
        }
        output.WriteLine($"{cipher}: {variants.Count} variants in {watch.Elapsed.TotalSeconds:0.0} s: " +
                         string.Join(", ", counts.Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.Empty(HostedReceiver.OutputFiles(world.Out));
        // Bit flips in the authenticated-only part of the header reach the tag check: both outcomes must occur.
        Assert.True(counts.GetValueOrDefault(StatusCode.DataLoss) > 1000, "too few variants reached authentication");

        var honest = await receiver.UploadAsync(LibrarySender.Call(session, packet), Timeout);
        Assert.Equal(StatusCode.OK, honest.Status);
        Assert.Single(honest.Receipts);
        var stored = HostedReceiver.OutputFiles(world.Out);
        Assert.Equal(2, stored.Length);
        var body = ReceiptBody.Parser.ParseFrom(Security.SessionChannel.OpenReceipt(session, 1, honest.Receipts[0].Sealed.Span));
        Assert.Equal(Path.ChangeExtension(body.StoredName, ".json"), stored[0]);
        Assert.Equal(body.StoredName, stored[1]);
    }

    [Fact]
    public async Task Sampled_variants_over_http2_are_rejected_and_nothing_is_stored()
    {
        using var world = World.Create();
        await using var host = await HostedReceiver.StartAsync(world);
        using var sender = new LibrarySender(Security.IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        using var client = sender.Client(HostedReceiver.Address(host));
        var session = await sender.OpenSessionAsync(client).WaitAsync(Timeout);
        var packet = Packet.Seal(session, LibrarySender.Encode(World.Synthetic(96, 64, 9)), 1, Packet.NewImageId());

        var all = Variants(packet, new Random(3)).ToList();
        var sample = all.Where((_, i) => i % (all.Count / 400) == 0).Take(400).ToList();
        int next = -1, rejected = 0;
        const string DataLoss = "15", InvalidArgument = "3";
        // Raw HTTP/2 requests carrying the whole packet at once: the status read back is exactly the one the receiver sent.
        using var raw = new RawHttp2(HostedReceiver.Address(host));
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        // Each rejected packet ends its stream, so eight streams run side by side.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < sample.Count;)
            {
                var v = sample[i];
                var outcome = await raw.CallAsync("/securetransmit.v2.Transmit/Upload", Messages(session, packet, v), Timeout);
                if (outcome.GrpcStatus is DataLoss or InvalidArgument && outcome.Http == System.Net.HttpStatusCode.OK) Interlocked.Increment(ref rejected);
                else failures.Add($"{v.Label}: {outcome}");
            }
        }))).WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(failures.IsEmpty, string.Join("\n", failures));
        Assert.Equal(sample.Count, rejected);
        Assert.Empty(HostedReceiver.OutputFiles(world.Out));

        var honest = await LibrarySender.UploadAsync(client, LibrarySender.Call(session, packet), Timeout);
        Assert.Equal(StatusCode.OK, honest.Status);
        Assert.Equal(2, HostedReceiver.OutputFiles(world.Out).Length);
        output.WriteLine($"{sample.Count} variants over HTTP/2 rejected; the original was then stored");
    }

    private static IEnumerable<Variant> Variants(SealedPacket p, Random rng)
    {
        byte[] h = p.HeaderBytes, c = p.Ciphertext, t = p.Tag;
        for (int bit = 0; bit < h.Length * 8; bit++) yield return new($"header bit {bit}", Flip(h, bit), c, t);
        for (int bit = 0; bit < c.Length * 8; bit++) yield return new($"ciphertext bit {bit}", h, Flip(c, bit), t);
        for (int bit = 0; bit < t.Length * 8; bit++) yield return new($"tag bit {bit}", h, c, Flip(t, bit));
        for (int n = 0; n < h.Length; n++) yield return new($"header cut to {n}", h[..n], c, t);
        for (int n = 1; n <= 8; n++) yield return new($"header +{n} bytes", [.. h, .. new byte[n]], c, t);
        for (int n = 0; n < t.Length; n++) yield return new($"tag cut to {n}", h, c, t[..n]);
        yield return new("tag +1 byte", h, c, [.. t, 0]);
        yield return new("ciphertext short by 1", h, c[..^1], t);
        yield return new("ciphertext long by 1", h, [.. c, 0], t);
        yield return new("no ciphertext", h, [], t);
        // Random multi-byte damage anywhere in header ‖ ciphertext ‖ tag.
        for (int i = 0; i < 2000; i++)
        {
            byte[] hh = (byte[])h.Clone(), cc = (byte[])c.Clone(), tt = (byte[])t.Clone();
            int hits = rng.Next(2, 9);
            for (int k = 0; k < hits; k++)
            {
                int pos = rng.Next(hh.Length + cc.Length + tt.Length);
                byte x = (byte)rng.Next(1, 256);
                if (pos < hh.Length) hh[pos] ^= x;
                else if ((pos -= hh.Length) < cc.Length) cc[pos] ^= x;
                else tt[pos - cc.Length] ^= x;
            }
            if (hh.AsSpan().SequenceEqual(h) && cc.AsSpan().SequenceEqual(c) && tt.AsSpan().SequenceEqual(t)) continue; // hits cancelled out
            yield return new($"random damage #{i}", hh, cc, tt);
        }
    }

    private static byte[] Flip(byte[] data, int bit)
    {
        var copy = (byte[])data.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}
