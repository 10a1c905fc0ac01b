using System.Security.Cryptography;

namespace SecureTransmit.Security;

/// <summary>
/// Identity files: the private key as PKCS#8 PEM, owner-only (mode 0600), written to a temporary file
/// in the same folder and renamed into place so a crash never leaves a half-written key. Loading refuses
/// a private key file that group or others may read, write or execute.
/// </summary>
public static class IdentityFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Largest key/public-key file read (a P-256 PKCS#8 PEM is about 240 bytes).</summary>
    private const long MaxFileBytes = 64 * 1024;

    /// <summary>Generates a new identity and writes it to <paramref name="path"/> (mode 0600).</summary>
    /// <exception cref="KeyFileException">The file exists (and <paramref name="overwrite"/> is false) or cannot be written.</exception>
    public static Identity Create(string path, bool overwrite = false)
    {
        var identity = Identity.Generate();
        try
        {
            Save(identity, path, overwrite);
            return identity;
        }
        catch
        {
            identity.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="identity"/>'s private key as PKCS#8 PEM, mode 0600, atomically.</summary>
    public static void Save(Identity identity, string path, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(identity);
        WriteAtomically(path, identity.ExportPrivateKeyPem(), secret: true, overwrite);
    }

    /// <summary>Loads the identity in <paramref name="path"/> when it exists, otherwise creates it.</summary>
    public static Identity LoadOrCreate(string path) => File.Exists(path) ? Load(path) : Create(path);

    /// <summary>Reads a private key file written by <see cref="Create"/> (or any P-256 PKCS#8/SEC1 PEM).</summary>
    /// <exception cref="KeyFileException">Missing, readable by group/others, too large or not a P-256 key.</exception>
    public static Identity Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckPermissions(path);
        var text = ReadSmallText(path, "private key");
        try
        {
            return Identity.FromPem(text);
        }
        catch (SecureTransmitSecurityException e)
        {
            throw new KeyFileException(path, $"identity file '{path}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Throws when <paramref name="path"/> is missing or (on Unix) grants any permission to group or
    /// others. Does nothing else on Windows, where file modes do not exist.
    /// </summary>
    public static void CheckPermissions(string path)
    {
        if (!File.Exists(path))
            throw new KeyFileException(path, $"identity file '{path}' does not exist; create it with `keygen --key {path}`");
        if (OperatingSystem.IsWindows()) return;
        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOther) != 0)
            throw new KeyFileException(path,
                $"private key file '{path}' is accessible by group/others (mode {Octal(mode)}); refusing to use it. " +
                $"Restrict it with: chmod 600 '{path}'");
    }

    /// <summary>Writes the public key as "PUBLIC KEY" PEM (SPKI), mode 0644, atomically.</summary>
    public static void SavePublicKey(PublicIdentity publicIdentity, string path, bool overwrite = true)
    {
        ArgumentNullException.ThrowIfNull(publicIdentity);
        WriteAtomically(path, publicIdentity.ExportPem(), secret: false, overwrite);
    }

    /// <summary>Reads a public key: "PUBLIC KEY" PEM or raw SPKI DER.</summary>
    public static PublicIdentity LoadPublicKey(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new KeyFileException(path, $"public key file '{path}' does not exist");
        var bytes = ReadSmall(path, "public key");
        try
        {
            return bytes.Length > 0 && bytes[0] == 0x30
                ? PublicIdentity.FromSpki(bytes)
                : PublicIdentity.FromPem(System.Text.Encoding.ASCII.GetString(bytes));
        }
        catch (Exception e) when (e is SecureTransmitSecurityException or FormatException)
        {
            throw new KeyFileException(path, $"public key file '{path}': {e.Message}", e);
        }
    }

    private static void WriteAtomically(string path, string text, bool secret, bool overwrite)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        if (!overwrite && File.Exists(full))
            throw new KeyFileException(path, $"'{path}' already exists; refusing to overwrite it");
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = secret ? OwnerOnly : OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            using (var stream = new FileStream(tmp, options))
            {
                if (!OperatingSystem.IsWindows() && secret) File.SetUnixFileMode(tmp, OwnerOnly); // whatever the umask did
                var bytes = System.Text.Encoding.ASCII.GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new KeyFileException(path, $"cannot write '{path}': {e.Message}", e);
        }
    }

    private static byte[] ReadSmall(string path, string what)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes)
                throw new KeyFileException(path, $"{what} file '{path}' is {info.Length} bytes; not a key file");
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException(path, $"cannot read {what} file '{path}': {e.Message}", e);
        }
    }

    private static string ReadSmallText(string path, string what) => System.Text.Encoding.UTF8.GetString(ReadSmall(path, what));

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8);
}
