namespace SecureTransmit.Security;

/// <summary>One allowed sender: fingerprint and an optional display name.</summary>
public sealed record AllowListEntry(Fingerprint Fingerprint, string? Name)
{
    public override string ToString() => Name is null ? Fingerprint.Hex : $"{Fingerprint.Hex} {Name}";
}

/// <summary>
/// The receiver's list of sender identities allowed to open sessions. Text format, one entry a line:
/// <c>&lt;64 hex digits&gt; [name...]</c>; '#' starts a comment; blank lines are ignored; hex is
/// case-insensitive and may contain ':' separators. Immutable and thread-safe once built.
/// </summary>
public sealed class AllowList
{
    private readonly Dictionary<Fingerprint, AllowListEntry> _entries;

    public AllowList(IEnumerable<AllowListEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = new Dictionary<Fingerprint, AllowListEntry>();
        foreach (var e in entries) _entries[e.Fingerprint] = e;
    }

    /// <summary>An allow-list that admits nobody.</summary>
    public static AllowList Empty { get; } = new([]);

    public int Count => _entries.Count;

    public IReadOnlyCollection<AllowListEntry> Entries => _entries.Values;

    /// <summary>Parses the text format.</summary>
    /// <exception cref="KeyFileException">A line is not a fingerprint (the message names the line).</exception>
    public static AllowList Parse(string text, string sourceName = "<allow-list>")
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<AllowListEntry>();
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw;
            var hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            line = line.Trim();
            if (line.Length == 0) continue;
            var space = line.IndexOfAny([' ', '\t']);
            var hex = space < 0 ? line : line[..space];
            var name = space < 0 ? null : line[(space + 1)..].Trim();
            if (!Fingerprint.TryParse(hex, out var fp))
                throw new KeyFileException(sourceName,
                    $"{sourceName}:{lineNo}: '{(hex.Length > 70 ? hex[..70] + "..." : hex)}' is not a SHA-256 fingerprint (64 hex digits)");
            entries.Add(new AllowListEntry(fp, string.IsNullOrEmpty(name) ? null : name));
        }
        return new AllowList(entries);
    }

    /// <summary>Reads and parses an allow-list file.</summary>
    public static AllowList Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            // An allow-list others may write would let them admit senders: refuse it.
            if (!OperatingSystem.IsWindows() && File.Exists(path)
                && (File.GetUnixFileMode(path) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
                throw new KeyFileException(path, $"allow-list '{path}' is writable by group or others; run `chmod 600 {path}`");
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException(path, $"cannot read allow-list '{path}': {e.Message}", e);
        }
        return Parse(text, path);
    }

    /// <summary>Longest sender label, in characters.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Throws when a label could break the one-entry-per-line format (control characters, '#') or is too long.</summary>
    public static void ValidateName(string? name)
    {
        if (name is null) return;
        if (name.Length > MaxNameLength) throw new ArgumentException($"--name: at most {MaxNameLength} characters");
        if (name.Any(c => char.IsControl(c) || c == '#' || c == '\u2028' || c == '\u2029'))
            throw new ArgumentException("--name: no line breaks, control characters or '#'");
    }

    /// <summary>One line of the text format.</summary>
    public static string FormatLine(Fingerprint fingerprint, string? name = null)
    {
        ValidateName(name);
        return new AllowListEntry(fingerprint, string.IsNullOrWhiteSpace(name) ? null : name.Trim()).ToString();
    }

    public bool IsAllowed(Fingerprint fingerprint) => fingerprint is not null && _entries.ContainsKey(fingerprint);

    /// <summary>Same, for a hex fingerprint; false when <paramref name="fingerprintHex"/> does not parse.</summary>
    public bool IsAllowed(string fingerprintHex) => Fingerprint.TryParse(fingerprintHex, out var fp) && IsAllowed(fp);

    public bool TryGet(Fingerprint fingerprint, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AllowListEntry? entry) =>
        _entries.TryGetValue(fingerprint, out entry);
}
