using SecureTransmit.Wire.Internal;

namespace SecureTransmit.Wire;

/// <summary>
/// A set of methods and their handlers, mapped onto a server with
/// <see cref="GrpcEndpointRouteBuilderExtensions.MapGrpcService"/>. Build one with <see cref="CreateBuilder"/>.
/// <c>AddMethod</c> overloads take typed handler delegates (method groups); with lambdas, two shapes can be ambiguous
/// (e.g. unary vs client-streaming both take two parameters), so use <c>AddUnary</c>, <c>AddClientStreaming</c>,
/// <c>AddServerStreaming</c> or <c>AddDuplexStreaming</c>.
/// </summary>
public sealed class ServerServiceDefinition
{
    private ServerServiceDefinition(IReadOnlyList<IServerMethodBinding> methods)
    {
        Methods = methods;
    }

    /// <summary>The methods, in the order they were added.</summary>
    public IReadOnlyList<IMethod> MethodDescriptors => Methods.Select(m => m.Method).ToList();

    internal IReadOnlyList<IServerMethodBinding> Methods { get; }

    /// <summary>Starts a definition.</summary>
    public static Builder CreateBuilder() => new();

    /// <summary>Collects methods and handlers.</summary>
    public sealed class Builder
    {
        private readonly List<IServerMethodBinding> _methods = [];
        private readonly HashSet<string> _paths = new(StringComparer.Ordinal);

        internal Builder()
        {
        }

        /// <summary>Adds a unary method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
            => Add(method, MethodType.Unary, handler, h => new ServerMethodBinding<TRequest, TResponse>(method) { Unary = h });

        /// <summary>Adds a client-streaming method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
            => Add(method, MethodType.ClientStreaming, handler, h => new ServerMethodBinding<TRequest, TResponse>(method) { ClientStreaming = h });

        /// <summary>Adds a server-streaming method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
            => Add(method, MethodType.ServerStreaming, handler, h => new ServerMethodBinding<TRequest, TResponse>(method) { ServerStreaming = h });

        /// <summary>Adds a duplex-streaming method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
            => Add(method, MethodType.DuplexStreaming, handler, h => new ServerMethodBinding<TRequest, TResponse>(method) { DuplexStreaming = h });

        /// <summary>Adds a unary method (same as the matching <c>AddMethod</c>; unambiguous for lambdas).</summary>
        public Builder AddUnary<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
            => AddMethod(method, handler);

        /// <summary>Adds a client-streaming method (same as the matching <c>AddMethod</c>; unambiguous for lambdas).</summary>
        public Builder AddClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
            => AddMethod(method, handler);

        /// <summary>Adds a server-streaming method (same as the matching <c>AddMethod</c>; unambiguous for lambdas).</summary>
        public Builder AddServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
            => AddMethod(method, handler);

        /// <summary>Adds a duplex-streaming method (same as the matching <c>AddMethod</c>; unambiguous for lambdas).</summary>
        public Builder AddDuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
            => AddMethod(method, handler);

        /// <summary>Finishes the definition.</summary>
        public ServerServiceDefinition Build() => new(_methods.ToArray());

        private Builder Add<TRequest, TResponse, THandler>(Method<TRequest, TResponse> method, MethodType expected, THandler handler,
            Func<THandler, IServerMethodBinding> bind)
            where THandler : Delegate
        {
            if (method is null)
            {
                throw new WireArgumentException("Method is required.", nameof(method));
            }

            if (handler is null)
            {
                throw new WireArgumentException($"Handler for {method.FullName} is required.", nameof(handler));
            }

            if (method.Type != expected)
            {
                throw new WireArgumentException(
                    $"Method {method.FullName} is {method.Type} but the handler is for {expected} methods.", nameof(handler));
            }

            if (!_paths.Add(method.FullName))
            {
                throw new WireArgumentException($"Method {method.FullName} was added twice.", nameof(method));
            }

            _methods.Add(bind(handler));
            return this;
        }
    }
}
