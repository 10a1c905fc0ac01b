using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using SecureTransmit.Integration.Tests.Infrastructure;

namespace SecureTransmit.Integration.Tests.Browser;

/// <summary>
/// A headless Chromium driven over the Chrome DevTools Protocol (JSON messages on a WebSocket), with no
/// extra packages: the browser is started with <c>--remote-debugging-port=0</c>, writes the port it chose to
/// <c>DevToolsActivePort</c> in its (fresh, temporary) profile folder, and we attach to its first page.
/// Every wait is bounded; <see cref="DisposeAsync"/> kills the browser and its helper processes.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string InstallHint = "install chromium (scripts/setup.sh)";

    private readonly ChildProcess _process;
    private readonly TempDir _profile;

    private HeadlessChromium(ChildProcess process, TempDir profile, int port)
    {
        _process = process;
        _profile = profile;
        DebuggingPort = port;
    }

    public int DebuggingPort { get; }

    /// <summary>$CHROMIUM, else the Debian package's /usr/bin/chromium (or chromium-browser), else null.</summary>
    public static string? FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } env && File.Exists(env)) return env;
        foreach (var p in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" })
            if (File.Exists(p)) return p;
        return null;
    }

    public static async Task<HeadlessChromium> StartAsync(TimeSpan timeout, int width = 1440, int height = 1000)
    {
        var exe = FindExecutable() ?? throw new InvalidOperationException(InstallHint);
        var profile = new TempDir("st-chromium");
        string[] args =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
            "--disable-dev-shm-usage", "--force-color-profile=srgb", $"--window-size={width},{height}",
            $"--user-data-dir={profile.Path}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            "about:blank",
        ];
        var process = ChildProcess.Start(exe, args, profile.Path);
        try
        {
            var portFile = Path.Combine(profile.Path, "DevToolsActivePort");
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                if (File.Exists(portFile))
                {
                    var lines = (await File.ReadAllLinesAsync(portFile)).Where(l => l.Length > 0).ToArray();
                    if (lines.Length >= 1 && int.TryParse(lines[0], out var port) && port > 0)
                        return new HeadlessChromium(process, profile, port);
                }
                if (process.HasExited)
                    throw new InvalidOperationException($"chromium exited at start-up\n--- stderr ---\n{process.StdErr}");
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"chromium did not open its debugging port within {timeout.TotalSeconds:0} s\n--- stderr ---\n{process.StdErr}");
                await Task.Delay(100);
            }
        }
        catch
        {
            await process.DisposeAsync();
            profile.Dispose();
            throw;
        }
    }

    /// <summary>Attaches to the browser's first page target.</summary>
    public async Task<CdpSession> AttachToPageAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = timeout };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var list = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{DebuggingPort}/json/list").WaitAsync(timeout))!.AsArray();
            var page = list.FirstOrDefault(t => t?["type"]?.GetValue<string>() == "page");
            if (page?["webSocketDebuggerUrl"]?.GetValue<string>() is { } ws)
                return await CdpSession.ConnectAsync(new Uri(ws), timeout);
            if (DateTime.UtcNow > deadline) throw new TimeoutException("chromium has no page target");
            await Task.Delay(100);
        }
    }

    public string StdErr => _process.StdErr;

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync(); // kills the whole process tree
        _profile.Dispose();
    }
}

/// <summary>One DevTools WebSocket session: numbered commands with awaited replies, and events.</summary>
public sealed class CdpSession : IAsyncDisposable
{
    private readonly ClientWebSocket _ws;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly ConcurrentDictionary<string, List<TaskCompletionSource<JsonElement>>> _waiters = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiveLoop;
    private int _nextId;

