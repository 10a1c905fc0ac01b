using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SecureTransmit.Wire.Internal;

namespace SecureTransmit.Wire;

/// <summary>Maps gRPC services onto ASP.NET Core endpoint routing.</summary>
public static class GrpcEndpointRouteBuilderExtensions
{
    private static readonly ConditionalWeakTable<IEndpointRouteBuilder, RouteState> s_state = new();

    /// <summary>
    /// Maps every method of <paramref name="service"/> to its path (<c>POST /package.Service/Method</c>). The first call on a
    /// route builder also maps a fallback that answers any other gRPC request with UNIMPLEMENTED.
    /// </summary>
    /// <param name="endpoints">The app (a <c>WebApplication</c>) or another route builder.</param>
    /// <param name="service">The methods and handlers.</param>
    /// <param name="options">Message-size and error settings; null uses <c>IOptions&lt;GrpcServerOptions&gt;</c> from DI when
    /// registered, otherwise the defaults.</param>
    /// <returns>A convention builder covering the mapped methods (e.g. to add authorization or host filters).</returns>
    public static IEndpointConventionBuilder MapGrpcService(this IEndpointRouteBuilder endpoints, ServerServiceDefinition service,
        GrpcServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (service is null)
        {
            throw new WireArgumentException("Service definition is required.", nameof(service));
        }

        options ??= endpoints.ServiceProvider.GetService<IOptions<GrpcServerOptions>>()?.Value ?? new GrpcServerOptions();
        options.Validate();
        ILogger logger = endpoints.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger("SecureTransmit.Wire.Server")
            ?? NullLogger.Instance;

        RouteState state = s_state.GetValue(endpoints, static _ => new RouteState());
        lock (state)
        {
            foreach (IServerMethodBinding binding in service.Methods)
            {
                if (state.Paths.Contains(binding.Method.FullName))
                {
                    throw new WireArgumentException($"Method {binding.Method.FullName} is already mapped.", nameof(service));
                }
            }

            var builders = new List<IEndpointConventionBuilder>();
            foreach (IServerMethodBinding binding in service.Methods)
            {
                state.Paths.Add(binding.Method.FullName);
                state.Services.Add(binding.Method.ServiceName);
                builders.Add(endpoints.Map(binding.Method.FullName, binding.CreateRequestDelegate(options, logger))
                    .WithDisplayName("gRPC " + binding.Method.FullName));
            }

            if (!state.FallbackMapped)
            {
                state.FallbackMapped = true;
                endpoints.Map("{unimplementedService}/{unimplementedMethod}", http => UnimplementedAsync(http, state))
                    .WithDisplayName("gRPC unimplemented fallback")
                    .Add(b =>
                    {
                        if (b is RouteEndpointBuilder route)
                        {
                            route.Order = int.MaxValue; // after every other endpoint
                        }
                    });
            }

            return new CompositeConventionBuilder(builders);
        }
    }

    private static Task UnimplementedAsync(HttpContext http, RouteState state)
    {
        if (!GrpcProtocol.IsGrpcContentType(http.Request.ContentType))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound; // not a gRPC request: not ours to answer
            return Task.CompletedTask;
        }

        if (!ServerProtocol.ValidateRequest(http))
        {
            return Task.CompletedTask;
        }

        string service = http.Request.RouteValues["unimplementedService"]?.ToString() ?? "";
        bool known;
        lock (state)
        {
            known = state.Services.Contains(service);
        }

        ServerProtocol.WriteTrailersOnly(http, StatusCodes.Status200OK,
            new Status(StatusCode.Unimplemented, known ? "Method is unimplemented." : "Service is unimplemented."));
        return Task.CompletedTask;
    }

    private sealed class RouteState
    {
        public HashSet<string> Paths { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Services { get; } = new(StringComparer.Ordinal);

        public bool FallbackMapped { get; set; }
    }

    private sealed class CompositeConventionBuilder(List<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (IEndpointConventionBuilder builder in builders)
            {
                builder.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (IEndpointConventionBuilder builder in builders)
            {
                builder.Finally(finallyConvention);
            }
        }
    }
}
