using System.Security.Cryptography;

namespace SecureTransmit.Receiver.Internal;

/// <summary>One static file of the dashboard page, embedded in the receiver assembly.</summary>
internal sealed record DashboardAsset(string Name, byte[] Content, string ContentType, string ETag);

/// <summary>
/// The page's files (receiver/Dashboard/*, embedded with logical names <c>dashboard/NAME</c>), loaded once.
/// Nothing is read from disk or the network at run time.
/// </summary>
internal static class DashboardAssets
{
    private const string Prefix = "dashboard/";

    private static readonly Lazy<IReadOnlyDictionary<string, DashboardAsset>> All = new(Load);

    public static DashboardAsset? Get(string name) => All.Value.TryGetValue(name, out var a) ? a : null;

    public static IEnumerable<string> Names => All.Value.Keys;

    public static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };

    private static Dictionary<string, DashboardAsset> Load()
    {
        var asm = typeof(DashboardAssets).Assembly;
        var map = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var resource in asm.GetManifestResourceNames())
        {
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            using var s = asm.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"embedded resource {resource} is missing");
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            var bytes = ms.ToArray();
            var name = resource[Prefix.Length..];
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..20] + "\"";
            map[name] = new DashboardAsset(name, bytes, ContentTypeOf(name), etag);
        }
        if (!map.ContainsKey("index.html"))
            throw new InvalidOperationException($"the dashboard page is not embedded in {asm.GetName().Name} (expected resource {Prefix}index.html)");
        return map;
    }
}
