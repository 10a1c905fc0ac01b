using Grpc.Core;
using SecureTransmit.Protos.V2;
using SecureTransmit.Wire;

namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// securetransmit.v2.Transmit/Upload on the generated base class: the hello proves the session key (nothing is read
/// or allocated for a caller before that), then each image runs through <see cref="ImagePipeline"/> and is answered
/// by a sealed receipt. On shutdown an image already begun is finished and receipted, then the call ends UNAVAILABLE.
/// </summary>
[BindServiceMethod(typeof(UploadService), nameof(Bind))]
public class UploadService(
    ReceiverOptions options,
    ServerLimits limits,
    Security.SessionStore sessions,
    ImagePipeline pipeline,
    ShutdownSignal shutdown,
    RefusalLog refusals) : Transmit.TransmitBase
{
    private readonly SemaphoreSlim _uploads = new(options.MaxConcurrentUploads);

    /// <summary>The service's descriptor (server reflection reads it from the bound type).</summary>
    public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor => Transmit.Descriptor;

    /// <summary>Binds Upload with <see cref="StrictBinding"/>'s descriptor (the handler is found by name).</summary>
    public static void Bind(ServiceBinderBase binder, UploadService? service) =>
        binder.AddMethod(StrictBinding.Upload, service is null ? null : service.Upload);

    // Declared here (hiding the generated virtual): see HandshakeService.OpenSession.
    public new virtual async Task Upload(IAsyncStreamReader<UploadRequest> requestStream, IServerStreamWriter<Receipt> responseStream, ServerCallContext context)
    {
        var peer = RefusalLog.AddressOf(context.Peer);
        var reader = new UploadReader(requestStream, context.CancellationToken, options.ImageReceiveTimeout);
        Security.Session session;
        try
        {
            session = await reader.ReadHelloAsync(sessions, limits.FirstMessageTimeout);
        }
        catch (RpcException e)
        {
            refusals.Refused(peer, "upload " + e.StatusCode, e.Status.Detail);
            throw;
        }
        while (true)
        {
            if (shutdown.IsStopping) throw new RpcException(new Status(StatusCode.Unavailable, "receiver is shutting down; retry later"));
            var arrived = await reader.ReadImageAsync(session, (h, _) => pipeline.CheckHeader(session, h), Admit, shutdown.Token);
            if (arrived is null) return;
            var opened = pipeline.Open(session, arrived);
            var h = arrived.Header;
            if (pipeline.TryGetStored(session, h, out var already))
            {
                await responseStream.WriteAsync(ImagePipeline.Seal(session, h, already, 0, null, null));
                continue;
            }
            var decoded = await pipeline.Decode(opened, context.CancellationToken);
            var (psnr, ssim) = pipeline.Compare(session, decoded);
            var stored = pipeline.Store(session, decoded, psnr, ssim);
            await responseStream.WriteAsync(ImagePipeline.Seal(session, h, stored, decoded.DecodeMs, psnr, ssim));
        }
    }

    private async Task<IDisposable> Admit(CancellationToken ct)
    {
        if (!await _uploads.WaitAsync(TimeSpan.FromSeconds(30), ct))
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "receiver busy: too many images in flight"));
        return new Release(_uploads);
    }

    private sealed class Release(SemaphoreSlim s) : IDisposable
    {
        private int _done;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) s.Release();
        }
    }
}
