using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecureTransmit.Wire.Internal;

namespace SecureTransmit.Wire;

/// <summary>
/// A gRPC client over HttpClient's SocketsHttpHandler: every call is one HTTP/2 stream (POST, <c>te: trailers</c>,
/// <c>content-type: application/grpc</c>, <c>grpc-timeout</c> from the deadline). <c>https://</c> addresses use TLS with ALPN
/// h2; <c>http://</c> addresses use cleartext h2c with prior knowledge. Thread-safe; create one per server and reuse it.
/// </summary>
public sealed class GrpcClient : IDisposable
{
    private readonly bool _ownsHandler;

    /// <summary>Creates a client for the server at <paramref name="address"/>.</summary>
    /// <param name="address">Server root, e.g. <c>https://127.0.0.1:5001</c> or <c>http://127.0.0.1:5000</c> (h2c).</param>
    /// <param name="options">Client settings (TLS trust, message limits, ...); null for defaults.</param>
    public GrpcClient(Uri address, GrpcClientOptions? options = null)
    {
        if (address is null)
        {
            throw new WireArgumentException("Address is required.", nameof(address));
        }

        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttps && address.Scheme != Uri.UriSchemeHttp))
        {
            throw new WireArgumentException($"Address '{address}' must be an absolute http:// or https:// URI.", nameof(address));
        }

        if (address.AbsolutePath != "/" || address.Query.Length > 0 || address.Fragment.Length > 0)
        {
            throw new WireArgumentException(
                $"Address '{address}' must be the server root (scheme, host and port only); gRPC calls go to /Service/Method.", nameof(address));
        }

        Options = options ?? new GrpcClientOptions();
        Options.Validate(address);
        Address = address;
        HttpMessageHandler handler = Options.HttpHandler ?? CreateHandler(address, Options);
        _ownsHandler = Options.HttpHandler is null;
        Invoker = new HttpMessageInvoker(handler, disposeHandler: _ownsHandler);
    }

    /// <summary>The server root address.</summary>
    public Uri Address { get; }

    /// <summary>The settings this client was created with.</summary>
    public GrpcClientOptions Options { get; }

    internal HttpMessageInvoker Invoker { get; }

    /// <summary>Starts a unary call. Dispose the returned call (or use <see cref="UnaryAsync"/>).</summary>
    public AsyncUnaryCall<TResponse> Unary<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request,
        CallOptions options = default)
    {
        CheckMethod(method, MethodType.Unary);
        var call = new GrpcCall<TRequest, TResponse>(this, method, options);
        call.StartSingle(request);
        return new AsyncUnaryCall<TResponse>(Observe(call.ReadSingleResponseAsync()), call);
    }

    /// <summary>Makes a unary call and returns its response; throws <see cref="RpcException"/> when it fails.</summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request,
        CallOptions options = default)
    {
        using AsyncUnaryCall<TResponse> call = Unary(method, request, options);
        return await call.ResponseAsync.ConfigureAwait(false);
    }

    /// <summary>Starts a client-streaming call.</summary>
    public AsyncClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method,
        CallOptions options = default)
    {
        CheckMethod(method, MethodType.ClientStreaming);
        var call = new GrpcCall<TRequest, TResponse>(this, method, options);
        StreamingRequestContent content = call.StartStreaming();
        Task<TResponse> response = Observe(call.ReadSingleResponseAsync());
        call.SingleResponseTask = response;
        return new AsyncClientStreamingCall<TRequest, TResponse>(new ClientRequestStream<TRequest, TResponse>(call, content), response, call);
    }

    /// <summary>Starts a server-streaming call.</summary>
    public AsyncServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method,
        TRequest request, CallOptions options = default)
    {
        CheckMethod(method, MethodType.ServerStreaming);
        var call = new GrpcCall<TRequest, TResponse>(this, method, options);
        call.StartSingle(request);
        return new AsyncServerStreamingCall<TResponse>(new ClientResponseStream<TRequest, TResponse>(call), call);
    }

    /// <summary>Starts a duplex-streaming call.</summary>
    public AsyncDuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method,
        CallOptions options = default)
    {
        CheckMethod(method, MethodType.DuplexStreaming);
        var call = new GrpcCall<TRequest, TResponse>(this, method, options);
        StreamingRequestContent content = call.StartStreaming();
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(
            new ClientRequestStream<TRequest, TResponse>(call, content), new ClientResponseStream<TRequest, TResponse>(call), call);
    }

    /// <summary>Closes the connections (when the client created its own handler).</summary>
    public void Dispose() => Invoker.Dispose();

    private static void CheckMethod(IMethod method, MethodType expected)
    {
        if (method is null)
        {
            throw new WireArgumentException("Method is required.", nameof(method));
        }

        if (method.Type != expected)
        {
            throw new WireArgumentException($"Method {method.FullName} is {method.Type}; it cannot be called as {expected}.", nameof(method));
        }
    }

    private static Task<T> Observe<T>(Task<T> task)
    {
        // A caller that never awaits a failed response must not cause an unobserved-task-exception report.
        task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        return task;
    }

    private static SocketsHttpHandler CreateHandler(Uri address, GrpcClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = options.EnableMultipleHttp2Connections,
            InitialHttp2StreamWindowSize = options.InitialHttp2StreamWindowSize,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectTimeout = options.ConnectTimeout,
            UseProxy = options.UseProxy,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };

        if (address.Scheme == Uri.UriSchemeHttps)
        {
            var ssl = handler.SslOptions;
            ssl.EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            if (options.ServerCertificateSha256Bytes is byte[] pin)
            {
                // Pinning: the exact certificate is the trust anchor, so chain and name errors do not matter.
                ssl.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null
                    && CryptographicOperations.FixedTimeEquals(SHA256.HashData(certificate.GetRawCertData()), pin);
            }
            else if (options.TrustedRootCertificate is X509Certificate2 root)
            {
                var policy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                };
                policy.CustomTrustStore.Add(root);
                ssl.CertificateChainPolicy = policy;
            }

            if (options.ClientCertificate is X509Certificate2 clientCertificate)
            {
                ssl.ClientCertificates = [clientCertificate];
            }
        }

        return handler;
    }
}
