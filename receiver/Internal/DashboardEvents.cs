using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// The dashboard's Server-Sent Events stream (<c>GET /events</c>, <c>text/event-stream</c>). On connect it sends
/// <c>retry:</c>, a <c>hello</c> event, every feed item newer than the client's <c>Last-Event-ID</c> (all of them
/// on a first connect or when the receiver restarted in between) and a <c>stats</c> event; then each new item as
/// it is stored, a <c>stats</c> event every <see cref="DashboardOptions.StatsInterval"/> and a comment line every
/// <see cref="DashboardOptions.HeartbeatInterval"/>. Event ids are <c>INSTANCE-NUMBER</c>.
/// At most <see cref="DashboardOptions.MaxSubscribers"/> streams run at once; the rest get 503 and Retry-After.
/// A stream ends when the client goes away or the receiver stops.
/// </summary>
internal sealed class DashboardEvents(ReceivedFeed feed, DashboardStats stats, DashboardOptions options)
{
    private int _subscribers;

    /// <summary>Identifies this receiver run, so a browser that reconnects after a restart starts over.</summary>
    public string Instance { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>Streams open now.</summary>
    public int Subscribers => Volatile.Read(ref _subscribers);

    public async Task ServeAsync(HttpContext http, CancellationToken stopping)
    {
        if (Interlocked.Increment(ref _subscribers) > options.MaxSubscribers)
        {
            Interlocked.Decrement(ref _subscribers);
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = "10";
            await http.Response.WriteAsync($"too many dashboard connections (limit {options.MaxSubscribers}); retry later\n", CancellationToken.None);
            return;
        }
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
            await StreamAsync(http, linked.Token);
        }
        catch (OperationCanceledException)
        {
            // the browser left or the receiver is stopping
        }
        catch (IOException)
        {
            // connection reset mid-write
        }
        finally
        {
            Interlocked.Decrement(ref _subscribers);
        }
    }

    private async Task StreamAsync(HttpContext http, CancellationToken ct)
    {
        var (reader, handle) = feed.Subscribe(); // before the snapshot, so nothing falls between the two
        using var _ = handle;
        var response = http.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        long last = ResumeFrom(http.Request.Headers["Last-Event-ID"].ToString());
        var sb = new StringBuilder();
        sb.Append("retry: ").Append(((long)options.ReconnectDelay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)).Append("\n\n");
        AppendEvent(sb, "hello", null, new JsonObject { ["instance"] = Instance, ["resumed_after"] = last });
        foreach (var item in feed.Snapshot())
            if (item.Number > last) { AppendImage(sb, item); last = item.Number; }
        AppendStats(sb);
        await FlushAsync(response, sb, ct);

        var now = DateTimeOffset.UtcNow;
        var nextStats = now + options.StatsInterval;
        var nextBeat = now + options.HeartbeatInterval;
        while (!ct.IsCancellationRequested)
        {
            var wait = (nextStats < nextBeat ? nextStats : nextBeat) - DateTimeOffset.UtcNow;
            bool ready = false;
            if (wait > TimeSpan.Zero)
            {
                using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timer.CancelAfter(wait);
                try
                {
                    if (!await reader.WaitToReadAsync(timer.Token)) return; // unsubscribed
                    ready = true;
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // timer: time for stats or a heartbeat
                }
            }
            if (ready)
            {
                while (reader.TryRead(out var item))
                {
                    if (item.Number <= last) continue;
                    if (item.Number > last + 1) // the subscription dropped items (slow reader): fill from the feed
                        foreach (var missed in feed.Snapshot())
                            if (missed.Number > last && missed.Number < item.Number) { AppendImage(sb, missed); last = missed.Number; }
                    AppendImage(sb, item);
                    last = item.Number;
                }
                AppendStats(sb);
                nextStats = DateTimeOffset.UtcNow + options.StatsInterval;
            }
            now = DateTimeOffset.UtcNow;
            if (now >= nextStats) { AppendStats(sb); nextStats = now + options.StatsInterval; }
            if (now >= nextBeat)
            {
                sb.Append(": heartbeat ").Append(now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append("\n\n");
                nextBeat = now + options.HeartbeatInterval;
            }
            if (sb.Length > 0) await FlushAsync(response, sb, ct);
        }
    }

    /// <summary>The feed number after which to resume: the number in "INSTANCE-NUMBER" when INSTANCE is ours, else 0.</summary>
    internal long ResumeFrom(string lastEventId)
    {
        int dash = lastEventId.LastIndexOf('-');
        if (dash <= 0 || !lastEventId.AsSpan(0, dash).SequenceEqual(Instance)) return 0;
        return long.TryParse(lastEventId.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    private void AppendImage(StringBuilder sb, ReceivedItem item) =>
        AppendEvent(sb, "image", $"{Instance}-{item.Number.ToString(CultureInfo.InvariantCulture)}", Dashboard.ItemJson(item));

    private void AppendStats(StringBuilder sb)
    {
        stats.CatchUp(feed.Snapshot());
        AppendEvent(sb, "stats", null, stats.ToJson());
    }

    /// <summary>One event. JSON text never holds a raw line break, so the data fits on one <c>data:</c> line.</summary>
    internal static void AppendEvent(StringBuilder sb, string type, string? id, JsonNode data)
    {
        if (id is not null) sb.Append("id: ").Append(id).Append('\n');
        sb.Append("event: ").Append(type).Append('\n');
        sb.Append("data: ").Append(data.ToJsonString()).Append("\n\n");
    }

    private static async Task FlushAsync(HttpResponse response, StringBuilder sb, CancellationToken ct)
    {
        var text = sb.ToString();
        sb.Clear();
        await response.WriteAsync(text, Encoding.UTF8, ct);
        await response.Body.FlushAsync(ct);
    }
}
