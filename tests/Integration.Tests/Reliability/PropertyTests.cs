using System.Buffers.Binary;
using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using SecureTransmit.Codec;
using SecureTransmit.Integration.Tests.Reliability.Support;
using SecureTransmit.Protos.V2;
using SecureTransmit.Receiver.Internal;
using SecureTransmit.Security;
using Grpc.Core;
using SecureTransmit.Sender;
using Xunit.Abstractions;

namespace SecureTransmit.Integration.Tests.Reliability;

/// <summary>
/// Properties (FsCheck) and a bounded random-mutation loop over captured packets. Stated contract:
/// <list type="bullet">
/// <item><see cref="PacketHeader.Parse"/> returns a header that writes back to the same bytes, or throws
/// <see cref="CodecException"/> with a message; it allocates at most 2 KiB plus the input's length and never hangs.</item>
/// <item>The Upload handler ends every stream with OK or an <see cref="RpcException"/> carrying one of the statuses the
/// service documents; nothing else escapes. What it allocates for an image is bounded by what arrived, not by what the
/// header claims: at most 64 KiB plus twice the ciphertext received, plus a fixed 256 KiB per stream for the rest.</item>
/// </list>
/// </summary>
public sealed class PropertyTests(ITestOutputHelper output)
{
    private static readonly StatusCode[] Documented =
    [
        StatusCode.InvalidArgument, StatusCode.DataLoss, StatusCode.AlreadyExists, StatusCode.Unauthenticated,
        StatusCode.FailedPrecondition, StatusCode.ResourceExhausted, StatusCode.DeadlineExceeded,
    ];

    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(1000);

