using System.CommandLine;
using SecureTransmit.Security;

namespace SecureTransmit.Cli;

/// <summary>The <c>keygen</c> command that sender and receiver share.</summary>
public static class IdentityCommands
{
    /// <summary>
    /// <c>keygen [--key PATH] [--force]</c>: creates a long-term identity (ECDSA P-256) in an owner-only file and its
    /// public key beside it (<c>.pub</c>), and prints the fingerprint. An existing identity is kept (its fingerprint is
    /// printed) unless <c>--force</c>.
    /// </summary>
    /// <param name="role">Whose identity, for the help text ("sender", "receiver").</param>
    /// <param name="defaultPath">Default of <c>--key</c>.</param>
    public static Command Keygen(string role, string defaultPath)
    {
        var key = new Option<string>("--key") { Description = "identity file to create (owner-only)", DefaultValueFactory = _ => defaultPath };
        var force = new Option<bool>("--force") { Description = "replace an existing identity" };
        var cmd = new Command("keygen", $"Create the {role}'s long-term identity (ECDSA P-256) and print its fingerprint") { key, force };
        cmd.SetAction(pr =>
        {
            var path = pr.GetRequiredValue(key);
            if (File.Exists(path) && !pr.GetValue(force))
            {
                using var existing = IdentityFile.Load(path);
                Console.WriteLine($"{path} exists; fingerprint {existing.Fingerprint.Hex}");
                return 0;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var id = IdentityFile.Create(path, overwrite: pr.GetValue(force));
            IdentityFile.SavePublicKey(id.PublicIdentity, Path.ChangeExtension(path, ".pub"));
            Console.WriteLine($"created {path} (public key {Path.ChangeExtension(path, ".pub")}); fingerprint {id.Fingerprint.Hex}");
            return 0;
        });
        return cmd;
    }
}
