using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SecureTransmit.Receiver.Internal;

/// <summary>
/// The receiver's output folder. An image is stored when, and only when, its JSON sidecar exists:
/// the PNG is written to a temporary file and renamed into place, then the sidecar likewise; the sidecar's
/// rename is the commit point. Temporaries are named <c>.securetransmit-NAME.RANDOM.partial</c> and created with
/// O_EXCL (a symlink in their place makes the write fail, never followed); the sidecar's temporary is written before the
/// PNG is renamed, so on start-up <see cref="Recover"/> knows which PNGs are its own interrupted commits. It deletes
/// only those and its own temporaries — never a file it did not write. Files are 0600 in a 0700 folder unless
/// <c>sharedPermissions</c> (0644 / 0755). Each sidecar records the sender's image id, so a retried image is stored once.
/// </summary>
public sealed class ImageStore
{
    /// <summary>Prefix and suffix of this store's temporaries: ".securetransmit-" NAME "." 8 hex ".partial".</summary>
    internal const string TempPrefix = ".securetransmit-";
    internal const string TempSuffix = ".partial";
    private readonly UnixFileMode _fileMode;
    private readonly ConcurrentDictionary<string, string> _byImageKey = new(StringComparer.Ordinal);
    private readonly object _numberLock = new();
    private long _next;

    public ImageStore(string directory, bool sharedPermissions = false)
    {
        Directory = Path.GetFullPath(directory);
        var dirMode = sharedPermissions
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        _fileMode = sharedPermissions
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead
            : UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(Directory);
        else
        {
            System.IO.Directory.CreateDirectory(Directory, dirMode);
            File.SetUnixFileMode(Directory, dirMode);
        }
    }

    public string Directory { get; }

    public int Count => _byImageKey.Count;

    /// <summary>Removes leftovers of interrupted writes and indexes the stored images. Returns the number removed.</summary>
    public int Recover()
    {
        int removed = 0;
        foreach (var tmp in System.IO.Directory.EnumerateFiles(Directory, TempPrefix + "*" + TempSuffix))
        {
            if (new FileInfo(tmp).LinkTarget is not null) continue;
            // ".securetransmit-NNNNNN-stem.json.RANDOM.partial": the sidecar of a commit interrupted before its
            // rename. Its PNG, if already renamed into place, is ours and incomplete without the sidecar.
            var name = Path.GetFileName(tmp)[TempPrefix.Length..];
            int jsonAt = name.IndexOf(".json.", StringComparison.Ordinal);
            if (jsonAt > 0)
            {
                var png = Path.Combine(Directory, name[..jsonAt] + ".png");
                var json = Path.Combine(Directory, name[..jsonAt] + ".json");
                if (File.Exists(png) && !File.Exists(json) && new FileInfo(png).LinkTarget is null) { File.Delete(png); removed++; }
            }
            File.Delete(tmp);
            removed++;
        }
        long max = 0;
        foreach (var png in System.IO.Directory.EnumerateFiles(Directory, "*.png"))
            max = Math.Max(max, NumberOf(png));
        foreach (var sidecar in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            var png = Path.ChangeExtension(sidecar, ".png");
            if (!File.Exists(png)) continue;
            try
            {
                var node = JsonNode.Parse(File.ReadAllText(sidecar));
                var key = ImageKey(node?["sender_fingerprint"]?.GetValue<string>() ?? "", node?["image_id"]?.GetValue<string>() ?? "");
                _byImageKey[key] = Path.GetFileName(png);
            }
            catch (JsonException)
            {
                // A sidecar is only ever renamed into place complete, so this is damage from outside: keep the image, skip the index.
            }
        }
        lock (_numberLock) _next = Math.Max(_next, max);
        return removed;
    }

    public static string ImageKey(string senderFingerprint, string imageIdHex) => senderFingerprint + "/" + imageIdHex;

    /// <summary>The stored file name of an image already committed for this sender and image id, if any.</summary>
    public bool TryGetStored(string imageKey, out string storedName) => _byImageKey.TryGetValue(imageKey, out storedName!);