    [Fact]
    public void Parse_of_arbitrary_bytes_throws_only_codec_errors_within_its_allocation_bound()
    {
        Check.One(Config, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ParseKeepsItsContract));
        // Arbitrary bytes rarely get past the magic: also start from "STX1", version 1.
        Check.One(Config, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), tail => ParseKeepsItsContract([0x53, 0x54, 0x58, 0x31, 1, .. tail])));
    }

    [Fact]
    public void Parse_of_headers_with_arbitrary_field_values_throws_only_codec_errors()
    {
        // A valid header, then zero, one or two of its fields broken (each in one of several ways), so that both the
        // success path and every validation branch are exercised, alone and in combination.
        var validFields =
            from cipher in Gen.Elements(1, 2)
            from flags in Gen.Elements(0, 1)
            from width in Gen.Choose(1, 4096)
            from height in Gen.Choose(1, 4096)
            from tile in Gen.Choose(1, 1024)
            from latent in Gen.Choose(1, 255)
            from scale in Gen.Elements(1f, 0.25f, 1e30f, float.Epsilon)
            from offset in Gen.Elements(0f, -3.5f, 1e20f)
            from keyBlock in Gen.Choose(0, 1024)
            let columns = (width + tile - 1) / tile
            let rows = (height + tile - 1) / tile
            select new Fields(cipher, flags, width, height, tile, columns, rows, 3, 1, latent, scale, offset, keyBlock,
                (uint)Math.Min(uint.MaxValue, (long)columns * rows * latent));
        var fields =
            from f in validFields
            from breaks in Gen.Choose(0, 2)
            from first in Gen.Choose(0, 13)
            from second in Gen.Choose(0, 13)
            from how in Gen.Choose(0, 3)
            select Write(Break(Break(f, breaks >= 1 ? first : -1, how), breaks >= 2 ? second : -1, how + 1));
        int valid = 0;
        Check.One(Config.WithMaxTest(3000), Prop.ForAll(Arb.From(fields), bytes =>
        {
            if (!ParseKeepsItsContract(bytes, out bool parsed)) return false;
            if (parsed) valid++;
            return true;
        }));
        output.WriteLine($"{valid} of 3000 generated headers were valid");
        Assert.True(valid >= 300, $"only {valid} generated headers passed validation: the property barely tested the success path");
    }

    [Fact]
    public void Parse_of_mutated_real_headers_throws_only_codec_errors()
    {
        var header = RealHeader();
        var mutations = Gen.ArrayOf(Gen.Zip(Gen.Choose(0, header.Length - 1), Gen.Choose(0, 255)));
        Check.One(Config.WithMaxTest(3000), Prop.ForAll(Arb.From(mutations), changes =>
        {
            var h = (byte[])header.Clone();
            foreach (var (pos, value) in changes) h[pos] = (byte)value;
            return ParseKeepsItsContract(h);
        }));
    }

    [Fact]
    public async Task Upload_streams_of_arbitrary_chunks_end_with_documented_statuses_only()
    {
        using var world = World.Create();
        using var receiver = new InProcessReceiver(world);
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        var session = await receiver.OpenSessionAsync(sender).WaitAsync(TimeSpan.FromSeconds(30));
        var packet = Packet.Seal(session, LibrarySender.Encode(World.Synthetic(64, 64, 1)), 1, Packet.NewImageId());
        var honest = LibrarySender.Chunks(session, packet);
        var metadata = LibrarySender.Metadata(session, packet);

        // Pieces a stream may be made of: honest ones, damaged ones, and ones from nowhere.
        var begins = Gen.OneOf(
            Gen.Constant(honest[0]),
            Gen.Zip(Gen.Choose(0, packet.HeaderBytes.Length - 1), Gen.Choose(1, 255)).Select(m =>
            {
                var h = (byte[])packet.HeaderBytes.Clone();
                h[m.Item1] ^= (byte)m.Item2;
                return Begin(h, (ulong)packet.Ciphertext.Length, (uint)metadata.Length);
            }),
            ArbMap.Default.GeneratorFor<byte[]>().Select(h => Begin(h, 0, 16)),
            Gen.Elements(0u, 15u, 16u, 1u << 30).Select(m => Begin(packet.HeaderBytes, (ulong)packet.Ciphertext.Length, m)),
            Gen.Elements(4096, 1 << 20, 1 << 24).Select(n => Begin(packet.HeaderBytes, (ulong)n, (uint)metadata.Length)));
        var pieces = Gen.OneOf(
            begins,
            Gen.Constant(honest[1]),
            Gen.Constant(honest[2]),
            Gen.Choose(0, 70_000).Select(n => new UploadRequest { Data = ByteString.CopyFrom(new byte[n]) }),
            ArbMap.Default.GeneratorFor<byte[]>().Select(t => new UploadRequest { End = new ImageEnd { Tag = ByteString.CopyFrom(t) } }),
            Gen.Constant(new UploadRequest()));
        // Two streams in three start with a begin, so most get past the first check.
        var streams = Gen.OneOf(
            Gen.NonEmptyListOf(pieces).Select(l => l.ToArray()),
            from b in begins from rest in Gen.ListOf(pieces) select (UploadRequest[])[b, .. rest],
            from b in begins from rest in Gen.ListOf(pieces) select (UploadRequest[])[b, .. rest]);

        int ok = 0;
        var seen = new Dictionary<StatusCode, int>();
        Check.One(Config.WithMaxTest(1500), Prop.ForAll(Arb.From(streams), messages =>
        {
            var outcome = receiver.UploadAsync([TransmitClient.Hello(session), .. messages], TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            lock (seen) seen[outcome.Status] = seen.GetValueOrDefault(outcome.Status) + 1;
            if (outcome.Status == StatusCode.OK) { ok++; return true; }
            return Documented.Contains(outcome.Status) && outcome.Detail.Length > 0 && !outcome.Detail.Contains("   at ", StringComparison.Ordinal);
        }));
        output.WriteLine($"{ok} stream(s) accepted; statuses: " + string.Join(", ", seen.Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.True(seen.Count >= 3, "the generator explored too few outcomes");
    }

    [Fact]
    public async Task Random_mutations_of_captured_upload_messages_end_with_documented_statuses_within_the_allocation_bound()
    {
        using var world = World.Create();
        using var receiver = new InProcessReceiver(world);
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        var session = await receiver.OpenSessionAsync(sender).WaitAsync(TimeSpan.FromSeconds(30));
        var packet = Packet.Seal(session, LibrarySender.Encode(World.Synthetic(160, 96, 2)), 1, Packet.NewImageId());
        var captured = LibrarySender.Chunks(session, packet).Select(m => m.ToByteArray()).ToArray();

        var rng = new Random(20240601);
        var watch = Stopwatch.StartNew();
        int parsedStreams = 0, unparsable = 0;
        for (int iteration = 0; iteration < 3000; iteration++)
        {
            var wire = captured.Select(b => rng.Next(3) == 0 ? Mutate(b, rng) : b).ToList();
            if (rng.Next(8) == 0) wire.RemoveAt(rng.Next(wire.Count));
            if (rng.Next(8) == 0) wire.Insert(rng.Next(wire.Count + 1), Mutate(captured[rng.Next(captured.Length)], rng));
            List<UploadRequest> messages;
            try
            {
                messages = [TransmitClient.Hello(session), .. wire.Select(b => UploadRequest.Parser.ParseFrom(b))];
            }
            catch (InvalidProtocolBufferException)
            {
                unparsable++; // the gRPC layer answers INTERNAL before the handler runs (HostileInputTests shows it)
                continue;
            }
            parsedStreams++;
            long received = messages.Where(m => m.PartCase == UploadRequest.PartOneofCase.Data).Sum(m => (long)m.Data.Length);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var run = receiver.UploadAsync(messages, TimeSpan.FromSeconds(10));
            // Rejections never leave the calling thread (no await actually waits), so the thread's counter saw it all.
            bool synchronous = run.IsCompleted;
            var outcome = await run;
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (outcome.Status == StatusCode.OK) continue; // an unharmed stream (mutations that changed nothing meaningful)
            Assert.True(Documented.Contains(outcome.Status), $"iteration {iteration}: {outcome}");
            if (synchronous)
            {
                long bound = InitialBuffer + 2 * received + 256 * 1024;
                Assert.True(allocated <= bound, $"iteration {iteration}: {allocated:N0} bytes allocated for {received:N0} received (bound {bound:N0}); {outcome}");
            }
        }
        output.WriteLine($"{parsedStreams} mutated streams handled, {unparsable} unparsable, in {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.True(parsedStreams > 1000);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_header_claiming_megabytes_costs_only_what_actually_arrives()
    {
        using var world = World.Create();
        using var receiver = new InProcessReceiver(world);
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        var session = await receiver.OpenSessionAsync(sender).WaitAsync(TimeSpan.FromSeconds(30));
        var packet = Packet.Seal(session, LibrarySender.Encode(World.Synthetic(64, 64, 3)), 1, Packet.NewImageId());
        // The model's own geometry at 4096×4096: 16,384 tiles × 128 bytes = 2 MiB announced; 100 bytes sent.
        var claim = (packet.Header with { Width = 4096, Height = 4096 }).ToBytes();
        UploadRequest[] messages =
        [
            TransmitClient.Hello(session, 1),
            Begin(claim, 2u << 20, 16),
            new() { Data = ByteString.CopyFrom(new byte[100]) },
            new() { End = new ImageEnd { Tag = ByteString.CopyFrom(new byte[16]) } },
        ];
        await receiver.UploadAsync(messages, TimeSpan.FromSeconds(10)); // warm up
        messages[0] = TransmitClient.Hello(session, 2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var run = receiver.UploadAsync(messages, TimeSpan.FromSeconds(10));
        Assert.True(run.IsCompleted);
        var outcome = await run;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{outcome}; allocated {allocated:N0} bytes");
        Assert.Equal(StatusCode.InvalidArgument, outcome.Status);
        Assert.True(allocated < 256 * 1024, $"{allocated:N0} bytes allocated for a 100-byte image claiming 2 MiB");
    }

    private const int InitialBuffer = 64 * 1024;

    private static UploadRequest Begin(byte[] header, ulong ciphertextLength, uint metadataLength) => new()
    {
        Begin = new ImageBegin { PacketHeader = ByteString.CopyFrom(header), CiphertextLength = ciphertextLength, MetadataLength = metadataLength },
    };

    /// <summary>Parse's contract for one input (see the class summary).</summary>
    private static bool ParseKeepsItsContract(byte[] input) => ParseKeepsItsContract(input, out _);

    private static bool ParseKeepsItsContract(byte[] input, out bool parsedOk)
    {
        var watch = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        PacketHeader? parsed = null;
        try
        {
            parsed = PacketHeader.Parse(input, maxPixels: 4096L * 4096);
        }
        catch (CodecException e) when (e.Message.Length > 0)
        {
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > 2048 + input.Length)
            throw new Xunit.Sdk.XunitException($"Parse allocated {allocated} bytes for {input.Length} input bytes");
        if (watch.Elapsed > TimeSpan.FromSeconds(1)) throw new Xunit.Sdk.XunitException($"Parse took {watch.Elapsed}");
        parsedOk = parsed is not null;
        return parsed is null || parsed.ToBytes().AsSpan().SequenceEqual(input);
    }

    private sealed record Fields(int Cipher, int Flags, int Width, int Height, int Tile, int Columns, int Rows, int Color, int Kind,
        int Latent, float Scale, float Offset, int KeyBlock, uint Length);

    /// <summary>Breaks one field (-1: none) in one of four ways.</summary>
    private static Fields Break(Fields f, int field, int how) => field switch
    {
        0 => f with { Cipher = new[] { 0, 3, 255, 128 }[how % 4] },
        1 => f with { Flags = new[] { 2, 0x8000, 0xFFFF, 3 }[how % 4] },
        2 => f with { Width = new[] { 0, -1, int.MaxValue, 65536 }[how % 4] },
        3 => f with { Height = new[] { 0, int.MinValue, 5000, 1 << 24 }[how % 4] },
        4 => f with { Tile = new[] { 0, 1025, 65535, f.Tile + 1 }[how % 4] },
        5 => f with { Columns = new[] { f.Columns + 1, 0, 65535, f.Columns - 1 }[how % 4] },
        6 => f with { Rows = new[] { f.Rows + 1, 0, 65535, f.Rows * 2 }[how % 4] },
        7 => f with { Color = new[] { 0, 2, 4, 255 }[how % 4] },
        8 => f with { Kind = new[] { 0, 3, 16, 255 }[how % 4] },
        9 => f with { Latent = new[] { 0, -1, (1 << 20) + 1, int.MaxValue }[how % 4] },
        10 => f with { Scale = new[] { 0f, -1f, float.NaN, float.PositiveInfinity }[how % 4] },
        11 => f with { Offset = new[] { float.NaN, float.NegativeInfinity, float.PositiveInfinity, float.NaN }[how % 4] },
        12 => f with { KeyBlock = new[] { 1025, 65535, 2048, 1100 }[how % 4] },
        13 => f with { Length = new[] { f.Length + 1, 0u, uint.MaxValue, f.Length / 2 }[how % 4] },
        _ => f,
    };

    /// <summary>A header written from SECURITY.md's layout (offsets in <see cref="PacketHeader"/>'s documentation).</summary>
    private static byte[] Write(Fields f)
    {
        var b = new byte[110 + f.KeyBlock + 4];
        var s = b.AsSpan();
        "STX1"u8.CopyTo(s);
        s[4] = 2;
        s[5] = (byte)f.Cipher;
        BinaryPrimitives.WriteUInt16BigEndian(s[6..], (ushort)f.Flags);
        BinaryPrimitives.WriteUInt64BigEndian(s[56..], 1);
        BinaryPrimitives.WriteUInt32BigEndian(s[64..], (uint)f.Width);
        BinaryPrimitives.WriteUInt32BigEndian(s[68..], (uint)f.Height);
        BinaryPrimitives.WriteUInt16BigEndian(s[72..], (ushort)f.Tile);
        BinaryPrimitives.WriteUInt16BigEndian(s[74..], (ushort)f.Columns);
        BinaryPrimitives.WriteUInt16BigEndian(s[76..], (ushort)f.Rows);
        s[78] = (byte)f.Color;
        s[79] = (byte)f.Kind;
        BinaryPrimitives.WriteUInt32BigEndian(s[80..], (uint)f.Latent);
        BinaryPrimitives.WriteSingleBigEndian(s[84..], f.Scale);
        BinaryPrimitives.WriteSingleBigEndian(s[88..], f.Offset);
        BinaryPrimitives.WriteUInt16BigEndian(s[108..], (ushort)f.KeyBlock);
        BinaryPrimitives.WriteUInt32BigEndian(s[(110 + f.KeyBlock)..], f.Length);
        return b;
    }

    private static byte[] RealHeader()
    {
        var session = SessionForTests();
        return Packet.Seal(session, new EncodedImage(100, 70, 32, 128, new Quantizer.Range(0.5f, -1f), new byte[4 * 3 * 128]), 7, Packet.NewImageId()).HeaderBytes;
    }

    private static Session SessionForTests()
    {
        // A real session (handshake in memory) only to seal one header.
        using var world = World.Create();
        using var receiver = new InProcessReceiver(world);
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        return receiver.OpenSessionAsync(sender).GetAwaiter().GetResult();
    }

    private static byte[] Mutate(byte[] original, Random rng)
    {
        var data = new List<byte>(original);
        int edits = rng.Next(1, 6);
        for (int i = 0; i < edits; i++)
        {
            switch (rng.Next(5))
            {
                case 0 when data.Count > 0: data[rng.Next(data.Count)] ^= (byte)(1 << rng.Next(8)); break;
                case 1 when data.Count > 0: data[rng.Next(data.Count)] = (byte)rng.Next(256); break;
                case 2: data.Insert(rng.Next(data.Count + 1), (byte)rng.Next(256)); break;
                case 3 when data.Count > 0: data.RemoveAt(rng.Next(data.Count)); break;
                case 4 when data.Count > 1: data.RemoveRange(rng.Next(data.Count / 2, data.Count), 1); break;
            }
        }
        return [.. data];
    }
}
