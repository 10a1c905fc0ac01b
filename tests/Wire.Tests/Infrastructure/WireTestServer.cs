using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SecureTransmit.Wire.Tests.Infrastructure;

/// <summary>A Kestrel server on 127.0.0.1 with a free port (port 0, read back after start).</summary>
internal sealed class WireTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WireTestServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public int Port => Address.Port;

    public static async Task<WireTestServer> StartAsync(ServerServiceDefinition? service, X509Certificate2? certificate = null,
        GrpcServerOptions? options = null, Action<WebApplication>? configure = null,
        Action<HttpsConnectionAdapterOptions>? configureHttps = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            KestrelGrpc.Listen(kestrel, new IPEndPoint(IPAddress.Loopback, 0), certificate, options, configureHttps));
        WebApplication app = builder.Build();
        if (service is not null)
        {
            app.MapGrpcService(service, options);
        }

        configure?.Invoke(app);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var uri = new Uri(address);
        return new WireTestServer(app, new Uri($"{uri.Scheme}://127.0.0.1:{uri.Port}"));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }

        await _app.DisposeAsync();
    }
}
