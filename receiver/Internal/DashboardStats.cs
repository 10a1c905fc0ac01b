using System.Globalization;
using System.Text.Json.Nodes;

namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// Running totals of the images received since the receiver started (not only those still in the bounded feed),
/// and bytes on the wire per second over the last <see cref="DashboardOptions.ThroughputSeconds"/> seconds.
/// Fed by <see cref="Add"/>; thread-safe.
/// </summary>
internal sealed class DashboardStats
{
    private readonly object _lock = new();
    private readonly long[] _buckets;     // bytes per second, ring indexed by unix second mod length
    private readonly long[] _bucketSecond; // the unix second each ring slot currently holds
    private readonly Func<DateTimeOffset> _clock;
    private long _images, _wireBytes, _pngBytes, _lastNumber;
    private double _ratioSum;
    private int _ratioCount;

    public DashboardStats(int seconds, Func<DateTimeOffset>? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 1);
        _buckets = new long[seconds];
        _bucketSecond = new long[seconds];
        Array.Fill(_bucketSecond, long.MinValue);
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        Started = _clock();
    }

    public DateTimeOffset Started { get; }

    /// <summary>The feed number of the newest item counted (items arrive in number order; older ones are ignored).</summary>
    public long LastNumber { get { lock (_lock) return _lastNumber; } }

    /// <summary>Counts one image. Returns false (and counts nothing) when its number was already counted.</summary>
    public bool Add(ReceivedItem item)
    {
        var s = item.Sidecar;
        long wire = Long(s["wire_bytes"]);
        long png = Long(s["original_png_bytes"]);
        double? ratio = Double(s["ratio_vs_png"]);
        var at = s["received_at"] is JsonValue v && v.TryGetValue(out string? text)
                 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed : _clock();
        lock (_lock)
        {
            if (item.Number <= _lastNumber) return false;
            _images += item.Number - _lastNumber; // numbers are consecutive: an item never seen still counts as an image
            _lastNumber = item.Number;
            _wireBytes += wire;
            _pngBytes += png;
            if (ratio is { } r && double.IsFinite(r)) { _ratioSum += r; _ratioCount++; }
            long second = at.ToUnixTimeSeconds();
            int slot = (int)(((second % _buckets.Length) + _buckets.Length) % _buckets.Length);
            if (_bucketSecond[slot] < second) { _bucketSecond[slot] = second; _buckets[slot] = 0; } // slot held an older second
            if (_bucketSecond[slot] == second) _buckets[slot] += wire; // else: older than the window, totals only
        }
        return true;
    }

    /// <summary>Counts the items of a feed snapshot (oldest first) not counted yet.</summary>
    public void CatchUp(IEnumerable<ReceivedItem> snapshot)
    {
        foreach (var item in snapshot)
            if (item.Number > LastNumber) Add(item);
    }

    /// <summary>
    /// Totals and the throughput series as JSON:
    /// <c>{images, wire_bytes, png_bytes, mean_ratio, overall_ratio, started, series: {end, step_s, bytes[]}}</c>,
    /// where <c>bytes[i]</c> is the bytes received during second <c>end - (n-1) + i</c> (unix seconds, oldest first).
    /// </summary>
    public JsonObject ToJson()
    {
        long end = _clock().ToUnixTimeSeconds();
        var series = new JsonArray();
        lock (_lock)
        {
            int n = _buckets.Length;
            for (long second = end - n + 1; second <= end; second++)
            {
                int slot = (int)(((second % n) + n) % n);
                series.Add(_bucketSecond[slot] == second ? _buckets[slot] : 0);
            }
            return new JsonObject
            {
                ["images"] = _images,
                ["wire_bytes"] = _wireBytes,
                ["png_bytes"] = _pngBytes,
                ["mean_ratio"] = _ratioCount > 0 ? Math.Round(_ratioSum / _ratioCount, 3) : null,
                ["overall_ratio"] = _wireBytes > 0 && _pngBytes > 0 ? Math.Round((double)_pngBytes / _wireBytes, 3) : null,
                ["started"] = Started.ToString("O", CultureInfo.InvariantCulture),
                ["series"] = new JsonObject { ["end"] = end, ["step_s"] = 1, ["bytes"] = series },
            };
        }
    }

    // Sidecar values are built from int, long or double; read any JSON number through its text.
    private static double? Double(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
        && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;

    private static long Long(JsonNode? node) => Double(node) is { } d ? (long)d : 0;
}
