using SecureTransmit.Imaging;

namespace SecureTransmit.Sender.Internal;

/// <summary>A file the sender will not send, and why (shown to the user; never stops the batch).</summary>
public sealed record SkippedFile(string Path, string Reason);

/// <summary>
/// Turns the command line's files and folders into the files to read. A folder's files are taken in ordinal name order;
/// its subfolders only with <c>recursive</c> (otherwise each is listed as skipped). In a folder, a file is a candidate
/// when its first bytes carry an image signature (<see cref="ImageIO.DetectFormat"/>): the extension is never trusted;
/// anything else is listed as skipped with the reason (not an image, an unsupported image format, hidden, unreadable).
/// A file named on the command line is always a candidate, so a wrong one fails loudly instead of being skipped.
/// </summary>
public static class ImageFolder
{
    /// <summary>Bytes read to recognise a file; enough for every signature <see cref="ImageIO.DetectFormat"/> checks.</summary>
    private const int SniffBytes = 32;

    public static (List<string> Files, List<SkippedFile> Skipped) List(IEnumerable<string> inputs, bool recursive)
    {
        var files = new List<string>();
        var skipped = new List<SkippedFile>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input)) Walk(input, recursive, files, skipped);
            else if (File.Exists(input)) files.Add(input);
            else throw new FileNotFoundException($"{input}: no such file or folder");
        }
        return (files, skipped);
    }

    private static void Walk(string folder, bool recursive, List<string> files, List<SkippedFile> skipped)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            skipped.Add(new SkippedFile(folder, $"folder unreadable ({e.Message})"));
            return;
        }
        foreach (var entry in entries)
        {
            var name = Path.GetFileName(entry);
            if (Directory.Exists(entry))
            {
                if (name.StartsWith('.')) skipped.Add(new SkippedFile(entry, "hidden folder"));
                else if (recursive) Walk(entry, recursive, files, skipped);
                else skipped.Add(new SkippedFile(entry, "subfolder (add --recursive to include it)"));
                continue;
            }
            if (name.StartsWith('.')) { skipped.Add(new SkippedFile(entry, "hidden file")); continue; }
            if (Sniff(entry) is { } reason) skipped.Add(new SkippedFile(entry, reason));
            else files.Add(entry);
        }
    }

    /// <summary>Null when the file starts with a supported image signature, else why it is skipped.</summary>
    private static string? Sniff(string path)
    {
        var head = new byte[SniffBytes];
        int n;
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"unreadable ({e.Message})";
        }
        if (n == 0) return "empty file";
        if (ImageIO.DetectFormat(head.AsSpan(0, n)) is not null) return null;
        try
        {
            ImageIO.Decode(head.AsSpan(0, n));
        }
        catch (ImageFormatException e)
        {
            return e.Message; // "not an image (...)" or "AVIF images are not supported (...)"
        }
        return "not an image";
    }
}
