using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SecureTransmit.Imaging;
using SecureTransmit.Integration.Tests.Browser;
using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Security;

namespace SecureTransmit.Integration.Tests;

/// <summary>
/// The dashboard in a real browser: a receiver process with <c>--dashboard</c>, headless Chromium (Debian's
/// <c>chromium</c>, driven over the DevTools protocol) showing the page, and a sender process sending three images.
/// The cards must appear without a reload and show what the receiver wrote in its JSON sidecars.
/// </summary>
public sealed class DashboardBrowserTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);

    // One name a sender could use to attack the page if it were inserted as HTML.
    private const string HostileName = "<img src=x onerror=window.__pwned=1>.png";

    [Fact]
    public async Task Gallery_fills_live_without_reload_and_matches_the_sidecars()
    {
        if (HeadlessChromium.FindExecutable() is null) Assert.Fail(HeadlessChromium.InstallHint);
        foreach (var dll in new[] { Repo.ReceiverDll, Repo.SenderDll })
            Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first (dotnet build -c {Repo.Configuration})");

        using var dir = new TempDir("st-dash");
        var models = dir["models"];
        TestModels.CreateRandom(models);
        string receiverFp;
        using (var r = IdentityFile.Create(dir["receiver.key"])) receiverFp = r.Fingerprint.Hex;
        string senderFp;
        using (var s = IdentityFile.Create(dir["sender.key"]))
        {
            senderFp = s.Fingerprint.Hex;
            File.WriteAllText(dir["allowed.txt"], AllowList.FormatLine(s.Fingerprint, "browser-test") + "\n");
        }
        Directory.CreateDirectory(dir["send"]);
        // Crops of the samples (small, so encode and decode stay quick on a busy machine), one of them not square.
        string[] images =
        [
            Crop("kodim03-256.png", 96, 96, Path.Combine(dir["send"], "kodim03-crop.png")),
            Crop("kodim05-201x151.png", 120, 72, Path.Combine(dir["send"], "kodim05-crop.png")),
            Crop("kodim07-256.png", 96, 96, Path.Combine(dir["send"], HostileName)),
        ];

        ChildProcess? receiver = null;
        HeadlessChromium? browser = null;
        CdpSession? page = null;
        try
        {
            receiver = ChildProcess.Start("dotnet", [Repo.ReceiverDll, "serve", "--listen", "127.0.0.1:0", "--port-file", dir["port"],
                "--key", dir["receiver.key"], "--allow", dir["allowed.txt"], "--models", models, "--out", dir["out"],
                "--dashboard", "127.0.0.1:0", "--dashboard-port-file", dir["dport"]]);
            int grpcPort = await ReadPortAsync(receiver, dir["port"]);
            int dashPort = await ReadPortAsync(receiver, dir["dport"]);
            Assert.NotEqual(grpcPort, dashPort);

            browser = await HeadlessChromium.StartAsync(Step);
            page = await browser.AttachToPageAsync(Step);
            await page.SendAsync("Page.enable", null, Step);
            await page.SendAsync("Runtime.enable", null, Step);
            await page.SendAsync("Log.enable", null, Step);
            var loaded = page.NextEvent("Page.loadEventFired");
            await page.SendAsync("Page.navigate", new { url = $"http://127.0.0.1:{dashPort}/" }, Step);
            await loaded.WaitAsync(Step);
            await page.WaitUntilAsync("document.querySelector('#status')?.dataset.state === 'live'", Step, "event stream connected");
            Assert.Equal(0, (await page.EvaluateAsync("document.querySelectorAll('#gallery .card').length", Step)).GetInt32());

            // Mark this page load: a reload would lose the mark.
            var loadId = Guid.NewGuid().ToString("N");
            await page.EvaluateAsync($"window.__loadId = '{loadId}'", Step);

            var send = await ChildProcess.RunDotnetAsync(Repo.SenderDll, ["send", .. images, "--to", $"https://127.0.0.1:{grpcPort}",
                "--receiver", receiverFp, "--key", dir["sender.key"], "--models", models, "--demo", "--quiet"], TimeSpan.FromSeconds(120));
            Assert.True(send.ExitCode == 0, "sender failed: " + send);

            await page.WaitUntilAsync("document.querySelectorAll('#gallery .card').length === 3", Step, "three cards shown");
            Assert.Equal(loadId, (await page.EvaluateAsync("window.__loadId", Step)).GetString());
            await page.WaitUntilAsync(
                "[...document.querySelectorAll('#gallery .card img')].every(i => i.complete && i.naturalWidth > 0)",
                Step, "reconstructions and ciphertext pictures loaded");

            // The receiver's record of each stored image.
            var sidecars = Directory.GetFiles(dir["out"], "*.json")
                .Select(f => JsonNode.Parse(File.ReadAllText(f))!.AsObject())
                .ToDictionary(s => s["file"]!.GetValue<string>());
            Assert.Equal(3, sidecars.Count);

            var cards = await page.EvaluateAsync("""
                [...document.querySelectorAll('#gallery .card')].map(c => {
                  const f = (n) => c.querySelector(`[data-field="${n}"]`);
                  const cipher = c.querySelector('img.cipher');
                  return {
                    n: c.dataset.n, file: c.dataset.file,
                    name: f('display_name').textContent, model: f('model').textContent, cipher: f('cipher').textContent,
                    sender: f('sender').textContent, wire: f('wire_bytes').textContent, bpp: f('bpp').textContent,
                    psnr: f('psnr').textContent, ssim: f('ssim').textContent,
                    cipherW: cipher.naturalWidth, cipherH: cipher.naturalHeight,
                    nameHtmlChildren: f('display_name').children.length,
                  };
                })
                """, Step);
            var shown = cards.EnumerateArray().ToList();
            Assert.Equal(3, shown.Count);

            var numbers = shown.Select(c => int.Parse(c.GetProperty("n").GetString()!, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(numbers.OrderByDescending(n => n), numbers); // newest first
            Assert.Equal(sidecars.Keys.Order(StringComparer.Ordinal), shown.Select(c => c.GetProperty("file").GetString()!).Order(StringComparer.Ordinal));

            long totalWire = 0;
            foreach (var card in shown)
            {
                var file = card.GetProperty("file").GetString()!;
                Assert.True(sidecars.TryGetValue(file, out var sc), $"card for {file} has no sidecar");
                Assert.Equal(sc!["display_name"]!.GetValue<string>(), card.GetProperty("name").GetString());
                Assert.Equal(0, card.GetProperty("nameHtmlChildren").GetInt32());
                Assert.Equal(sc["model"]!.GetValue<string>(), card.GetProperty("model").GetString());
                Assert.Equal(sc["cipher"]!.GetValue<string>(), card.GetProperty("cipher").GetString());
                Assert.Equal(senderFp[..16], card.GetProperty("sender").GetString());
                Assert.Equal(sc["sender_fingerprint"]!.GetValue<string>()[..16], card.GetProperty("sender").GetString());

                long wire = sc["wire_bytes"]!.GetValue<long>();
                Assert.Equal(wire, Digits(card.GetProperty("wire").GetString()!));
                totalWire += wire;
                Assert.Equal(sc["bpp"]!.GetValue<double>(), Number(card.GetProperty("bpp").GetString()!), 0.0005 + 1e-9);
                // --demo: the receiver measured quality against the original.
                Assert.Equal(sc["psnr"]!.GetValue<double>(), Number(card.GetProperty("psnr").GetString()!), 0.005 + 1e-9);
                Assert.Equal(sc["ssim"]!.GetValue<double>(), Number(card.GetProperty("ssim").GetString()!), 0.00005 + 1e-9);

                // The ciphertext picture holds (a prefix of) the ciphertext: at least that many pixels, nearly square.
                int cw = card.GetProperty("cipherW").GetInt32(), ch = card.GetProperty("cipherH").GetInt32();
                long latent = sc["latent_bytes"]!.GetValue<long>();
                Assert.True((long)cw * ch >= Math.Min(latent, 65536) && (long)cw * (ch - 1) < Math.Min(latent, 65536),
                    $"ciphertext picture {cw}x{ch} for {latent} bytes");
            }

            // The hostile file name is shown as text, never parsed as markup.
            Assert.Contains(shown, c => c.GetProperty("name").GetString() == HostileName);
            Assert.Equal(JsonValueKind.True, (await page.EvaluateAsync(
                "window.__pwned === undefined && document.querySelectorAll('#gallery img:not(.recon):not(.cipher):not(.original)').length === 0", Step)).ValueKind);
            // --demo: each card also shows the sender's original, served by the receiver.
            await page.WaitUntilAsync("Array.from(document.querySelectorAll('#gallery .pic-original:not([hidden]) img.original')).filter(i => i.complete && i.naturalWidth > 0).length === 3", Step, "demo originals shown");

            // Totals shown match the sidecars (stats follow the image events on the same stream).
            await page.WaitUntilAsync("document.querySelector('#stat-images').textContent === '3'", Step, "image total shown");
            Assert.Equal(totalWire, Digits((await page.EvaluateAsync("document.querySelector('#stat-bytes-exact').textContent", Step)).GetString()!));
            double meanRatio = sidecars.Values.Average(s => s["ratio_vs_png"]!.GetValue<double>());
            Assert.Equal(meanRatio, Number((await page.EvaluateAsync("document.querySelector('#stat-ratio').textContent", Step)).GetString()!), 0.05 + 1e-9);
            Assert.True((await page.EvaluateAsync("(() => { const c = document.querySelector('#chart'); return c.width > 0 && c.height > 0; })()", Step)).GetBoolean());

            // Still the same page load after everything arrived.
            Assert.Equal(loadId, (await page.EvaluateAsync("window.__loadId", Step)).GetString());

            var png = await page.CaptureScreenshotAsync(Step);
            var shot = Path.Combine(AppContext.BaseDirectory, "dashboard-screenshot.png");
            await File.WriteAllBytesAsync(shot, png);
            var decoded = ImageIO.Decode(png);
            Assert.True(decoded.Width >= 1000 && decoded.Height >= 600, $"screenshot {decoded.Width}x{decoded.Height}");
            // And in the dark scheme (the page follows prefers-color-scheme).
            await page.SendAsync("Emulation.setEmulatedMedia", new { features = new[] { new { name = "prefers-color-scheme", value = "dark" } } }, Step);
            await page.WaitUntilAsync("matchMedia('(prefers-color-scheme: dark)').matches", Step, "dark scheme emulated");
            await File.WriteAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "dashboard-screenshot-dark.png"), await page.CaptureScreenshotAsync(Step));

            // No script errors and no Content-Security-Policy violations while all this happened.
            var problems = page.Events
                .Where(e => e.Method == "Runtime.exceptionThrown"
                            || (e.Method == "Log.entryAdded" && e.Params.GetProperty("entry").GetProperty("level").GetString() == "error"))
                .Select(e => e.Params.ToString()).ToList();
            Assert.True(problems.Count == 0, "browser reported:\n" + string.Join("\n", problems));
        }
        finally
        {
            if (page is not null) await page.DisposeAsync();
            if (browser is not null) await browser.DisposeAsync();
            if (receiver is not null) await receiver.DisposeAsync();
        }
    }

    private static string Crop(string sample, int width, int height, string to)
    {
        var image = ImageIO.Load(Path.Combine(Repo.Samples, sample));
        ImageIO.Save(image.Crop((image.Width - width) / 2, (image.Height - height) / 2, width, height), to);
        return to;
    }

    private static async Task<int> ReadPortAsync(ChildProcess receiver, string file)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!File.Exists(file))
        {
            if (receiver.HasExited || DateTime.UtcNow > until)
                throw new InvalidOperationException($"receiver did not write {Path.GetFileName(file)}:\n{receiver.StdOut}{receiver.StdErr}");
            await Task.Delay(100);
        }
        return int.Parse(await File.ReadAllTextAsync(file), CultureInfo.InvariantCulture);
    }

    private static long Digits(string text) =>
        long.Parse(new string(text.Where(char.IsAsciiDigit).ToArray()), CultureInfo.InvariantCulture);

    // The first decimal number in a shown value ("0.523", "31.20 dB", "12.3:1").
    private static double Number(string text)
    {
        var m = System.Text.RegularExpressions.Regex.Match(text, @"-?\d+(\.\d+)?");
        Assert.True(m.Success, $"no number in '{text}'");
        return double.Parse(m.Value, CultureInfo.InvariantCulture);
    }
}
