using SecureTransmit.Codec;
using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Integration.Tests.Reliability.Support;
using SecureTransmit.Protos.V1;
using SecureTransmit.Security;
using SecureTransmit.Wire;
using Xunit.Abstractions;

namespace SecureTransmit.Integration.Tests.Reliability;

/// <summary>
/// Who may talk to whom: a sender that is not allowed, a receiver that is not the pinned one (over TLS and over
/// h2c), expired, unknown and foreign sessions, and a captured stream replayed on its session.
/// Statuses of early rejections are read from hand-framed HTTP/2 requests, so they are exactly what the receiver sent.
/// </summary>
public sealed class ImpersonationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string Unauthenticated = "16", InvalidArgument = "3", AlreadyExists = "6";

    [Fact]
    public async Task A_sender_not_on_the_allow_list_is_refused_with_permission_denied()
    {
        using var world = World.Create();
        await using var host = await HostedReceiver.StartAsync(world);
        using var client = LibrarySender.Client(HostedReceiver.Address(host));
        using var stranger = new LibrarySender(IdentityFile.Load(world.StrangerKey), world.ReceiverFingerprint);
        var e = await Assert.ThrowsAsync<RpcException>(() => stranger.OpenSessionAsync(client).WaitAsync(Timeout));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);

        var images = world.MakeImages("in", 2);
        var r = await SendCli(world, images, HostedReceiver.Address(host), world.ReceiverFingerprint, world.StrangerKey, h2c: true);
        output.WriteLine(r.ToString());
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("refused this sender", r.StdErr);
        Assert.Contains(world.StrangerFingerprint.Hex, r.StdErr); // the message tells the operator what to allow
        Assert.Empty(HostedReceiver.OutputFiles(world.Out));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_sender_refuses_a_receiver_that_is_not_the_pinned_one(bool h2c)
    {
        using var world = World.Create();
        await using var host = await HostedReceiver.StartAsync(world, h2c);
        var images = world.MakeImages("in", 2);
        // The stranger's fingerprint stands for "the receiver I meant to reach"; the one answering is someone else.
        var r = await SendCli(world, images, HostedReceiver.Address(host), world.StrangerFingerprint, world.SenderKey, h2c);
        output.WriteLine(r.ToString());
        Assert.Equal(3, r.ExitCode);
        // Over TLS the pin fails before any gRPC byte is sent; over h2c the signed handshake names the wrong identity.
        Assert.Contains(h2c ? "receiver failed authentication" : "does not match the pinned fingerprint", r.StdErr);
        Assert.DoesNotContain("retrying", r.StdErr); // an impostor does not become the right receiver by trying again
        Assert.Empty(HostedReceiver.OutputFiles(world.Out));
    }

    [Fact]
    public async Task Expired_unknown_malformed_and_foreign_sessions_are_refused()
    {
        using var world = World.Create();
        await using var host = await HostedReceiver.StartAsync(world, configure: o => o.SessionLifetime = TimeSpan.FromSeconds(2));
        using var client = LibrarySender.Client(HostedReceiver.Address(host));
        using var raw = new RawHttp2(HostedReceiver.Address(host));
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        var session = await sender.OpenSessionAsync(client).WaitAsync(Timeout);
        var other = await sender.OpenSessionAsync(client).WaitAsync(Timeout);
        var latent = LibrarySender.Encode(World.Synthetic(64, 64, 3));

        // A packet sealed for one session, announced on another live one.
        var p = Packet.Seal(session, latent, 1, Packet.NewImageId());
        var foreign = await raw.CallAsync(TransmitMethods.Upload.FullName, LibrarySender.Chunks(other.SessionId, p.HeaderBytes, p.Ciphertext, p.Tag), Timeout);
        Assert.Equal(InvalidArgument, foreign.GrpcStatus);
        Assert.Contains("another session", foreign.GrpcMessage);

        // A session id the receiver never issued, and one of the wrong length.
        var unknown = await raw.CallAsync(TransmitMethods.Upload.FullName, LibrarySender.Chunks(Packet.NewImageId(), p.HeaderBytes, p.Ciphertext, p.Tag), Timeout);
        Assert.Equal(Unauthenticated, unknown.GrpcStatus);
        var shortId = await raw.CallAsync(TransmitMethods.Upload.FullName, LibrarySender.Chunks([1, 2, 3], p.HeaderBytes, p.Ciphertext, p.Tag), Timeout);
        Assert.Equal(InvalidArgument, shortId.GrpcStatus);

        // The packet itself is fine while the session lives ...
        var ok = await LibrarySender.UploadAsync(client, LibrarySender.Chunks(session, p), Timeout);
        Assert.Equal(StatusCode.OK, ok.Status);

        // ... and refused once it expired.
        var wait = session.Expires - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var p2 = Packet.Seal(session, latent, 2, Packet.NewImageId());
        var expired = await raw.CallAsync(TransmitMethods.Upload.FullName, LibrarySender.Chunks(session.SessionId, p2.HeaderBytes, p2.Ciphertext, p2.Tag), Timeout);
        output.WriteLine($"expired: {expired}; unknown: {unknown}; foreign: {foreign}");
        Assert.Equal(Unauthenticated, expired.GrpcStatus);
        Assert.Contains("expired", expired.GrpcMessage);
        Assert.Single(Directory.GetFiles(world.Out, "*.json"));
    }

    [Fact]
    public async Task A_captured_stream_replayed_on_its_session_is_refused_with_already_exists()
    {
        using var world = World.Create();
        await using var host = await HostedReceiver.StartAsync(world);
        using var client = LibrarySender.Client(HostedReceiver.Address(host));
        using var raw = new RawHttp2(HostedReceiver.Address(host));
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        var session = await sender.OpenSessionAsync(client).WaitAsync(Timeout);

        var captured = new List<UploadChunk>();
        for (ulong seq = 1; seq <= 3; seq++)
            captured.AddRange(LibrarySender.Chunks(session, Packet.Seal(session, LibrarySender.Encode(World.Synthetic(64, 64, (int)seq)), seq, Packet.NewImageId()), $"img{seq}.png"));
        var first = await LibrarySender.UploadAsync(client, captured, Timeout);
        Assert.Equal(StatusCode.OK, first.Status);
        Assert.Equal([1UL, 2UL, 3UL], first.Receipts.Select(r => r.Sequence));

        var replay = await raw.CallAsync(TransmitMethods.Upload.FullName, captured, Timeout);
        output.WriteLine($"replay of the whole stream: {replay}");
        Assert.Equal(AlreadyExists, replay.GrpcStatus);
        // Each image alone, too (the last one first: the window remembers every sequence number, not just the newest).
        foreach (int i in new[] { 2, 0, 1 })
        {
            var one = await raw.CallAsync(TransmitMethods.Upload.FullName, captured.Skip(i * 3).Take(3), Timeout);
            Assert.Equal(AlreadyExists, one.GrpcStatus);
        }
        Assert.Equal(3, Directory.GetFiles(world.Out, "*.json").Length);
        Assert.Equal(3, Directory.GetFiles(world.Out, "*.png").Length);
    }

    private static Task<ProcessResult> SendCli(World world, string images, Uri to, Fingerprint receiver, string key, bool h2c)
    {
        List<string> args = ["send", images, "--to", to.ToString(), "--receiver", receiver.Hex, "--key", key, "--models", World.Models, "--quiet", "--attempts", "2"];
        if (h2c) args.Add("--insecure-h2c");
        return ChildProcess.RunDotnetAsync(Repo.SenderDll, args, TimeSpan.FromSeconds(120));
    }
}
