using System.Diagnostics;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SecureTransmit.Wire.Tests.Infrastructure;

/// <summary>The python grpcio peers (tests/Wire.Tests/python), run with Debian's /usr/bin/python3.</summary>
public static class Python
{
    public const string Interpreter = "/usr/bin/python3";

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "python", name);

    /// <summary>
    /// Writes the FileDescriptorSet of the protos compiled into the .NET assemblies (securetransmit.v2, grpc.health.v1,
    /// grpc.reflection.v1alpha), from which the python peers build their message classes.
    /// </summary>
    public static string WriteDescriptors(string dir)
    {
        var set = new FileDescriptorSet();
        foreach (var fd in new[]
                 {
                     Protos.V2.TransmitReflection.Descriptor, Grpc.Health.V1.HealthReflection.Descriptor,
                     Grpc.Reflection.V1Alpha.ReflectionReflection.Descriptor,
                 })
            set.File.Add(FileDescriptorProto.Parser.ParseFrom(fd.SerializedData));
        var path = Path.Combine(dir, "descriptors.pb");
        File.WriteAllBytes(path, set.ToByteArray());
        return path;
    }

    /// <summary>Runs a script to completion and parses the last line of its stdout as a JSON object.</summary>
    public static async Task<JsonObject> RunJsonAsync(string script, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Script(script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within {timeout.TotalSeconds:0} s; stderr: {await stderr}");
        }
        var output = await stdout;
        if (p.ExitCode != 0) throw new InvalidOperationException($"{script} exited {p.ExitCode}: {await stderr}");
        return JsonNode.Parse(output.Trim().Split('\n')[^1])!.AsObject();
    }

    /// <summary>A python server that prints "PORT n" and serves until its stdin closes.</summary>
    public sealed class Server : IAsyncDisposable
    {
        private readonly Process _process;

        private Server(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public static async Task<Server> StartAsync(string script, IEnumerable<string> args)
        {
            var psi = new ProcessStartInfo(Interpreter)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            };
            psi.ArgumentList.Add(Script(script));
            foreach (var a in args) psi.ArgumentList.Add(a);
            var p = Process.Start(psi)!;
            var line = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (line is null || !line.StartsWith("PORT ", StringComparison.Ordinal))
            {
                p.Kill(true);
                throw new InvalidOperationException($"{script} did not start: {line} {await p.StandardError.ReadToEndAsync()}");
            }
            return new Server(p, int.Parse(line[5..], System.Globalization.CultureInfo.InvariantCulture));
        }

        public async ValueTask DisposeAsync()
        {
            try { _process.StandardInput.Close(); } catch (IOException) { }
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { _process.Kill(true); }
            _process.Dispose();
        }
    }
}
