using System.Diagnostics;
using SecureTransmit.Imaging;
using SecureTransmit.Lab.Commands;

namespace SecureTransmit.Lab.Tests;

/// <summary>Generated images and the child-process runner of the lab tests (bandwidth, rate–distortion, eval; no files from ../shared).</summary>
internal static class BandwidthTestSupport
{
    /// <summary>A photo-like RGB image: gradient, a few waves of different periods, a sharp-edged disc and seeded noise.</summary>
    public static Image Photo(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var img = new Image(width, height, 3);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                bool disc = (x - width / 3.0) * (x - width / 3.0) + (y - height / 2.0) * (y - height / 2.0) < width * height / 12.0;
                for (int c = 0; c < 3; c++)
                {
                    double v = 30 + 120.0 * (x + 2 * y) / (width + 2.0 * height) + 35 * Math.Sin((x + 5 * c) / 6.0) * Math.Cos((y - 3 * c) / 8.5)
                               + 18 * Math.Sin((x + y) / 3.1 + c) + (disc ? 60 - 25 * c : 0) + rng.Next(-6, 7);
                    img.Pixels[(y * width + x) * 3 + c] = (byte)Math.Clamp(Math.Round(v), 0, 255);
                }
            }
        return img;
    }

    /// <summary>A fresh temporary folder, deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("st-lab-bwtest-").FullName;

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Runs the built lab (`dotnet lab.dll ARGS`) and returns exit code, stdout and stderr; killed after 120 s.</summary>
    public static async Task<(int Code, string Out, string Err)> RunLabAsync(params string[] args)
    {
        var dll = typeof(BandwidthCommand).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment.Remove("SECURETRANSMIT_TRACE");
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        try
        {
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        }
        catch (TimeoutException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }
        return (p.ExitCode, await o.WaitAsync(TimeSpan.FromSeconds(10)), await e.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
