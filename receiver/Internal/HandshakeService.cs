using Grpc.Core;
using Microsoft.Extensions.Logging;
using SecureTransmit.Protos.V2;
using SecureTransmit.Security;
using SecureTransmit.Wire;

namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// securetransmit.v2.Handshake/OpenSession: checks the model, runs the signed ECDH handshake (which refuses replays, a
/// request for another receiver and senders off the allow-list) and stores the session, at most
/// <see cref="SessionStoreOptions.MaxSessionsPerSender"/> per sender. Every refusal is one rate-limited log line.
/// </summary>
[BindServiceMethod(typeof(HandshakeService), nameof(Bind))]
public class HandshakeService(
    HandshakeResponder responder,
    SessionStore sessions,
    DecoderCatalog decoders,
    ShutdownSignal shutdown,
    RefusalLog refusals,
    AllowListWatcher allowList,
    ILogger<HandshakeService> log) : Handshake.HandshakeBase
{
    /// <summary>The service's descriptor (server reflection reads it from the bound type).</summary>
    public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor => Handshake.Descriptor;

    /// <summary>Binds OpenSession with <see cref="StrictBinding"/>'s descriptor (the handler is found by name).</summary>
    public static void Bind(ServiceBinderBase binder, HandshakeService? service) =>
        binder.AddMethod(StrictBinding.OpenSession, service is null ? null : service.OpenSession);

    // Declared here (hiding the generated virtual) because Grpc.AspNetCore binds a handler that overrides a method of
    // the type that carries BindServiceMethod; the generated base class still defines the service's contract.
    public new virtual Task<OpenSessionResponse> OpenSession(OpenSessionRequest request, ServerCallContext context)
    {
        var peer = RefusalLog.AddressOf(context.Peer);
        if (shutdown.IsStopping) throw Refuse(peer, StatusCode.Unavailable, "shutting down", "receiver is shutting down; retry later");
        if (!decoders.TryGet(request.ModelId.Span, out var decoder))
            throw Refuse(peer, StatusCode.FailedPrecondition, "unknown model",
                $"receiver has no decoder for model '{Trim(request.ModelName)}'; it serves: {decoders.Describe()}");
        if (decoder.Name != request.ModelName)
            throw Refuse(peer, StatusCode.InvalidArgument, "model mismatch", $"model id belongs to '{decoder.Name}', not '{Trim(request.ModelName)}'");
        allowList.Refresh();
        HandshakeAcceptance accepted;
        try
        {
            accepted = responder.Accept(request.FromProto());
            sessions.Add(accepted.Session);
        }
        catch (HandshakeException e)
        {
            throw Refuse(peer, StatusOf(e.Reason), "handshake " + e.Reason, e.Message);
        }
        log.LogInformation("session opened by {Sender} ({Name}) from {Peer}: model {Model}, cipher {Cipher}",
            accepted.Session.PeerFingerprint.Short, accepted.Sender.Name ?? "-", peer, decoder.Name, accepted.Session.CipherMode);
        return Task.FromResult(accepted.Response.ToProto());
    }

    private RpcException Refuse(string peer, StatusCode code, string reason, string message)
    {
        refusals.Refused(peer, reason, message);
        return new RpcException(new Status(code, message));
    }

    private static string Trim(string s) => s.Length <= 64 ? s : s[..64] + "…";

    public static StatusCode StatusOf(HandshakeFailureReason reason) => reason switch
    {
        HandshakeFailureReason.Malformed => StatusCode.InvalidArgument,
        HandshakeFailureReason.NotAllowed => StatusCode.PermissionDenied,
        HandshakeFailureReason.Skew => StatusCode.FailedPrecondition,
        HandshakeFailureReason.TooManySessions => StatusCode.ResourceExhausted,
        _ => StatusCode.Unauthenticated,
    };
}

/// <summary>Set when the host begins to stop: new sessions and images are refused with UNAVAILABLE.</summary>
public sealed class ShutdownSignal
{
    private readonly CancellationTokenSource _cts = new();
    public CancellationToken Token => _cts.Token;
    public bool IsStopping => _cts.IsCancellationRequested;
    public void Stop() => _cts.Cancel();
}