    /// <summary>
    /// Writes the PNG and its sidecar atomically and returns the stored PNG's file name. When the same image key
    /// was committed before (a retry), nothing is written and the earlier name is returned with <c>duplicate</c> set.
    /// </summary>
    public (string StoredName, bool Duplicate) Commit(string imageKey, string displayName, byte[] png, JsonObject sidecar)
    {
        lock (_byImageKey)
        {
            if (_byImageKey.TryGetValue(imageKey, out var existing)) return (existing, true);
            long n;
            lock (_numberLock) n = ++_next;
            var stem = $"{n:D6}-{SafeStem(displayName)}";
            var pngPath = Path.Combine(Directory, stem + ".png");
            var jsonPath = Path.Combine(Directory, stem + ".json");
            sidecar["file"] = stem + ".png";
            // The sidecar's temporary exists before the PNG is renamed: it marks the PNG as ours for Recover.
            var jsonTmp = WriteTemp(jsonPath, JsonSerializer.SerializeToUtf8Bytes(sidecar, new JsonSerializerOptions { WriteIndented = true }));
            File.Move(WriteTemp(pngPath, png), pngPath, overwrite: false);
            File.Move(jsonTmp, jsonPath, overwrite: false);
            _byImageKey[imageKey] = stem + ".png";
            return (stem + ".png", false);
        }
    }

    /// <summary>
    /// The sidecar's notes on what happens to every image on the way (the sender's rules, the same for every image):
    /// alpha is composited onto white before encoding, 16-bit sources are rounded to 8 bits, and the colour type.
    /// </summary>
    public static JsonArray SourceNotes(SecureTransmit.Codec.ColorType color, ushort flags = 0) =>
    [
        color == SecureTransmit.Codec.ColorType.Gray ? "gray source: stored as a 1-channel gray PNG" : "colour source: stored as an RGB PNG",
        (flags & SecureTransmit.Codec.PacketHeader.FlagAlphaComposited) != 0
            ? "alpha: this source had transparency; the sender composited it onto white (#FFFFFF) (the codec carries no alpha)"
            : "alpha: none in this source (the codec carries no alpha)",
        (flags & SecureTransmit.Codec.PacketHeader.FlagReduced16To8) != 0
            ? "bit depth: this source had 16-bit samples; the sender rounded them to 8 bits"
            : "bit depth: 8, as the source",
    ];

    /// <summary>Largest stored stem in UTF-8 bytes (the full name adds "NNNNNN-" and ".json": far below NAME_MAX 255).</summary>
    public const int MaxStemBytes = 96;

    /// <summary>
    /// The path-safe stem of a sender-given name (never a path): the last path component without its extension,
    /// NFC-normalised; Unicode letters, digits and combining marks kept, '-' kept; every other run (spaces,
    /// punctuation, symbols, emoji, control and format characters, '/', '\', '.') becomes one '_'; leading and trailing
    /// '_' trimmed; at most <see cref="MaxStemBytes"/> UTF-8 bytes, cut between whole characters. "image" when
    /// nothing is left. The original name is kept in the sidecar's <c>display_name</c>.
    /// </summary>
    public static string SafeStem(string name)
    {
        name ??= "";
        int slash = Math.Max(name.LastIndexOf('/'), name.LastIndexOf('\\'));
        var last = name[(slash + 1)..];
        int dot = last.LastIndexOf('.');
        var stem = UnicodeNfc.Normalize(dot > 0 ? last[..dot] : last);
        var sb = new StringBuilder(stem.Length);
        int bytes = 0;
        bool pendingGap = false;
        foreach (var rune in stem.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            bool keep = Rune.IsLetterOrDigit(rune) || rune.Value == '-'
                || category is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark;
            if (!keep)
            {
                pendingGap = sb.Length > 0;
                continue;
            }

            int need = rune.Utf8SequenceLength + (pendingGap ? 1 : 0);
            if (bytes + need > MaxStemBytes) break;
            if (pendingGap) sb.Append('_');
            sb.Append(rune.ToString());
            bytes += need;
            pendingGap = false;
        }

        return sb.Length == 0 ? "image" : sb.ToString();
    }

    private static long NumberOf(string path)
    {
        var name = Path.GetFileName(path);
        int dash = name.IndexOf('-');
        return dash > 0 && long.TryParse(name.AsSpan(0, dash), out var n) ? n : 0;
    }

    /// <summary>Writes a new temporary beside <paramref name="path"/> (O_CREAT|O_EXCL: never through a symlink), durably.</summary>
    private string WriteTemp(string path, byte[] bytes)
    {
        var tmp = Path.Combine(Directory, TempPrefix + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..8] + TempSuffix);
        var fso = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16, Options = FileOptions.WriteThrough };
        if (!OperatingSystem.IsWindows()) fso.UnixCreateMode = _fileMode;
        using (var fs = new FileStream(tmp, fso))
        {
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        return tmp;
    }
}
