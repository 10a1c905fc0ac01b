using SecureTransmit.Cli;
using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SecureTransmit.Receiver.Internal;
using SecureTransmit.Security;
using SecureTransmit.Wire;

namespace SecureTransmit.Receiver;

/// <summary>The receiver's command line: keygen, allow, serve.</summary>
public static class ReceiverCommands
{
    // Serve stops gracefully on SIGTERM/Ctrl-C through the host, so System.CommandLine does not end the process.
    public static Task<int> RunAsync(RootCommand root, string[] args) => CommandLineRunner.RunAsync("receiver", root, args);

    public static Command Keygen() => IdentityCommands.Keygen("receiver", "keys/receiver.key");

    public static Command Allow()
    {
        var list = new Option<string>("--allow") { Description = "allow-list file", DefaultValueFactory = _ => "keys/allowed-senders.txt" };
        var fp = new Argument<string>("fingerprint-or-public-key") { Description = "a sender fingerprint (64 hex) or its .pub file" };
        var name = new Option<string?>("--name") { Description = "a label for this sender" };
        var cmd = new Command("allow", "Add a sender to the allow-list") { fp, list, name };
        cmd.SetAction(pr =>
        {
            var arg = pr.GetRequiredValue(fp);
            var fingerprint = File.Exists(arg) ? IdentityFile.LoadPublicKey(arg).Fingerprint
                : Fingerprint.TryParse(arg, out var f) ? f : throw new ArgumentException($"'{arg}' is neither a fingerprint (64 hex digits) nor a public key file");
            var path = pr.GetRequiredValue(list);
            var line = AllowList.FormatLine(fingerprint, pr.GetValue(name));
            var existing = File.Exists(path) ? AllowList.Load(path) : AllowList.Empty;
            if (existing.IsAllowed(fingerprint)) { Console.WriteLine($"{fingerprint.Short} already allowed in {path}"); return 0; }
            var entries = existing.Entries.Select(e => e.ToString()).Append(line);
            WriteAllowList(path, entries);
            Console.WriteLine($"allowed {fingerprint.Hex} in {path} (a running receiver applies it at its next handshake)");
            return 0;
        });
        return cmd;
    }

    public static Command Revoke()
    {
        var list = new Option<string>("--allow") { Description = "allow-list file", DefaultValueFactory = _ => "keys/allowed-senders.txt" };
        var fp = new Argument<string>("fingerprint-or-public-key") { Description = "a sender fingerprint (64 hex) or its .pub file" };
        var cmd = new Command("revoke", "Remove a sender from the allow-list (a running receiver applies it at its next handshake)") { fp, list };
        cmd.SetAction(pr =>
        {
            var arg = pr.GetRequiredValue(fp);
            var fingerprint = File.Exists(arg) ? IdentityFile.LoadPublicKey(arg).Fingerprint
                : Fingerprint.TryParse(arg, out var f) ? f : throw new ArgumentException($"'{arg}' is neither a fingerprint (64 hex digits) nor a public key file");
            var path = pr.GetRequiredValue(list);
            var existing = AllowList.Load(path);
            if (!existing.IsAllowed(fingerprint)) { Console.WriteLine($"{fingerprint.Short} is not in {path}"); return 1; }
            WriteAllowList(path, existing.Entries.Where(e => !e.Fingerprint.Equals(fingerprint)).Select(e => e.ToString()));
            Console.WriteLine($"revoked {fingerprint.Hex} in {path}");
            return 0;
        });
        return cmd;
    }

    public static Command List()
    {
        var list = new Option<string>("--allow") { Description = "allow-list file", DefaultValueFactory = _ => "keys/allowed-senders.txt" };
        var cmd = new Command("list", "Print the allowed senders") { list };
        cmd.SetAction(pr =>
        {
            var path = pr.GetRequiredValue(list);
            var existing = AllowList.Load(path);
            foreach (var e in existing.Entries) Console.WriteLine(e.ToString());
            Console.Error.WriteLine($"{existing.Count} sender(s) in {path}");
            return 0;
        });
        return cmd;
    }

