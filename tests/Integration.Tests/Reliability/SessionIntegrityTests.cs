using Google.Protobuf;
using Grpc.Core;
using SecureTransmit.Codec;
using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Integration.Tests.Reliability.Support;
using SecureTransmit.Protos.V2;
using SecureTransmit.Receiver;
using SecureTransmit.Security;
using SecureTransmit.Sender;
using Xunit.Abstractions;

namespace SecureTransmit.Integration.Tests.Reliability;

/// <summary>
/// Issue 10's findings M3 (unauthenticated metadata and receipts), M4 (files deleted on start), M5 (cipher choice)
/// and the Lows, each shown with the attack or the situation that exposed it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SessionIntegrityTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task M3_changed_or_transplanted_metadata_is_rejected_and_nothing_is_stored()
    {
        using var world = World.Create();
        using var receiver = new InProcessReceiver(world);
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        var session = await receiver.OpenSessionAsync(sender).WaitAsync(Timeout);
        var p1 = Packet.Seal(session, LibrarySender.Encode(World.Synthetic(64, 64, 1)), 1, Packet.NewImageId());
        var p2 = Packet.Seal(session, LibrarySender.Encode(World.Synthetic(64, 64, 2)), 2, Packet.NewImageId());
        var meta = LibrarySender.Metadata(session, p1, "holiday.png");

        var cases = new List<(string, byte[])>();
        for (int i = 0; i < meta.Length; i += 3)
        {
            var m = (byte[])meta.Clone();
            m[i] ^= 0x20; // e.g. a renamed file, a swapped demo original: any change
            cases.Add(($"metadata byte {i}", m));
        }
        cases.Add(("metadata of image 2 on image 1", LibrarySender.Metadata(session, p2, "holiday.png")));
        foreach (var (label, m) in cases)
        {
            var o = await receiver.UploadAsync([TransmitClient.Hello(session), .. TransmitClient.ImageMessages(p1.HeaderBytes, p1.Ciphertext, m, p1.Tag)], Timeout);
            Assert.True(o.Status == StatusCode.DataLoss, $"{label}: {o}");
        }
        Assert.Empty(HostedReceiver.OutputFiles(world.Out));
        output.WriteLine($"{cases.Count} altered metadata blocks rejected with DATA_LOSS");
    }

    [Fact]
    public async Task M3_the_sender_refuses_forged_altered_reordered_and_foreign_receipts()
    {
        using var world = World.Create();
        using var receiver = new InProcessReceiver(world);
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        var session = await receiver.OpenSessionAsync(sender).WaitAsync(Timeout);
        var other = await receiver.OpenSessionAsync(sender).WaitAsync(Timeout);
        var p1 = Packet.Seal(session, LibrarySender.Encode(World.Synthetic(64, 64, 1)), 1, Packet.NewImageId());
        var p2 = Packet.Seal(session, LibrarySender.Encode(World.Synthetic(64, 64, 2)), 2, Packet.NewImageId());
        var genuine = (await receiver.UploadAsync(LibrarySender.Call(session, p1, p2), Timeout)).Receipts;
        Assert.Equal(2, genuine.Count);
        var po = Packet.Seal(other, LibrarySender.Encode(World.Synthetic(64, 64, 3)), 1, Packet.NewImageId());
        var foreign = (await receiver.UploadAsync(LibrarySender.Call(other, po), Timeout)).Receipts[0];

        // Each receipt stream is read by the product's UploadCall, expecting images 1 and 2 in that order.
        async Task<string> Read(params Receipt[] receipts)
        {
            var call = new AsyncDuplexStreamingCall<UploadRequest, Receipt>(new NullWriter(), new ListReader<Receipt>(receipts),
                Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
            using var upload = new UploadCall(session, call);
            await upload.SendAsync(p1, 1, p1.Header.ImageId, new ImageInfo("a.png", 0));
            await upload.SendAsync(p2, 2, p2.Header.ImageId, new ImageInfo("b.png", 0));
            try
            {
                var names = new List<string>();
                while (await upload.ReadReceiptAsync() is { } body) names.Add(body.StoredName);
                return "accepted " + string.Join(",", names);
            }
            catch (IntegrityException e)
            {
                return "refused: " + e.Message;
            }
        }

        Assert.StartsWith("accepted 000001-img,", (await Read(genuine[0], genuine[1])).Replace(".png", ""));
        var forgedName = genuine[0].Clone();
        var bytes = forgedName.Sealed.ToByteArray();
        bytes[10] ^= 1; // "stored as …-forged.png"
        forgedName.Sealed = ByteString.CopyFrom(bytes);
        Assert.StartsWith("refused", await Read(forgedName, genuine[1]));
        Assert.StartsWith("refused", await Read(genuine[1], genuine[0])); // reordered
        Assert.StartsWith("refused", await Read(genuine[0], new Receipt { Sequence = 2, Sealed = genuine[0].Sealed })); // sequence relabelled
        Assert.StartsWith("refused", await Read(foreign)); // another session's receipt
        Assert.StartsWith("refused", await Read(new Receipt { Sequence = 1, Sealed = ByteString.CopyFrom(new byte[40]) }));
    }

    [Fact]
    public async Task M4_start_up_removes_only_its_own_leftovers_and_never_a_users_file()
    {
        using var world = World.Create();
        Directory.CreateDirectory(world.Out);
        string[] users = ["holiday.png", "notes.json", "thesis.tmp", "000009-orphan.png", "000010-x.json", ".hidden.partial"];
        foreach (var f in users) File.WriteAllText(Path.Combine(world.Out, f), "mine");
        // Our own interrupted commit: the sidecar's temporary (written before the PNG's rename) and the renamed PNG.
        File.WriteAllText(Path.Combine(world.Out, ".securetransmit-000003-a.json.0123abcd.partial"), "{");
        File.WriteAllText(Path.Combine(world.Out, "000003-a.png"), "partial");
        File.WriteAllText(Path.Combine(world.Out, ".securetransmit-000004-b.png.89abcdef.partial"), "half");
        // A symlink with our temporary's name pointing at a user's file: removed as a link, the target untouched.
        var victim = world["victim.txt"];
        File.WriteAllText(victim, "precious");
        File.CreateSymbolicLink(Path.Combine(world.Out, ".securetransmit-000005-c.json.00000000.partial"), victim);

        await using (var host = await HostedReceiver.StartAsync(world)) { }
        var left = HostedReceiver.OutputFiles(world.Out);
        output.WriteLine(string.Join(", ", left));
        foreach (var f in users) Assert.Equal("mine", File.ReadAllText(Path.Combine(world.Out, f)));
        Assert.DoesNotContain("000003-a.png", left);
        Assert.DoesNotContain(".securetransmit-000003-a.json.0123abcd.partial", left);
        Assert.DoesNotContain(".securetransmit-000004-b.png.89abcdef.partial", left);
        Assert.Equal("precious", File.ReadAllText(victim));
    }

    [Theory]
    [InlineData(false, "600", "700")]
    [InlineData(true, "644", "755")]
    public async Task Low_stored_files_are_owner_only_unless_relaxed(bool shared, string fileMode, string dirMode)
    {
        using var world = World.Create();
        await using var host = await HostedReceiver.StartAsync(world, configure: o => o.SharedOutputPermissions = shared);
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        using var client = sender.Client(HostedReceiver.Address(host));
        var session = await sender.OpenSessionAsync(client).WaitAsync(Timeout);
        var p = Packet.Seal(session, LibrarySender.Encode(World.Synthetic(64, 64, 1)), 1, Packet.NewImageId());
        Assert.Equal(StatusCode.OK, (await LibrarySender.UploadAsync(client, LibrarySender.Call(session, p), Timeout)).Status);
        static string Mode(UnixFileMode m) => Convert.ToString((int)m, 8);
        Assert.Equal(dirMode, Mode(File.GetUnixFileMode(world.Out)));
        var files = Directory.GetFiles(world.Out);
        Assert.Equal(2, files.Length);
        Assert.All(files, f => Assert.Equal(fileMode, Mode(File.GetUnixFileMode(f))));
    }

    [Fact]
    public async Task M5_a_receiver_accepts_only_the_cipher_modes_it_was_told_to_and_aes_256_gcm_by_default()
    {
        using var world = World.Create();
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        await using (var strict = await HostedReceiver.StartAsync(world))
        {
            using var client = sender.Client(HostedReceiver.Address(strict));
            var e = await Assert.ThrowsAsync<RpcException>(() => sender.OpenSessionAsync(client, CipherModes.Logistic).WaitAsync(Timeout));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.Contains("'logistic' is not supported here (supported: aes-256-gcm)", e.Status.Detail);
            await sender.OpenSessionAsync(client, CipherModes.Aes256Gcm).WaitAsync(Timeout);
        }
        await using var both = await HostedReceiver.StartAsync(world, configure: o => o.Ciphers = [CipherModes.Aes256Gcm, CipherModes.Logistic]);
        using var client2 = sender.Client(HostedReceiver.Address(both));
        var s = await sender.OpenSessionAsync(client2, CipherModes.Logistic).WaitAsync(Timeout);
        Assert.Equal(CipherModes.Logistic, s.CipherMode);
        Assert.Throws<ArgumentException>(() => new ReceiverOptions { Ciphers = ["paper-logistic"] }.Validate());
    }

    [Theory]
    [InlineData(255, StatusCode.OK)]
    [InlineData(256, StatusCode.InvalidArgument)]
    [InlineData(16 << 20, StatusCode.InvalidArgument)]
    public async Task Low_display_names_are_capped_at_255_utf8_bytes(int bytes, StatusCode expected)
    {
        using var world = World.Create();
        using var receiver = new InProcessReceiver(world);
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        var session = await receiver.OpenSessionAsync(sender).WaitAsync(Timeout);
        var p = Packet.Seal(session, LibrarySender.Encode(World.Synthetic(64, 64, 1)), 1, Packet.NewImageId());
        var name = new string('é', bytes / 2) + (bytes % 2 == 1 ? "x" : "");
        var meta = SessionChannel.SealMetadata(session, 1, p.HeaderBytes, new ImageMetadata { FileName = name }.ToByteArray());
        var o = await receiver.UploadAsync([TransmitClient.Hello(session), .. TransmitClient.ImageMessages(p.HeaderBytes, p.Ciphertext, meta, p.Tag)], Timeout);
        Assert.Equal(expected, o.Status);
        if (expected != StatusCode.OK) Assert.Contains("255 UTF-8 bytes", o.Detail);
    }

    [Fact]
    public async Task Low_allow_revoke_and_list_apply_to_a_running_receiver_without_restart()
    {
        using var world = World.Create();
        await using var host = await HostedReceiver.StartAsync(world);
        using var stranger = new LibrarySender(IdentityFile.Load(world.StrangerKey), world.ReceiverFingerprint);
        using var client = stranger.Client(HostedReceiver.Address(host));
        var e = await Assert.ThrowsAsync<RpcException>(() => stranger.OpenSessionAsync(client).WaitAsync(Timeout));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);

        var allow = await ChildProcess.RunDotnetAsync(Repo.ReceiverDll, ["allow", world.StrangerFingerprint.Hex, "--allow", world.AllowList, "--name", "laptop"], Timeout);
        Assert.True(allow.ExitCode == 0, allow.ToString());
        Assert.Equal("600", Convert.ToString((int)File.GetUnixFileMode(world.AllowList), 8));
        await stranger.OpenSessionAsync(client).WaitAsync(Timeout); // no restart

        var list = await ChildProcess.RunDotnetAsync(Repo.ReceiverDll, ["list", "--allow", world.AllowList], Timeout);
        Assert.Contains(world.StrangerFingerprint.Hex + " laptop", list.StdOut);
        Assert.Contains(world.SenderFingerprint.Hex, list.StdOut);

        var badName = await ChildProcess.RunDotnetAsync(Repo.ReceiverDll, ["allow", world.SenderFingerprint.Hex, "--allow", world.AllowList, "--name", "x\n" + world.StrangerFingerprint.Hex], Timeout);
        Assert.NotEqual(0, badName.ExitCode);

        var revoke = await ChildProcess.RunDotnetAsync(Repo.ReceiverDll, ["revoke", world.StrangerFingerprint.Hex, "--allow", world.AllowList], Timeout);
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        // The file's modification time has a coarse clock on some file systems: give the change a moment to be seen.
        await Task.Delay(50);
        e = await Assert.ThrowsAsync<RpcException>(() => stranger.OpenSessionAsync(client).WaitAsync(Timeout));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
    }

    [Fact]
    public void Low_a_non_loopback_dashboard_or_h2c_binding_is_refused_unless_asked_for()
    {
        var any = System.Net.IPAddress.Any;
        var dash = Assert.Throws<ArgumentException>(() => new ReceiverOptions { Dashboard = new(any, 8080) }.Validate());
        Assert.Contains("--dashboard-public", dash.Message);
        var h2c = Assert.Throws<ArgumentException>(() => new ReceiverOptions { Listen = new(any, 50443), InsecureH2c = true }.Validate());
        Assert.Contains("--h2c-public", h2c.Message);
        new ReceiverOptions { Dashboard = new(any, 8080), DashboardPublic = true }.Validate();
        new ReceiverOptions { Listen = new(any, 50443), InsecureH2c = true, H2cPublic = true }.Validate();
        new ReceiverOptions { Listen = new(any, 50443) }.Validate(); // TLS on any address is fine
    }

    private sealed class NullWriter : IClientStreamWriter<UploadRequest>
    {
        public WriteOptions? WriteOptions { get; set; }
        public Task WriteAsync(UploadRequest message) => Task.CompletedTask;
        public Task CompleteAsync() => Task.CompletedTask;
    }
}
