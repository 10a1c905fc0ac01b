using Grpc.Core;
using SecureTransmit.Codec;
using SecureTransmit.Security;
using SecureTransmit.Sender;
using SecureTransmit.Wire.Tests.Infrastructure;

namespace SecureTransmit.Wire.Tests;

/// <summary>
/// The standard stack against an independent gRPC implementation, both directions: python grpcio (Debian's
/// python3-grpcio) calls the receiver — health, reflection, the two services — and the sender's generated client
/// (TransmitClient on Grpc.Net.Client) calls a grpcio server.
/// </summary>
public sealed class PythonInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_grpcio_client_gets_SERVING_from_grpc_health_v1_lists_the_services_and_gets_statuses()
    {
        await using var rx = await TestReceiver.StartAsync();
        var r = await Python.RunJsonAsync("grpcio_client.py", ["--target", rx.Target, "--descriptors", Python.WriteDescriptors(rx.Dir)], Timeout);

        Assert.Equal("SERVING", r["health:"]!.GetValue<string>());
        Assert.Equal("SERVING", r["health:securetransmit.v2.Transmit"]!.GetValue<string>());
        Assert.Equal("SERVING", r["health:securetransmit.v2.Handshake"]!.GetValue<string>());
        Assert.Equal("NOT_FOUND", r["health:no.such.Service"]!.GetValue<string>());
        var services = r["reflection_services"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Contains("securetransmit.v2.Transmit", services);
        Assert.Contains("securetransmit.v2.Handshake", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.True(r["reflection_file_count"]!.GetValue<int>() >= 1);
        // A well-formed but unsigned request for a model nobody serves: refused with a status naming the problem.
        Assert.StartsWith("FAILED_PRECONDITION: receiver has no decoder for model 'cae-compact'", r["open_session"]!.GetValue<string>());
        Assert.Equal("UNAUTHENTICATED: unknown or expired session; open a new session", r["upload_forged_hello"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_generated_client_speaks_to_a_grpcio_server_and_refuses_its_unsealed_receipts()
    {
        var dir = Path.Combine(Path.GetTempPath(), "st-wire-py-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            await using var server = await Python.Server.StartAsync("grpcio_server.py", ["--descriptors", Python.WriteDescriptors(dir)]);
            using var receiverIdentity = Identity.Generate();
            using var sender = Identity.Generate();
            using var client = new TransmitClient(new Uri($"http://127.0.0.1:{server.Port}"), receiverIdentity.Fingerprint);

            // A status and its detail from grpcio reach the caller unchanged.
            var e = await Assert.ThrowsAsync<RpcException>(() =>
                client.OpenSessionAsync(sender, "cae-compact", new byte[32], CipherModes.Aes256Gcm, TimeSpan.FromSeconds(30)).WaitAsync(Timeout));
            Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
            Assert.Equal($"python peer: sender {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(sender.PublicKeySpki))[..8]} not allowed", e.Status.Detail);

            // An upload on a session the python server never saw: it parses our hello and chunks, and answers receipts
            // it cannot seal — the client refuses the first one.
            var session = LocalSession(sender, receiverIdentity);
            var call = await client.StartUpload(session).WaitAsync(Timeout);
            using (call)
            {
                var latent = new EncodedImage(8, 8, 8, 200_000, new Quantizer.Range(1, 0), new byte[200_000]);
                ulong seq = 0;
                foreach (var _ in Enumerable.Range(0, 2))
                {
                    var packet = Packet.Seal(session, latent, ++seq, Packet.NewImageId());
                    await call.SendAsync(packet, seq, Packet.NewImageId(), new ImageInfo("x.png", 1)).WaitAsync(Timeout);
                }
                await call.CompleteAsync().WaitAsync(Timeout);
                var forged = await Assert.ThrowsAsync<IntegrityException>(() => call.ReadReceiptAsync().WaitAsync(Timeout));
                Assert.Contains("failed authentication", forged.Message);
                while (await call.Call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout)) { }
                var parsed = call.Call.GetTrailers().GetValue("x-parsed");
                Assert.NotNull(parsed);
                var fields = parsed!.Split(';').Select(f => f.Split('=')).ToDictionary(f => f[0], f => long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(2, fields["images"]);
                Assert.True(fields["hello"] > 0);
                Assert.Equal(65536, fields["max_chunk"]);
                Assert.True(fields["data_bytes"] >= 2 * 200_000, parsed);
            }
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>A session both ends would derive, made locally (the python server holds no keys).</summary>
    private static Session LocalSession(Identity sender, Identity receiver)
    {
        var responder = new HandshakeResponder(receiver, new AllowList([new AllowListEntry(sender.Fingerprint, null)]));
        using var init = new HandshakeInitiator(sender, receiver.Fingerprint, "m", new byte[32], CipherModes.Aes256Gcm);
        return init.Complete(responder.Accept(init.Request).Response);
    }
}
