namespace SecureTransmit.Wire;

/// <summary>The four gRPC call shapes.</summary>
public enum MethodType
{
    /// <summary>One request, one response.</summary>
    Unary,
    /// <summary>A stream of requests, one response.</summary>
    ClientStreaming,
    /// <summary>One request, a stream of responses.</summary>
    ServerStreaming,
    /// <summary>A stream of requests and a stream of responses, interleaved freely.</summary>
    DuplexStreaming,
}

/// <summary>Non-generic view of a <see cref="Method{TRequest, TResponse}"/>.</summary>
public interface IMethod
{
    /// <summary>The call shape.</summary>
    MethodType Type { get; }

    /// <summary>Fully qualified service name, e.g. <c>securetransmit.v1.Receiver</c>.</summary>
    string ServiceName { get; }

    /// <summary>Method name within the service, e.g. <c>Transmit</c>.</summary>
    string Name { get; }

    /// <summary>The HTTP/2 <c>:path</c> of the method: <c>/ServiceName/Name</c>.</summary>
    string FullName { get; }
}

/// <summary>
/// Describes one RPC method: its shape, service, name and the marshallers of its request and response messages.
/// </summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class Method<TRequest, TResponse> : IMethod
{
    /// <summary>Creates a method description.</summary>
    /// <param name="type">The call shape.</param>
    /// <param name="serviceName">Fully qualified service name (<c>package.Service</c>); no '/' and no whitespace.</param>
    /// <param name="name">Method name; no '/', no whitespace.</param>
    /// <param name="requestMarshaller">Serializes requests.</param>
    /// <param name="responseMarshaller">Serializes responses.</param>
    public Method(MethodType type, string serviceName, string name,
        Marshaller<TRequest> requestMarshaller, Marshaller<TResponse> responseMarshaller)
    {
        if (!Enum.IsDefined(type))
        {
            throw new WireArgumentException($"Unknown method type {(int)type}.", nameof(type));
        }

        ValidateName(serviceName, nameof(serviceName));
        ValidateName(name, nameof(name));
        Type = type;
        ServiceName = serviceName;
        Name = name;
        FullName = "/" + serviceName + "/" + name;
        RequestMarshaller = requestMarshaller ?? throw new WireArgumentException("Request marshaller is required.", nameof(requestMarshaller));
        ResponseMarshaller = responseMarshaller ?? throw new WireArgumentException("Response marshaller is required.", nameof(responseMarshaller));
    }

    /// <inheritdoc/>
    public MethodType Type { get; }

    /// <inheritdoc/>
    public string ServiceName { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string FullName { get; }

    /// <summary>Marshaller of the request messages.</summary>
    public Marshaller<TRequest> RequestMarshaller { get; }

    /// <summary>Marshaller of the response messages.</summary>
    public Marshaller<TResponse> ResponseMarshaller { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Type} {FullName}";

    private static void ValidateName(string value, string paramName)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new WireArgumentException($"Method {paramName} must not be empty.", paramName);
        }

        foreach (char c in value)
        {
            // Path segments of ":path"; keep them to visible ASCII without '/', '?', '#', '%' so that they need no escaping.
            if (c <= 0x20 || c >= 0x7F || c is '/' or '?' or '#' or '%' or '{' or '}')
            {
                throw new WireArgumentException($"Method {paramName} '{value}' contains an invalid character '{c}'.", paramName);
            }
        }
    }
}
