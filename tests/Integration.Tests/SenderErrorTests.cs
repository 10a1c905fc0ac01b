using SecureTransmit.Integration.Tests.Infrastructure;
using SecureTransmit.Security;

namespace SecureTransmit.Integration.Tests;

/// <summary>
/// Bad input to the sender: each is one line on stderr naming the problem, a non-zero exit, and the receiver
/// keeps serving (the last case sends successfully to the same receiver). Uses seeded untrained weights.
/// </summary>
public sealed class SenderErrorTests : IAsyncLifetime
{
    private readonly TempDir _dir = new("st-senderr");
    private ChildProcess? _receiver;
    private string _fingerprint = "";
    private int _port;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir["models"]);
        TestModels.CreateRandom(_dir["models"], "cae-compact");
        using (var r = IdentityFile.Create(_dir["receiver.key"])) _fingerprint = r.Fingerprint.Hex;
        using (var s = IdentityFile.Create(_dir["sender.key"]))
            File.WriteAllText(_dir["allowed.txt"], AllowList.FormatLine(s.Fingerprint) + "\n");
        using (var stranger = IdentityFile.Create(_dir["stranger.key"])) { }
        Imaging.ImageIO.Save(ReceiverFixture.Synthetic(40, 30, 1), _dir["ok.png"]);
        await File.WriteAllTextAsync(_dir["not-an-image.png"], "this is text, not a PNG");
        _receiver = ChildProcess.Start("dotnet", [Repo.ReceiverDll, "serve", "--listen", "127.0.0.1:0", "--port-file", _dir["port"],
            "--key", _dir["receiver.key"], "--allow", _dir["allowed.txt"], "--models", _dir["models"], "--out", _dir["out"]]);
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(_dir["port"]))
        {
            if (_receiver.HasExited || DateTime.UtcNow > until) throw new InvalidOperationException("receiver did not start:\n" + _receiver.StdErr + _receiver.StdOut);
            await Task.Delay(100);
        }
        _port = int.Parse(await File.ReadAllTextAsync(_dir["port"]), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task DisposeAsync()
    {
        if (_receiver is not null) await _receiver.DisposeAsync();
        _dir.Dispose();
    }

    private Task<ProcessResult> Send(params string[] overrides)
    {
        var args = new Dictionary<string, string>
        {
            ["--to"] = $"https://127.0.0.1:{_port}", ["--receiver"] = _fingerprint, ["--key"] = _dir["sender.key"],
            ["--models"] = _dir["models"], ["--model"] = "cae-compact", ["--attempts"] = "2",
        };
        var files = new List<string>();
        for (int i = 0; i < overrides.Length; i++)
        {
            if (overrides[i].StartsWith("--", StringComparison.Ordinal)) { args[overrides[i]] = overrides[i + 1]; i++; }
            else files.Add(overrides[i]);
        }
        return ChildProcess.RunDotnetAsync(Repo.SenderDll, ["send", .. files, .. args.SelectMany(kv => new[] { kv.Key, kv.Value }), "--quiet"], TimeSpan.FromSeconds(90));
    }

    private static void AssertOneLineError(ProcessResult r, string expected)
    {
        Assert.True(r.ExitCode != 0, r.ToString());
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains("retrying in", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1, "expected one error line:\n" + r);
        Assert.StartsWith("sender: error: ", lines[0]);
        Assert.Contains(expected, lines[0], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_inputs_give_one_line_errors_and_the_receiver_keeps_serving()
    {
        AssertOneLineError(await Send(_dir["ok.png"], "--model", "no-such-model"), "unknown model");
        AssertOneLineError(await Send(_dir["ok.png"], "--receiver", new string('a', 64)), "does not match the pinned fingerprint");
        AssertOneLineError(await Send(_dir["ok.png"], "--cipher", "rot13"), "unknown");
        AssertOneLineError(await Send(_dir["not-an-image.png"]), "not-an-image.png");
        AssertOneLineError(await Send(_dir["ok.png"], "--key", _dir["stranger.key"]), "refused this sender");
        AssertOneLineError(await Send(_dir["ok.png"], "--to", "https://127.0.0.1:1"), "unreachable");
        AssertOneLineError(await Send(_dir["ok.png"], "--model", "sae-4"), "no encoder");

        var ok = await Send(_dir["ok.png"]);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Single(Directory.GetFiles(_dir["out"], "*.png"));
        Assert.False(_receiver!.HasExited);
    }

    [Fact]
    public async Task Receiver_without_the_model_refuses_the_session_with_a_clear_message()
    {
        Directory.CreateDirectory(_dir["other-models"]);
        TestModels.CreateRandom(_dir["other-models"], "cae-compact", seed: 99); // same architecture, other weights → other model id
        var r = await Send(_dir["ok.png"], "--models", _dir["other-models"]);
        AssertOneLineError(r, "no decoder for model 'cae-compact'");
    }

    [Theory]
    [InlineData("--png-level", "10", "--png-level must be 0 to 9")]
    [InlineData("--png-level", "-1", "--png-level must be 0 to 9")]
    [InlineData("--max-pixels", "0", "--max-pixels must be positive")]
    public async Task Receiver_rejects_a_bad_option_with_one_line_and_a_non_zero_exit(string option, string value, string expected)
    {
        var r = await ChildProcess.RunDotnetAsync(Repo.ReceiverDll, ["serve", "--listen", "127.0.0.1:0", "--key", _dir["receiver.key"],
            "--allow", _dir["allowed.txt"], "--models", _dir["models"], "--out", _dir["out-bad-option"], option, value], TimeSpan.FromSeconds(60));
        Assert.True(r.ExitCode != 0, r.ToString());
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one error line:\n" + r);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir["out-bad-option"]), "a refused start created its output folder");
    }
}
