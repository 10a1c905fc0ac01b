using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// The receiver's read-only dashboard: a live gallery of received images with their ciphertext, metrics, totals and
/// a throughput chart. It runs in the receiver's process on its own HTTP/1.1 port (off unless <c>--dashboard</c> is
/// given) and answers only there; the gRPC port does not serve it, and it serves nothing but its own GET routes.
/// Every asset is embedded in the receiver: the page fetches nothing from elsewhere.
/// </summary>
/// <remarks>
/// It has no authentication: anyone who can reach the port sees the received images. Keep it on loopback
/// (the default examples bind 127.0.0.1) unless the network in between is trusted. Requests whose Host is not an IP
/// literal, <c>localhost</c> or this machine's name are refused (421), which stops DNS-rebinding pages from reading it.
/// Routes: <c>/</c> (page), <c>/assets/NAME</c>, <c>/healthz</c>, <c>/api/images</c> (newest first),
/// <c>/api/stats</c>, <c>/events</c> (Server-Sent Events, see <see cref="DashboardEvents"/>),
/// <c>/images/FILE.png</c> (the reconstruction), <c>/cipher/FILE.png</c> (the ciphertext prefix as a grayscale PNG).
/// </remarks>
public static class Dashboard
{
    /// <summary>The Content-Security-Policy of every dashboard response: only this origin, no inline script or style.</summary>
    public const string ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'";

    public static void Listen(KestrelServerOptions kestrel, IPEndPoint endpoint) =>
        kestrel.Listen(endpoint, l => l.Protocols = HttpProtocols.Http1);

    public static void Map(WebApplication app, Func<int> dashboardPort, ReceivedFeed feed, ImageStore store) =>
        Map(app, dashboardPort, feed, store, DashboardOptions.Default);

    internal static void Map(WebApplication app, Func<int> dashboardPort, ReceivedFeed feed, ImageStore store, DashboardOptions options)
    {
        options.Validate();
        var stopping = app.Lifetime.ApplicationStopping;
        var stats = new DashboardStats(options.ThroughputSeconds);
        var events = new DashboardEvents(feed, stats, options);
        app.Lifetime.ApplicationStarted.Register(() => _ = CountAsync(feed, stats, stopping));

        app.Use(async (http, next) =>
        {
            bool ours = http.GetEndpoint()?.Metadata.GetMetadata<DashboardEndpoint>() is not null;
            if (http.Connection.LocalPort != dashboardPort())
            {
                if (ours) { http.Response.StatusCode = StatusCodes.Status404NotFound; return; }
                await next(http);
                return;
            }
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            if (!IsAllowedHost(http.Request.Host.Host, options.AllowedHosts))
            {
                http.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
                await http.Response.WriteAsync("dashboard: unknown Host; use the address it listens on\n");
                return;
            }
            if (!ours) // gRPC methods and anything else are not served on the dashboard port
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                await http.Response.WriteAsync("not found\n");
                return;
            }
            await next(http);
        });

        var group = app.MapGroup("").WithMetadata(DashboardEndpoint.Instance);
        group.MapGet("/", (HttpContext http) => Asset(http, "index.html"));
        group.MapGet("/assets/{name}", (HttpContext http, string name) => Asset(http, name));
        group.MapGet("/healthz", () => Results.Text("ok\n"));
        group.MapGet("/api/images", () =>
        {
            var arr = new JsonArray();
            foreach (var item in feed.Snapshot().Reverse()) arr.Add(ItemJson(item));
            return Json(arr);
        });
        group.MapGet("/api/stats", () =>
        {
            stats.CatchUp(feed.Snapshot());
            var s = stats.ToJson();
            s["instance"] = events.Instance;
            s["subscribers"] = events.Subscribers;
            return Json(s);
        });
        group.MapGet("/events", (HttpContext http) => events.ServeAsync(http, stopping));
        group.MapGet("/images/{name}", (HttpContext http, string name) =>
        {
            if (!IsStoredName(name) || feed.Find(name) is null) return Results.NotFound();
            http.Response.Headers.CacheControl = "private, max-age=3600";
            return Results.File(Path.Combine(store.Directory, name), "image/png");
        });
        group.MapGet("/original/{name}", (HttpContext http, string name) =>
        {
            if (!IsStoredName(name) || feed.Find(name) is not { OriginalPng: { } png }) return Results.NotFound();
            http.Response.Headers.CacheControl = "private, max-age=3600";
            return Results.Bytes(png, "image/png");
        });
        group.MapGet("/cipher/{name}", (HttpContext http, string name) =>
        {
            if (!IsStoredName(name) || feed.Find(name) is not { } item) return Results.NotFound();
            http.Response.Headers.CacheControl = "private, max-age=3600";
            return Results.Bytes(DashboardCipherImage.RenderPng(item.CiphertextPreview), "image/png");
        });
    }

    /// <summary>A feed item as the page gets it: the sidecar plus <c>n</c> (feed number) and <c>cipher_preview_bytes</c>.</summary>
    internal static JsonObject ItemJson(ReceivedItem item)
    {
        var o = (JsonObject)item.Sidecar.DeepClone();
        o["n"] = item.Number;
        o["file"] ??= item.StoredName;
        o["cipher_preview_bytes"] = item.CiphertextPreview.Length;
        o["has_original"] = item.OriginalPng is not null;
        return o;
    }

    /// <summary>True for IP literals, <c>localhost</c> (and <c>*.localhost</c>) and the configured names.</summary>
    internal static bool IsAllowedHost(string host, IReadOnlyList<string> allowed)
    {
        if (string.IsNullOrEmpty(host)) return false;
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(bare, out _)) return true;
        if (bare.Equals("localhost", StringComparison.OrdinalIgnoreCase) || bare.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var name in allowed)
            if (bare.Equals(name, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    // Stored names are made by ImageStore from a counter and a sanitised stem; anything else is not ours.
    private static bool IsStoredName(string name) =>
        name.Length is > 4 and <= 80 && name.EndsWith(".png", StringComparison.Ordinal) && Path.GetFileName(name) == name
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && !name.Contains("..", StringComparison.Ordinal);

    private static IResult Asset(HttpContext http, string name)
    {
        if (DashboardAssets.Get(name) is not { } asset) return Results.NotFound();
        http.Response.Headers.ETag = asset.ETag;
        http.Response.Headers.CacheControl = "no-cache";
        if (http.Request.Headers.IfNoneMatch is var inm && inm.Count > 0 && inm.Any(v => v == asset.ETag))
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static IResult Json(JsonNode node)
    {
        return Results.Text(node.ToJsonString(), "application/json; charset=utf-8");
    }

    /// <summary>Counts every stored image into <paramref name="stats"/>, watched or not.</summary>
    private static async Task CountAsync(ReceivedFeed feed, DashboardStats stats, CancellationToken stopping)
    {
        var (reader, handle) = feed.Subscribe();
        using var _ = handle;
        try
        {
            await foreach (var item in reader.ReadAllAsync(stopping))
            {
                if (item.Number > stats.LastNumber + 1) stats.CatchUp(feed.Snapshot()); // dropped while we were slow
                stats.Add(item);
            }
        }
        catch (OperationCanceledException)
        {
            // receiver stopping
        }
    }

    /// <summary>Endpoint metadata marking the dashboard's own routes.</summary>
    private sealed class DashboardEndpoint
    {
        public static readonly DashboardEndpoint Instance = new();
    }
}
