using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// The receiver's read-only dashboard: its own HTTP/1.1 port (off unless <c>--dashboard</c> is given),
/// answering only on that port. Everything it shows comes from the receiver itself; nothing is fetched elsewhere.
/// </summary>
public static class Dashboard
{
    public static void Listen(KestrelServerOptions kestrel, IPEndPoint endpoint) =>
        kestrel.Listen(endpoint, l => l.Protocols = HttpProtocols.Http1);

    public static void Map(WebApplication app, Func<int> dashboardPort, ReceivedFeed feed, ImageStore store)
    {
        var group = app.MapGroup("").AddEndpointFilter(async (ctx, next) =>
            ctx.HttpContext.Connection.LocalPort == dashboardPort() ? await next(ctx) : Results.NotFound());
        group.MapGet("/healthz", () => Results.Text("ok\n"));
        group.MapGet("/api/images", () =>
        {
            var arr = new JsonArray();
            foreach (var item in feed.Snapshot().Reverse()) arr.Add(item.Sidecar.DeepClone());
            return Results.Text(arr.ToJsonString(), "application/json");
        });
        group.MapGet("/images/{name}", (string name) =>
        {
            var safe = Path.GetFileName(name);
            if (safe != name || !safe.EndsWith(".png", StringComparison.Ordinal) || feed.Find(safe) is null) return Results.NotFound();
            return Results.File(Path.Combine(store.Directory, safe), "image/png");
        });
    }
}
