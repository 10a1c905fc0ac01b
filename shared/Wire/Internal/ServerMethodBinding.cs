using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace SecureTransmit.Wire.Internal;

/// <summary>A method plus its handler, as stored in a <see cref="ServerServiceDefinition"/>.</summary>
internal interface IServerMethodBinding
{
    IMethod Method { get; }

    RequestDelegate CreateRequestDelegate(GrpcServerOptions options, ILogger logger);
}

internal sealed class ServerMethodBinding<TRequest, TResponse>(Method<TRequest, TResponse> method) : IServerMethodBinding
{
    public Method<TRequest, TResponse> TypedMethod { get; } = method;

    public IMethod Method => TypedMethod;

    public UnaryServerMethod<TRequest, TResponse>? Unary { get; init; }

    public ClientStreamingServerMethod<TRequest, TResponse>? ClientStreaming { get; init; }

    public ServerStreamingServerMethod<TRequest, TResponse>? ServerStreaming { get; init; }

    public DuplexStreamingServerMethod<TRequest, TResponse>? DuplexStreaming { get; init; }

    public RequestDelegate CreateRequestDelegate(GrpcServerOptions options, ILogger logger)
        => http => HandleCallAsync(http, options, logger);

    private async Task HandleCallAsync(HttpContext http, GrpcServerOptions options, ILogger logger)
    {
        if (!ServerProtocol.ValidateRequest(http))
        {
            return;
        }

        string? encoding = http.Request.Headers[GrpcProtocol.EncodingHeader].ToString();
        if (encoding.Length == 0)
        {
            encoding = null;
        }
        else if (encoding != GrpcProtocol.IdentityEncoding && encoding != GrpcProtocol.GzipEncoding)
        {
            http.Response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedAcceptEncoding;
            ServerProtocol.WriteTrailersOnly(http, StatusCodes.Status200OK,
                new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding '{encoding}'."));
            return;
        }

        TimeSpan? timeout = null;
        string? timeoutHeader = http.Request.Headers[GrpcProtocol.TimeoutHeader].ToString();
        if (timeoutHeader.Length > 0)
        {
            if (TimeoutHeader.TryParse(timeoutHeader, out TimeSpan parsed))
            {
                timeout = parsed;
            }
            else
            {
                logger.LogDebug("Ignoring malformed grpc-timeout '{Timeout}' on {Method}.", timeoutHeader, TypedMethod.FullName);
            }
        }

        ServerProtocol.DisableBodyLimits(http);

        using var call = new HttpContextServerCallContext(http, options, TypedMethod.FullName, timeout, encoding, logger);
        call.PrepareResponse();
        Status status;
        Metadata? extraTrailers = null;
        try
        {
            await InvokeAsync(call).ConfigureAwait(false);
            status = call.Status;
        }
        catch (Exception ex)
        {
            status = call.StatusFromException(ex, out extraTrailers);
        }

        try
        {
            call.EndCall(status, extraTrailers);
        }
        catch (Exception ex) when (call.ClientAborted)
        {
            logger.LogDebug(ex, "Could not send the status of {Method}: the client is gone.", TypedMethod.FullName);
        }
    }

    private async Task InvokeAsync(HttpContextServerCallContext call)
    {
        Marshaller<TRequest> requests = TypedMethod.RequestMarshaller;
        Marshaller<TResponse> responses = TypedMethod.ResponseMarshaller;
        switch (TypedMethod.Type)
        {
            case MethodType.Unary:
            {
                TRequest request = await call.ReadSingleMessageAsync(requests).ConfigureAwait(false);
                TResponse response = await Unary!(request, call).ConfigureAwait(false);
                await WriteSingleResponseAsync(call, responses, response).ConfigureAwait(false);
                break;
            }

            case MethodType.ClientStreaming:
            {
                var reader = new HttpContextStreamReader<TRequest>(call, requests);
                TResponse response = await ClientStreaming!(reader, call).ConfigureAwait(false);
                await WriteSingleResponseAsync(call, responses, response).ConfigureAwait(false);
                break;
            }

            case MethodType.ServerStreaming:
            {
                TRequest request = await call.ReadSingleMessageAsync(requests).ConfigureAwait(false);
                await ServerStreaming!(request, new HttpContextStreamWriter<TResponse>(call, responses), call).ConfigureAwait(false);
                break;
            }

            default:
            {
                var reader = new HttpContextStreamReader<TRequest>(call, requests);
                await DuplexStreaming!(reader, new HttpContextStreamWriter<TResponse>(call, responses), call).ConfigureAwait(false);
                break;
            }
        }
    }

    private static async Task WriteSingleResponseAsync(HttpContextServerCallContext call, Marshaller<TResponse> marshaller, TResponse response)
    {
        if (response is null)
        {
            throw new InvalidOperationException("The handler returned no response message (null).");
        }

        // A handler that set a non-OK status and returned normally sends no message.
        if (call.Status.StatusCode == StatusCode.OK)
        {
            await call.WriteMessageAsync(marshaller, response, null, default).ConfigureAwait(false);
        }
    }
}

/// <summary>Request checks and error responses shared by the method endpoints and the unimplemented fallback.</summary>
internal static class ServerProtocol
{
    /// <summary>Checks verb, content-type and protocol; writes the error response and returns false when one fails.</summary>
    public static bool ValidateRequest(HttpContext http)
    {
        HttpRequest request = http.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            http.Response.Headers.Allow = GrpcProtocol.HttpMethodPost;
            WriteTrailersOnly(http, StatusCodes.Status405MethodNotAllowed,
                new Status(StatusCode.Internal, $"Request method '{request.Method}' is not supported; gRPC requires POST."));
            return false;
        }

        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            WriteTrailersOnly(http, StatusCodes.Status415UnsupportedMediaType,
                new Status(StatusCode.Internal, $"Content-Type '{request.ContentType}' is not supported; gRPC requires application/grpc."));
            return false;
        }

        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            WriteTrailersOnly(http, StatusCodes.Status426UpgradeRequired,
                new Status(StatusCode.Internal, $"Request protocol '{request.Protocol}' is not supported; gRPC requires HTTP/2."));
            return false;
        }

        return true;
    }

    /// <summary>A response made of headers only, carrying the gRPC status (Trailers-Only form).</summary>
    public static void WriteTrailersOnly(HttpContext http, int httpStatus, Status status)
    {
        HttpResponse response = http.Response;
        response.StatusCode = httpStatus;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.StatusHeader] = ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture);
        if (status.Detail.Length > 0)
        {
            response.Headers[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(status.Detail);
        }
    }

    /// <summary>
    /// Streams may be long: lift the request body size limit (Kestrel's default is ~28.6 MiB → HTTP 413) and the minimum
    /// data rate for this request.
    /// </summary>
    public static void DisableBodyLimits(HttpContext http)
    {
        IHttpMaxRequestBodySizeFeature? size = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (size is { IsReadOnly: false })
        {
            size.MaxRequestBodySize = null;
        }

        IHttpMinRequestBodyDataRateFeature? rate = http.Features.Get<IHttpMinRequestBodyDataRateFeature>();
        if (rate is not null)
        {
            rate.MinDataRate = null;
        }
    }
}