    /// <summary>Rewrites the allow-list atomically, owner-only (0600).</summary>
    private static void WriteAllowList(string path, IEnumerable<string> lines)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".partial");
        var fso = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) fso.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var w = new StreamWriter(new FileStream(tmp, fso)))
            foreach (var l in lines) w.Write(l + "\n");
        File.Move(tmp, full, overwrite: true);
    }

    public static Command Serve()
    {
        var listen = new Option<string>("--listen") { Description = "gRPC address:port", DefaultValueFactory = _ => "127.0.0.1:50443" };
        var key = new Option<string>("--key") { Description = "receiver identity file", DefaultValueFactory = _ => "keys/receiver.key" };
        var allow = new Option<string>("--allow") { Description = "allow-list of sender fingerprints", DefaultValueFactory = _ => "keys/allowed-senders.txt" };
        var models = new Option<string>("--models") { Description = "folder of *.decoder.safetensors", DefaultValueFactory = _ => DefaultModels() };
        var output = new Option<string>("--out") { Description = "output folder for PNGs and JSON sidecars", DefaultValueFactory = _ => "received" };
        var h2c = new Option<bool>("--insecure-h2c") { Description = "serve cleartext HTTP/2 without TLS (testing only)" };
        var maxPixels = new Option<uint>("--max-pixels") { Description = "largest width×height accepted", DefaultValueFactory = _ => 4096u * 4096u };
        var dashboard = new Option<string?>("--dashboard") { Description = "serve the read-only dashboard on this address:port (off by default; no login: keep it on loopback, e.g. 127.0.0.1:8080)" };
        var jsonLogs = new Option<bool>("--json-logs") { Description = "structured JSON log lines" };
        var portFile = new Option<string?>("--port-file") { Description = "write the bound gRPC port to this file once listening (useful with port 0)" };
        var imageTimeout = new Option<double>("--image-timeout") { Description = "seconds an upload stream may wait for an image to begin, and for a begun image to arrive (default 300)", DefaultValueFactory = _ => 300 };
        var unaryTimeout = new Option<double>("--unary-timeout") { Description = "seconds an OpenSession, health or reflection call may take, request included (default 10)", DefaultValueFactory = _ => 10 };
        var ciphers = new Option<string>("--ciphers") { Description = "comma-separated cipher modes this receiver accepts: aes-256-gcm, logistic (default aes-256-gcm)", DefaultValueFactory = _ => CipherModes.Aes256Gcm };
        var perSender = new Option<int>("--max-sessions-per-sender") { Description = "live sessions one sender may hold (default 8)", DefaultValueFactory = _ => 8 };
        var shared = new Option<bool>("--shared-output") { Description = "store files 0644 in a 0755 folder (default 0600 in 0700)" };
        var dashboardPublic = new Option<bool>("--dashboard-public") { Description = "allow --dashboard on a non-loopback address (it has no login)" };
        var h2cPublic = new Option<bool>("--h2c-public") { Description = "allow --insecure-h2c on a non-loopback address (cleartext)" };
        var pngLevel = new Option<int>("--png-level") { Description = "zlib level 0-9 for the stored PNGs (default 3: within a few percent of level 6's size at a fraction of its time)", DefaultValueFactory = _ => ReceiverOptions.DefaultPngCompressionLevel };
        var dashboardPortFile = new Option<string?>("--dashboard-port-file") { Description = "write the bound dashboard port to this file once listening (with --dashboard ...:0)" };
        var cmd = new Command("serve", "Serve the Transmit gRPC service") { listen, key, allow, models, output, h2c, maxPixels, dashboard, jsonLogs, portFile, imageTimeout, unaryTimeout, pngLevel, dashboardPortFile, ciphers, perSender, shared, dashboardPublic, h2cPublic };
        cmd.SetAction(async (pr, ct) =>
        {
            var o = new ReceiverOptions
            {
                Listen = ReceiverOptions.ParseEndpoint(pr.GetRequiredValue(listen), "--listen"),
                KeyPath = pr.GetRequiredValue(key),
                AllowListPath = pr.GetRequiredValue(allow),
                ModelsPath = pr.GetRequiredValue(models),
                OutputPath = pr.GetRequiredValue(output),
                InsecureH2c = pr.GetValue(h2c),
                MaxImagePixels = pr.GetValue(maxPixels),
                Dashboard = pr.GetValue(dashboard) is { } d ? ReceiverOptions.ParseEndpoint(d, "--dashboard") : null,
                JsonLogs = pr.GetValue(jsonLogs),
                ImageReceiveTimeout = Seconds(pr.GetValue(imageTimeout), "--image-timeout"),
                PngCompressionLevel = pr.GetValue(pngLevel),
                Ciphers = pr.GetRequiredValue(ciphers).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                MaxSessionsPerSender = pr.GetValue(perSender),
                SharedOutputPermissions = pr.GetValue(shared),
                DashboardPublic = pr.GetValue(dashboardPublic),
                H2cPublic = pr.GetValue(h2cPublic),
            };
            o.Limits.UnaryTimeout = Seconds(pr.GetValue(unaryTimeout), "--unary-timeout");
            o.Validate();
            await using var host = ReceiverHost.Build(o);
            try
            {
                await host.StartAsync(ct);
            }
            catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"cannot listen: {o.Listen}{(o.Dashboard is null ? "" : " or " + o.Dashboard)} is already in use (another receiver running? pick another port)");
            }
            if (pr.GetValue(portFile) is { } pf) WriteAtomic(pf, host.GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (pr.GetValue(dashboardPortFile) is { } dpf && host.DashboardPort != 0) WriteAtomic(dpf, host.DashboardPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await host.WaitForShutdownAsync();
            return 0;
        });
        return cmd;
    }

    private static TimeSpan Seconds(double seconds, string option) =>
        double.IsFinite(seconds) && seconds > 0 && seconds <= TimeSpan.FromDays(1).TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{option} {seconds}: give a number of seconds, more than 0 and at most 86400");

    internal static string DefaultModels() => ProjectPaths.DefaultModels();

    internal static void WriteAtomic(string path, string text)
    {
        // A fresh name opened with O_CREAT|O_EXCL: a symlink planted at a predictable temporary name is never followed.
        var tmp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".partial";
        using (var w = new StreamWriter(new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))) w.Write(text);
        File.Move(tmp, path, overwrite: true);
    }
}