    private CdpSession(ClientWebSocket ws)
    {
        _ws = ws;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Every event received (method, params), in order; for diagnostics such as console errors.</summary>
    public ConcurrentQueue<(string Method, JsonElement Params)> Events { get; } = new();

    public static async Task<CdpSession> ConnectAsync(Uri url, TimeSpan timeout)
    {
        var ws = new ClientWebSocket();
        ws.Options.KeepAliveInterval = TimeSpan.Zero;
        using var cts = new CancellationTokenSource(timeout);
        await ws.ConnectAsync(url, cts.Token);
        return new CdpSession(ws);
    }

    /// <summary>Sends a command and returns its <c>result</c>; a protocol error becomes an exception.</summary>
    public async Task<JsonElement> SendAsync(string method, object? parameters, TimeSpan timeout)
    {
        int id = Interlocked.Increment(ref _nextId);
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        await _sendLock.WaitAsync(timeout);
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await _ws.SendAsync(bytes, WebSocketMessageType.Text, true, cts.Token);
        }
        finally
        {
            _sendLock.Release();
        }
        try
        {
            return await tcs.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"DevTools command {method} got no reply within {timeout.TotalSeconds:0} s");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>A task that completes with the params of the next <paramref name="method"/> event (register before triggering it).</summary>
    public Task<JsonElement> NextEvent(string method)
    {
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        var list = _waiters.GetOrAdd(method, _ => []);
        lock (list) list.Add(tcs);
        return tcs.Task;
    }

    /// <summary>Evaluates a JavaScript expression in the page (promises awaited) and returns its value as JSON.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression, TimeSpan timeout)
    {
        var r = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true }, timeout);
        if (r.TryGetProperty("exceptionDetails", out var ex))
            throw new InvalidOperationException($"page script failed: {ex}\nexpression: {expression}");
        var result = r.GetProperty("result");
        return result.TryGetProperty("value", out var v) ? v.Clone() : default;
    }

    /// <summary>Polls <paramref name="expression"/> until it is true; fails after <paramref name="timeout"/> with <paramref name="what"/>.</summary>
    public async Task WaitUntilAsync(string expression, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var v = await EvaluateAsync(expression, TimeSpan.FromSeconds(10));
            if (v.ValueKind == JsonValueKind.True) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: not true within {timeout.TotalSeconds:0} s ({expression})");
            await Task.Delay(100);
        }
    }

    /// <summary>A PNG of the whole page (beyond the viewport).</summary>
    public async Task<byte[]> CaptureScreenshotAsync(TimeSpan timeout)
    {
        var metrics = await SendAsync("Page.getLayoutMetrics", null, timeout);
        var size = metrics.GetProperty("cssContentSize");
        double w = Math.Ceiling(size.GetProperty("width").GetDouble()), h = Math.Ceiling(size.GetProperty("height").GetDouble());
        var r = await SendAsync("Page.captureScreenshot", new
        {
            format = "png",
            captureBeyondViewport = true,
            clip = new { x = 0, y = 0, width = w, height = h, scale = 1 },
        }, timeout);
        return Convert.FromBase64String(r.GetProperty("data").GetString()!);
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (_ws.State == WebSocketState.Open && !_stop.IsCancellationRequested)
            {
                var r = await _ws.ReceiveAsync(buffer, _stop.Token);
                if (r.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage) continue;
                Dispatch(message.ToArray());
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // closing
        }
        foreach (var p in _pending.Values) p.TrySetException(new IOException("DevTools connection closed"));
    }

    private void Dispatch(byte[] utf8)
    {
        using var doc = JsonDocument.Parse(utf8);
        var root = doc.RootElement;
        if (root.TryGetProperty("id", out var idEl) && idEl.TryGetInt32(out var id))
        {
            if (!_pending.TryGetValue(id, out var tcs)) return;
            if (root.TryGetProperty("error", out var err)) tcs.TrySetException(new InvalidOperationException($"DevTools error: {err}"));
            else tcs.TrySetResult(root.TryGetProperty("result", out var res) ? res.Clone() : default);
            return;
        }
        if (root.TryGetProperty("method", out var m) && m.GetString() is { } method)
        {
            var p = root.TryGetProperty("params", out var pe) ? pe.Clone() : default;
            Events.Enqueue((method, p));
            if (_waiters.TryGetValue(method, out var list))
            {
                TaskCompletionSource<JsonElement>[] ready;
                lock (list) { ready = [.. list]; list.Clear(); }
                foreach (var t in ready) t.TrySetResult(p);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_ws.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
        _stop.Cancel();
        try { await _receiveLoop.WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
        _ws.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }
}
