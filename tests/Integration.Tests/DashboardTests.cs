using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SecureTransmit.Imaging;
using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Receiver.Internal;

namespace SecureTransmit.Integration.Tests;

/// <summary>
/// The dashboard's server side in-process: a Kestrel app with the dashboard on one port and another endpoint on a
/// second port, a <see cref="ReceivedFeed"/> the test publishes into, and plain HTTP clients.
/// </summary>
public sealed class DashboardTests
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Serves_the_page_with_security_headers_only_on_its_port()
    {
        await using var d = await TestDashboard.StartAsync();
        using var http = new HttpClient { Timeout = T };

        using var page = await http.GetAsync(d.Url("/")).WaitAsync(T);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'",
            page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());

        foreach (var (asset, type) in new[] { ("app.js", "text/javascript"), ("app.css", "text/css"), ("favicon.svg", "image/svg+xml") })
        {
            using var r = await http.GetAsync(d.Url("/assets/" + asset)).WaitAsync(T);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(type, r.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single());
            // Revalidation by ETag.
            using var again = new HttpRequestMessage(HttpMethod.Get, d.Url("/assets/" + asset));
            again.Headers.TryAddWithoutValidation("If-None-Match", r.Headers.ETag!.Tag);
            using var r304 = await http.SendAsync(again).WaitAsync(T);
            Assert.Equal(HttpStatusCode.NotModified, r304.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(d.Url("/assets/nope.js")).WaitAsync(T)).StatusCode);
        // The app's other endpoint is not reachable through the dashboard port, and the dashboard not through the other.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(d.Url("/other")).WaitAsync(T)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{d.OtherPort}/other").WaitAsync(T)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{d.OtherPort}/").WaitAsync(T)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{d.OtherPort}/api/images").WaitAsync(T)).StatusCode);
        // Read-only.
        using var post = await http.PostAsync(d.Url("/api/images"), new StringContent("")).WaitAsync(T);
        Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);

        // A foreign Host (DNS rebinding) is refused; IP literals and localhost are fine.
        foreach (var (host, ok) in new[] { ("evil.example", false), ("127.0.0.1", true), ($"localhost:{d.Port}", true) })
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, d.Url("/healthz"));
            req.Headers.Host = host;
            using var r = await http.SendAsync(req).WaitAsync(T);
            Assert.Equal(ok ? HttpStatusCode.OK : HttpStatusCode.MisdirectedRequest, r.StatusCode);
        }
    }

    [Fact]
    public void Page_loads_nothing_from_elsewhere_and_has_no_inline_code()
    {
        var html = Asset("index.html");
        var js = Asset("app.js");
        var css = Asset("app.css");
        foreach (var (name, text) in new[] { ("index.html", html), ("app.js", js), ("app.css", css) })
        {
            Assert.DoesNotMatch(new Regex(@"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", RegexOptions.IgnoreCase), text);
            Assert.DoesNotContain("@import", text, StringComparison.Ordinal);
            Assert.False(text.Contains("url(http", StringComparison.OrdinalIgnoreCase), $"{name} fetches a remote url()");
        }
        // The CSP forbids inline script and style: none may exist (it would silently not run).
        Assert.DoesNotMatch(new Regex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"\sstyle\s*=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"\son[a-z]+\s*=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        // Data from senders goes through textContent; the script never assigns HTML.
        Assert.DoesNotMatch(new Regex(@"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write"), js);
        Assert.DoesNotContain("eval(", js, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serves_reconstructions_and_ciphertext_pictures_of_feed_items_only()
    {
        await using var d = await TestDashboard.StartAsync();
        using var http = new HttpClient { Timeout = T };
        var small = RandomBytes(1000, seed: 1);
        var big = RandomBytes(70_000, seed: 2);
        var a = d.Add("first.png", small);
        var b = d.Add("second.png", big);

        using (var r = await http.GetAsync(d.Url("/images/" + a.StoredName)).WaitAsync(T))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("image/png", r.Content.Headers.ContentType?.MediaType);
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(d.Store.Directory, a.StoredName)), await r.Content.ReadAsByteArrayAsync());
        }

        // 1000 bytes → 32×32 gray, row-major, the last 24 pixels black.
        var pic = ImageIO.Decode(await http.GetByteArrayAsync(d.Url("/cipher/" + a.StoredName)).WaitAsync(T));
        Assert.Equal((32, 32, 1), (pic.Width, pic.Height, pic.Channels));
        Assert.Equal(small, pic.Pixels[..1000]);
        Assert.All(pic.Pixels[1000..], p => Assert.Equal(0, p));
        // Only the first 64 KiB of a longer ciphertext are kept and drawn: 256×256.
        var bigPic = ImageIO.Decode(await http.GetByteArrayAsync(d.Url("/cipher/" + b.StoredName)).WaitAsync(T));
        Assert.Equal((256, 256), (bigPic.Width, bigPic.Height));
        Assert.Equal(big[..65536], bigPic.Pixels);

        foreach (var path in new[] { "/images/999999-none.png", "/cipher/999999-none.png", "/images/..%2Fsecret.png",
                     "/images/" + a.StoredName[..^4] + ".json", "/cipher/%2Fetc%2Fpasswd" })
        {
            using var r = await http.GetAsync(d.Url(path)).WaitAsync(T);
            Assert.True(r.StatusCode == HttpStatusCode.NotFound, $"{path}: {r.StatusCode}");
        }

        var list = JsonNode.Parse(await http.GetStringAsync(d.Url("/api/images")).WaitAsync(T))!.AsArray();
        Assert.Equal(new[] { b.StoredName, a.StoredName }, list.Select(i => i!["file"]!.GetValue<string>()));
        Assert.Equal(new[] { 2L, 1L }, list.Select(i => i!["n"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Event_stream_sends_snapshot_live_items_stats_and_heartbeats_and_resumes()
    {
        var options = new DashboardOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(300), StatsInterval = TimeSpan.FromMilliseconds(700) };
        await using var d = await TestDashboard.StartAsync(options);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var first = d.Add("one.png", RandomBytes(500, 3), wireBytes: 600);

        await using var s1 = await SseClient.OpenAsync(http, d.Url("/events"), null);
        Assert.Equal("text/event-stream", s1.ContentType);
        var hello = await s1.NextEventAsync("hello");
        var instance = hello.Data["instance"]!.GetValue<string>();
        var snap = await s1.NextEventAsync("image");
        Assert.Equal(first.StoredName, snap.Data["file"]!.GetValue<string>());
        Assert.Equal($"{instance}-1", snap.Id);
        var stats = await s1.NextEventAsync("stats");
        Assert.Equal(1, stats.Data["images"]!.GetValue<long>());
        Assert.Equal(600, stats.Data["wire_bytes"]!.GetValue<long>());

        var second = d.Add("two.png", RandomBytes(700, 4), wireBytes: 800);
        var live = await s1.NextEventAsync("image");
        Assert.Equal(second.StoredName, live.Data["file"]!.GetValue<string>());
        Assert.Equal($"{instance}-2", live.Id);
        Assert.Equal(2, live.Data["n"]!.GetValue<long>());
        var stats2 = await s1.NextEventAsync("stats");
        Assert.Equal(2, stats2.Data["images"]!.GetValue<long>());
        Assert.Equal(1400, stats2.Data["wire_bytes"]!.GetValue<long>());
        // Both images arrived within the last seconds: the per-second series holds their bytes.
        Assert.Equal(1400, stats2.Data["series"]!["bytes"]!.AsArray().Sum(v => v!.GetValue<long>()));
        await s1.NextCommentAsync(); // heartbeat

        // Resuming after image 1 of this run sends only image 2; an id from another run (a restart) sends all.
        await using (var s2 = await SseClient.OpenAsync(http, d.Url("/events"), $"{instance}-1"))
        {
            await s2.NextEventAsync("hello");
            var ev = await s2.NextAsync();
            Assert.Equal(("image", $"{instance}-2"), (ev.Type, ev.Id));
        }
        await using (var s3 = await SseClient.OpenAsync(http, d.Url("/events"), "0123456789ab-2"))
        {
            await s3.NextEventAsync("hello");
            Assert.Equal($"{instance}-1", (await s3.NextAsync()).Id);
        }
    }

    [Fact]
    public async Task Event_stream_limits_subscribers_frees_slots_on_disconnect_and_ends_on_stop()
    {
        var options = new DashboardOptions { MaxSubscribers = 2, HeartbeatInterval = TimeSpan.FromMilliseconds(200) };
        var d = await TestDashboard.StartAsync(options);
        try
        {
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var a = await SseClient.OpenAsync(http, d.Url("/events"), null);
            await using var b = await SseClient.OpenAsync(http, d.Url("/events"), null);
            await a.NextEventAsync("hello");
            await b.NextEventAsync("hello");

            using (var refused = await http.GetAsync(d.Url("/events"), HttpCompletionOption.ResponseHeadersRead).WaitAsync(T))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.True(refused.Headers.RetryAfter is not null);
            }

            await a.DisposeAsync(); // the browser goes away
            await WaitForAsync(async () => (await Stats(http, d))["subscribers"]!.GetValue<int>() == 1, "slot freed after disconnect");
            await using var c = await SseClient.OpenAsync(http, d.Url("/events"), null);
            await c.NextEventAsync("hello");

            // Stopping the receiver ends open streams at once instead of waiting for the shutdown timeout.
            var stop = System.Diagnostics.Stopwatch.StartNew();
            await d.App.StopAsync().WaitAsync(T);
            Assert.True(stop.Elapsed < TimeSpan.FromSeconds(5), $"stop took {stop.Elapsed.TotalSeconds:0.0} s with streams open");
        }
        finally
        {
            await d.DisposeAsync();
        }
    }

    [Fact]
    public void Stats_count_each_feed_number_once_and_bin_bytes_per_second()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var stats = new DashboardStats(60, () => now);
        static ReceivedItem Item(long n, long wire, double ratio, DateTimeOffset at) => new(n, $"{n:D6}-x.png",
            new JsonObject { ["wire_bytes"] = wire, ["original_png_bytes"] = (long)(wire * ratio), ["ratio_vs_png"] = ratio, ["received_at"] = at.ToString("O") }, [], 1, 1);

        Assert.True(stats.Add(Item(1, 100, 10, now.AddSeconds(-59))));
        Assert.True(stats.Add(Item(2, 200, 20, now.AddSeconds(-1))));
        Assert.True(stats.Add(Item(3, 50, 30, now.AddSeconds(-1))));
        Assert.False(stats.Add(Item(3, 50, 30, now))); // same number again
        Assert.True(stats.Add(Item(5, 1000, 40, now.AddSeconds(-120)))); // older than the window; number 4 never seen

        var j = stats.ToJson();
        Assert.Equal(5, j["images"]!.GetValue<long>());
        Assert.Equal(1350, j["wire_bytes"]!.GetValue<long>());
        Assert.Equal(25.0, j["mean_ratio"]!.GetValue<double>(), 1e-9);
        var series = j["series"]!["bytes"]!.AsArray().Select(v => v!.GetValue<long>()).ToArray();
        Assert.Equal(60, series.Length);
        Assert.Equal(now.ToUnixTimeSeconds(), j["series"]!["end"]!.GetValue<long>());
        Assert.Equal(100, series[0]);   // 59 s ago
        Assert.Equal(250, series[58]);  // 1 s ago
        Assert.Equal(350, series.Sum());

        now = now.AddSeconds(30); // the window moves: the oldest second leaves it
        var later = stats.ToJson()["series"]!["bytes"]!.AsArray().Select(v => v!.GetValue<long>()).ToArray();
        Assert.Equal(250, later.Sum());
        Assert.Equal(250, later[28]);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("[::1]", true)]
    [InlineData("192.168.1.20", true)]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST", true)]
    [InlineData("app.localhost", true)]
    [InlineData("my-box", true)]
    [InlineData("attacker.example", false)]
    [InlineData("localhost.attacker.example", false)]
    [InlineData("", false)]
    public void Host_check_accepts_ip_literals_localhost_and_listed_names(string host, bool allowed) =>
        Assert.Equal(allowed, Dashboard.IsAllowedHost(host, ["my-box"]));

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(4, 2, 2)]
    [InlineData(5, 3, 2)]
    [InlineData(65536, 256, 256)]
    [InlineData(65537, 256, 257)]
    public void Ciphertext_picture_is_nearly_square_and_at_most_256_wide(int bytes, int w, int h) =>
        Assert.Equal((w, h), DashboardCipherImage.Layout(bytes));

    [Fact]
    public void Options_reject_bad_values()
    {
        Assert.Throws<ArgumentException>(() => new DashboardOptions { MaxSubscribers = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new DashboardOptions { HeartbeatInterval = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentException>(() => new DashboardOptions { ThroughputSeconds = 5 }.Validate());
        new DashboardOptions().Validate();
    }

    private static async Task<JsonNode> Stats(HttpClient http, TestDashboard d) =>
        JsonNode.Parse(await http.GetStringAsync(d.Url("/api/stats")).WaitAsync(T))!;

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow + T;
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException(what);
            await Task.Delay(50);
        }
    }

    private static string Asset(string name) =>
        File.ReadAllText(Path.Combine(Repo.Root, "receiver", "Dashboard", name));

    private static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>A Kestrel app with the dashboard on one loopback port and <c>GET /other</c> on a second.</summary>
    private sealed class TestDashboard : IAsyncDisposable
    {
        private readonly TempDir _dir = new("st-dashboard");

        private TestDashboard() => Store = new ImageStore(_dir["out"]);

        public WebApplication App { get; private set; } = null!;
        public ReceivedFeed Feed { get; } = new();
        public ImageStore Store { get; }
        public int Port { get; private set; }
        public int OtherPort { get; private set; }

        public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

        public static async Task<TestDashboard> StartAsync(DashboardOptions? options = null)
        {
            var d = new TestDashboard();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k =>
            {
                Dashboard.Listen(k, new IPEndPoint(IPAddress.Loopback, 0));
                k.Listen(IPAddress.Loopback, 0);
            });
            d.App = builder.Build();
            d.App.MapGet("/other", () => "other");
            Dashboard.Map(d.App, () => d.Port, d.Feed, d.Store, options ?? DashboardOptions.Default);
            await d.App.StartAsync().WaitAsync(T);
            var ports = d.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
                .Select(a => new Uri(a).Port).ToList();
            (d.Port, d.OtherPort) = (ports[0], ports[1]);
            return d;
        }

        /// <summary>Stores a small PNG with a sidecar and publishes it to the feed, as the receiver does.</summary>
        public (string StoredName, JsonObject Sidecar) Add(string name, byte[] ciphertext, long wireBytes = 1234)
        {
            var png = PngEncoder.Encode(new Image(4, 3, 3));
            var sidecar = new JsonObject
            {
                ["display_name"] = name, ["sender_fingerprint"] = new string('a', 64), ["image_id"] = Guid.NewGuid().ToString("N"),
                ["model"] = "cae-compact", ["cipher"] = "logistic", ["width"] = 4, ["height"] = 3,
                ["latent_bytes"] = ciphertext.Length, ["wire_bytes"] = wireBytes, ["original_png_bytes"] = 5000L,
                ["ratio_vs_png"] = Math.Round(5000.0 / wireBytes, 3), ["bpp"] = wireBytes * 8.0 / 12,
                ["received_at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            };
            var (stored, _) = Store.Commit(ImageStore.ImageKey(new string('a', 64), sidecar["image_id"]!.GetValue<string>()), name, png, sidecar);
            Feed.Publish(stored, sidecar, ciphertext, 4, 3);
            return (stored, sidecar);
        }

        public async ValueTask DisposeAsync()
        {
            try { await App.StopAsync().WaitAsync(T); } catch (ObjectDisposedException) { }
            await App.DisposeAsync();
            _dir.Dispose();
        }
    }

    /// <summary>Reads a text/event-stream response event by event, each read bounded.</summary>
    private sealed class SseClient : IAsyncDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly StreamReader _reader;
        private readonly CancellationTokenSource _cts = new();

        private SseClient(HttpResponseMessage response, Stream body)
        {
            _response = response;
            _reader = new StreamReader(body);
        }

        public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

        public static async Task<SseClient> OpenAsync(HttpClient http, string url, string? lastEventId)
        {
            var req = new HttpRequestMessage(HttpMethod.Get, url);
            req.Headers.Accept.ParseAdd("text/event-stream");
            if (lastEventId is not null) req.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
            var r = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead).WaitAsync(T);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return new SseClient(r, await r.Content.ReadAsStreamAsync().WaitAsync(T));
        }

        public async Task<(string Type, string? Id, JsonNode Data)> NextEventAsync(string type)
        {
            while (true)
            {
                var e = await NextAsync();
                if (e.Type == type) return e;
                if (e.Type == "image") Assert.Fail($"expected a '{type}' event, got an image ({e.Id})"); // stats and hello may come between
            }
        }

        /// <summary>The next event (comments skipped).</summary>
        public async Task<(string Type, string? Id, JsonNode Data)> NextAsync()
        {
            string type = "message";
            string? id = null, data = null;
            while (true)
            {
                var line = await ReadLineAsync();
                if (line.Length == 0)
                {
                    if (data is not null) return (type, id, JsonNode.Parse(data)!);
                    continue;
                }
                if (line.StartsWith(':')) continue;
                int colon = line.IndexOf(':');
                var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
                switch (field)
                {
                    case "event": type = value; break;
                    case "id": id = value; break;
                    case "data": data = data is null ? value : data + "\n" + value; break;
                }
            }
        }

        /// <summary>Reads until a comment line (a heartbeat) arrives.</summary>
        public async Task NextCommentAsync()
        {
            while (!(await ReadLineAsync()).StartsWith(':')) { }
        }

        private async Task<string> ReadLineAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
            timeout.CancelAfter(T);
            return await _reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("event stream ended");
        }

        public ValueTask DisposeAsync()
        {
            _cts.Cancel();
            _reader.Dispose();
            _response.Dispose();
            _cts.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
