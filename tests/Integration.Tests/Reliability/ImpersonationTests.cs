using SecureTransmit.Codec;
using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Integration.Tests.Reliability.Support;
using SecureTransmit.Protos.V2;
using SecureTransmit.Security;
using Grpc.Core;
using SecureTransmit.Sender;
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
    private const string Upload = "/securetransmit.v2.Transmit/Upload";

    [Fact]
    public async Task A_sender_not_on_the_allow_list_is_refused_with_permission_denied()
    {
        using var world = World.Create();
        await using var host = await HostedReceiver.StartAsync(world);
        using var stranger = new LibrarySender(IdentityFile.Load(world.StrangerKey), world.ReceiverFingerprint);
        using var client = stranger.Client(HostedReceiver.Address(host));
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
        using var raw = new RawHttp2(HostedReceiver.Address(host));
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        using var client = sender.Client(HostedReceiver.Address(host));
        var session = await sender.OpenSessionAsync(client).WaitAsync(Timeout);
        var other = await sender.OpenSessionAsync(client).WaitAsync(Timeout);
        var latent = LibrarySender.Encode(World.Synthetic(64, 64, 3));

        // A packet sealed for one session, sent on a call that proved another live one.
        var p = Packet.Seal(session, latent, 1, Packet.NewImageId());
        var foreign = await raw.CallAsync(Upload, [TransmitClient.Hello(other), .. LibrarySender.Chunks(session, p)], Timeout);
        Assert.Equal(InvalidArgument, foreign.GrpcStatus);
        Assert.Contains("another session", foreign.GrpcMessage);

        // A session id the receiver never issued, one of the wrong length, and a live id whose hello MAC is not
        // under its key (the id is a handle, not a credential): all refused before any image is read.
        var forgedHello = new UploadRequest { Hello = new UploadHello { SessionId = Google.Protobuf.ByteString.CopyFrom(session.SessionId), CallCounter = 1, Mac = Google.Protobuf.ByteString.CopyFrom(new byte[32]) } };
        var unknownHello = new UploadRequest { Hello = new UploadHello { SessionId = Google.Protobuf.ByteString.CopyFrom(Packet.NewImageId()), CallCounter = 1, Mac = Google.Protobuf.ByteString.CopyFrom(new byte[32]) } };
        var shortHello = new UploadRequest { Hello = new UploadHello { SessionId = Google.Protobuf.ByteString.CopyFrom([1, 2, 3]), CallCounter = 1 } };
        var unknown = await raw.CallAsync(Upload, [unknownHello, .. LibrarySender.Chunks(session, p)], Timeout);
        Assert.Equal(Unauthenticated, unknown.GrpcStatus);
        var shortId = await raw.CallAsync(Upload, [shortHello, .. LibrarySender.Chunks(session, p)], Timeout);
        Assert.Equal(Unauthenticated, shortId.GrpcStatus);
        var forged = await raw.CallAsync(Upload, [forgedHello, .. LibrarySender.Chunks(session, p)], Timeout);
        Assert.Equal(Unauthenticated, forged.GrpcStatus);
        Assert.Contains("does not prove the session key", forged.GrpcMessage);
        var noHello = await raw.CallAsync(Upload, LibrarySender.Chunks(session, p), Timeout);
        Assert.Equal(Unauthenticated, noHello.GrpcStatus);

        // The packet itself is fine while the session lives ...
        var ok = await LibrarySender.UploadAsync(client, LibrarySender.Call(session, p), Timeout);
        Assert.Equal(StatusCode.OK, ok.Status);

        // ... and refused once it expired.
        var wait = session.Expires - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var p2 = Packet.Seal(session, latent, 2, Packet.NewImageId());
        var expired = await raw.CallAsync(Upload, LibrarySender.Call(session, p2), Timeout);
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
        using var raw = new RawHttp2(HostedReceiver.Address(host));
        using var sender = new LibrarySender(IdentityFile.Load(world.SenderKey), world.ReceiverFingerprint);
        using var client = sender.Client(HostedReceiver.Address(host));
        var session = await sender.OpenSessionAsync(client).WaitAsync(Timeout);

        var hello = TransmitClient.Hello(session);
        var images = new List<UploadRequest>();
        for (ulong seq = 1; seq <= 3; seq++)
            images.AddRange(LibrarySender.Chunks(session, Packet.Seal(session, LibrarySender.Encode(World.Synthetic(64, 64, (int)seq)), seq, Packet.NewImageId()), $"img{seq}.png"));
        var first = await LibrarySender.UploadAsync(client, [hello, .. images], Timeout);
        Assert.Equal(StatusCode.OK, first.Status);
        Assert.Equal([1UL, 2UL, 3UL], first.Receipts.Select(r => r.Sequence));

        // The captured call as it was: its hello is refused (the call counter was used).
        var replay = await raw.CallAsync(Upload, [hello, .. images], Timeout);
        output.WriteLine($"replay of the whole stream: {replay}");
        Assert.Equal(Unauthenticated, replay.GrpcStatus);
        Assert.Contains("replayed", replay.GrpcMessage);
        // With a fresh hello (only the key holder can make one), each image alone is refused too (the last one
        // first: the window remembers every sequence number, not just the newest).
        foreach (int i in new[] { 2, 0, 1 })
        {
            var one = await raw.CallAsync(Upload, [TransmitClient.Hello(session), .. images.Skip(i * 3).Take(3)], Timeout);
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
