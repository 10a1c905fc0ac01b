using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Lab.Commands;

/// <summary>
/// <c>lab model-card</c>: writes models/NAME.md from what was measured — the architecture with every shape, the
/// parameter count, the training run's data, epochs, wall time and last-epoch figures (its checkpoint and
/// metrics.csv), and the product-path metrics of <c>lab eval --json</c> on the CIFAR-10 test images.
/// </summary>
[LabCommand(80)]
internal static class ModelCardCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Required = true };
        var models = new Option<string>("--models") { DefaultValueFactory = _ => Paths.Models() };
        var run = new Option<string>("--run") { Description = "the training run folder (checkpoint.safetensors, metrics.csv)", Required = true };
        var eval = new Option<string>("--eval") { Description = "lab eval --json output on the CIFAR-10 test batch", Required = true };
        var data = new Option<string>("--data-note") { Description = "training data, as a sentence", DefaultValueFactory = _ => "CIFAR-10 training batches 1–3 (30,000 images), validated on the 10,000-image test batch" };
        var command = new Option<string?>("--command") { Description = "the lab train command line used" };
        var cmd = new Command("model-card", "Write models/NAME.md from a training run and an eval result") { model, models, run, eval, data, command };
        cmd.SetAction(pr =>
        {
            var name = pr.GetRequiredValue(model);
            var dir = pr.GetRequiredValue(models);
            if (LicZoo.TryGet(name, out var licSpec))
                return LicCard(licSpec, dir, pr.GetRequiredValue(run), pr.GetRequiredValue(eval), pr.GetValue(command));
            var (spec, enc, dec, id) = ModelFiles.LoadPair(dir, name);
            long encParams = enc.Parameters().Sum(p => (long)p.Value.Length), decParams = dec.Parameters().Sum(p => (long)p.Value.Length);
            var ev = JsonNode.Parse(File.ReadAllText(pr.GetRequiredValue(eval)))!.AsObject();
            if (ev["model_id"]?.GetValue<string>() != id) throw new ArgumentException($"{pr.GetRequiredValue(eval)} was measured on model id {ev["model_id"]}, the files in {dir} are {id}");
            var ckpt = Neural.SafeTensors.Load(Path.Combine(pr.GetRequiredValue(run), "checkpoint.safetensors"));
            var state = JsonNode.Parse(ckpt.Metadata["train_state"])!.AsObject();
            var history = state["History"]!.AsArray();
            var last = history.Count > 0 ? history[^1]!.AsObject() : null;
            var inv = CultureInfo.InvariantCulture;
            var o = state["Options"]!.AsObject();
            var sb = new StringBuilder();
            sb.AppendLine(inv, $"# Model card: `{name}`");
            sb.AppendLine();
            sb.AppendLine(inv, $"- **Model id** (SHA-256 of the weights): `{id}`");
            sb.AppendLine(inv, $"- **Files**: `{name}.encoder.safetensors` ({new FileInfo(ModelFiles.EncoderPath(dir, name)).Length:N0} bytes, the sender's half), `{name}.decoder.safetensors` ({new FileInfo(ModelFiles.DecoderPath(dir, name)).Length:N0} bytes, the receiver's half)");
            sb.AppendLine(inv, $"- **Parameters**: {encParams + decParams:N0} ({encParams:N0} encoder, {decParams:N0} decoder)");
            sb.AppendLine(inv, $"- **Tile**: {spec.InputChannels}×{spec.TileSize}×{spec.TileSize} per sample; latent {string.Join("×", spec.LatentShape)} = {spec.LatentSize} values per sample ({spec.CompressionRatio:0.##}:1 in values; 8-bit quantized on the wire)");
            sb.AppendLine();
            sb.AppendLine("## Architecture");
            sb.AppendLine();
            sb.AppendLine("```");
            sb.AppendLine(spec.Description.Trim());
            sb.AppendLine("```");
            sb.AppendLine();
            sb.AppendLine("## Training");
            sb.AppendLine();
            sb.AppendLine(inv, $"- **Data**: {pr.GetRequiredValue(data)}. Never Kodak or USC-SIPI.");
            sb.AppendLine(inv, $"- **Optimizer**: Adam, lr {o["LearningRate"]}, batch {o["BatchSize"]}, MSE loss, seed {o["Seed"]}{(o["KerasEpsilon"]!.GetValue<bool>() ? ", Keras epsilon" : "")}");
            int partial = state["Batch"]!.GetValue<int>();
            bool complete = partial == 0 && o["Epochs"] is { } planned && state["Epoch"]!.GetValue<int>() >= planned.GetValue<int>();
            string budget = complete ? ", the whole planned run" : " shared with other work; stopped for the session's time budget, not at convergence";
            sb.AppendLine(inv, $"- **Epochs**: {state["Epoch"]}{(partial > 0 ? $" full epochs plus {partial} batches of the next (stopped mid-epoch)" : "")} (paper A: 50), on this project's own engine on 2 CPU cores{budget}");
            sb.AppendLine(inv, $"- **Wall time**: {state["ElapsedSeconds"]!.GetValue<double>() / 60:0.0} min");
            if (pr.GetValue(command) is { } c) sb.AppendLine(inv, $"- **Command**: `{c}`");
            if (last is null)
                sb.AppendLine("- **Last epoch**: none finished; the weights are those reached mid-way through the first epoch (see the held-out metrics below)");
            else
                sb.AppendLine(inv, $"- **Last epoch** (float latent, as in training): train loss {last["TrainLoss"]!.GetValue<double>():0.000000}, validation loss {last["ValLoss"]!.GetValue<double>():0.000000}, validation PSNR {last["ValPsnr"]!.GetValue<double>():0.00} dB{(spec.InputChannels == 3 ? $", validation Keras accuracy {last["ValKerasAccuracy"]!.GetValue<double>():P2}" : "")}");
            sb.AppendLine();
            sb.AppendLine("## Held-out metrics (CIFAR-10 test batch, product path)");
            sb.AppendLine();
            sb.AppendLine(inv, $"Measured by `lab eval --model {name} --data test_batch.bin` on {ev["images"]} images, through the product path (8-bit per-image quantization of the latent):");
            sb.AppendLine();
            sb.AppendLine("| metric | value |");
            sb.AppendLine("|---|---|");
            var pc = ev["psnr_per_channel"]!.AsObject();
            sb.AppendLine(inv, $"| PSNR (overall, from mean MSE) | {ev["psnr"]} dB |");
            sb.AppendLine(inv, $"| PSNR R / G / B | {pc["r"]} / {pc["g"]} / {pc["b"]} dB |");
            sb.AppendLine(inv, $"| MSE ([0,1] scale) | {ev["mse"]!.GetValue<double>():0.000000e+00} |");
            sb.AppendLine(inv, $"| SSIM (mean of per-channel) | {ev["ssim"]} |");
            sb.AppendLine(inv, $"| Keras categorical accuracy | {ev["keras_accuracy"]!.GetValue<double>():P2} |");
            sb.AppendLine(inv, $"| bits per pixel (latent) | {ev["payload_bpp"]} |");
            sb.AppendLine(inv, $"| bits per pixel on the wire, one 32×32 image per packet | {ev["bpp"]} |");
            sb.AppendLine(inv, $"| encode / decode time per 32×32 image (one at a time) | {ev["encode_ms_per_image"]} / {ev["decode_ms_per_image"]} ms |");
            sb.AppendLine();
            sb.AppendLine("Reproduce: `dotnet lab/bin/Release/net10.0/lab.dll eval --model " + name + " --data ../shared/datasets/cifar-10/test_batch.bin --json out.json`.");
            var path = Path.Combine(dir, name + ".md");
            File.WriteAllText(path + ".tmp", sb.ToString());
            File.Move(path + ".tmp", path, overwrite: true);
            Console.WriteLine($"wrote {path}");
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// The card of a lic operating point: architecture, parameters, the training schedule as it was run (every run of
    /// the chain with its steps, λ, learning rate; the last validation figures) and the product-path figures of
    /// <c>lab eval</c> on an evaluation folder (Kodak), bpp counted from the bytes on the wire.
    /// </summary>
    private static int LicCard(LicSpec spec, string dir, string run, string evalPath, string? command)
    {
        var (enc, dec) = SecureTransmit.Codec.LicModelFiles.LoadPair(dir, spec.Name);
        var ev = JsonNode.Parse(File.ReadAllText(evalPath))!.AsObject();
        if (ev["model_id"]?.GetValue<string>() != enc.ModelId) throw new ArgumentException($"{evalPath} was measured on model id {ev["model_id"]}, the files in {dir} are {enc.ModelId}");
        var ckpt = Neural.SafeTensors.Load(Path.Combine(run, "checkpoint.safetensors"));
        var state = JsonNode.Parse(ckpt.Metadata["lic_train_state"])!.AsObject();
        var history = state["History"]!.AsArray();
        var last = history.Count > 0 ? history[^1]!.AsObject() : null;
        var o = state["Options"]!.AsObject();
        var inv = CultureInfo.InvariantCulture;
        long encParams = enc.Analysis.Parameters().Sum(p => (long)p.Value.Length), decParams = dec.Synthesis.Parameters().Sum(p => (long)p.Value.Length);
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"# Model card: `{spec.Name}`");
        sb.AppendLine();
        sb.AppendLine(inv, $"- **Model id** (SHA-256 of the weights and coding tables): `{enc.ModelId}`");
        sb.AppendLine(inv, $"- **Files**: `{spec.Name}.encoder.safetensors` ({new FileInfo(ModelFiles.EncoderPath(dir, spec.Name)).Length:N0} bytes: g_a and the coding tables), `{spec.Name}.decoder.safetensors` ({new FileInfo(ModelFiles.DecoderPath(dir, spec.Name)).Length:N0} bytes: g_s and the coding tables)");
        sb.AppendLine(inv, $"- **Parameters**: {encParams + decParams:N0} ({encParams:N0} analysis, {decParams:N0} synthesis) plus {spec.M} integer coding tables (16-bit CDFs with an escape)");
        sb.AppendLine(inv, $"- **Operating point**: λ = {o["Lambda"]} in loss = λ·255²·MSE + bpp");
        sb.AppendLine();
        sb.AppendLine("## Architecture");
        sb.AppendLine();
        sb.AppendLine(spec.Description);
        sb.AppendLine();
        sb.AppendLine("## Training");
        sb.AppendLine();
        sb.AppendLine("- **Data**: `../shared/datasets/photos` (551 photographs: BSDS500 train+val, Urban100, Sun–Hays 80, CC0/CC-BY wallpapers; every 40th file held out for validation), random crops with horizontal flips, plus 2×-downscaled copies of the larger photographs. Never Kodak, USC-SIPI or CIFAR test.");
        sb.AppendLine(inv, $"- **Steps**: {state["Step"]} of {o["BatchSize"]} crops of {o["Crop"]}×{o["Crop"]}, Adam (lr {o["LearningRate"]} in the last run), gradient-norm clip {o["ClipNorm"]}, on this project's own engine on 2 CPU cores shared with the rest of the work; {state["ElapsedSeconds"]!.GetValue<double>() / 60:0} min of wall time in all{(state["InitializedFrom"] is { } from ? $"; started from the weights of `{from}` (fine-tuned to this λ)" : "")}. Stopped for the session's time budget, not at convergence.");
        if (command != null) sb.AppendLine(inv, $"- **Schedule**: {command}");
        if (last != null)
            sb.AppendLine(inv, $"- **Final loss** (step {last["Step"]}): train {last["TrainLoss"]!.GetValue<double>():0.0000} ({last["TrainBpp"]!.GetValue<double>():0.000} bpp, {last["TrainPsnr"]!.GetValue<double>():0.00} dB on noisy crops), validation {last["ValLoss"]!.GetValue<double>():0.0000} ({last["ValBpp"]!.GetValue<double>():0.000} bpp ideal code length, {last["ValPsnr"]!.GetValue<double>():0.00} dB)");
        sb.AppendLine();
        sb.AppendLine("## Held-out metrics (product path)");
        sb.AppendLine();
        sb.AppendLine(inv, $"`lab eval --model {spec.Name} --data {ev["data"]}` on {ev["images"]} images: encode, range-code, seal with the logistic cipher's key block, decode; bpp counts every byte of the packet on the wire.");
        sb.AppendLine();
        sb.AppendLine("| metric | value |");
        sb.AppendLine("|---|---|");
        sb.AppendLine(inv, $"| PSNR, mean of per-image (RGB) | {ev["psnr_mean_per_image"]} dB |");
        sb.AppendLine(inv, $"| PSNR from the mean MSE | {ev["psnr"]} dB |");
        sb.AppendLine(inv, $"| SSIM | {ev["ssim"]} |");
        sb.AppendLine(inv, $"| bits per pixel on the wire (header, key block, payload, tag) | {ev["bpp"]} |");
        sb.AppendLine(inv, $"| bits per pixel of the payload (checksum + bitstream) | {ev["payload_bpp"]} |");
        sb.AppendLine(inv, $"| encode / decode per image (one at a time, this machine, load-affected) | {ev["encode_ms_per_image"]} / {ev["decode_ms_per_image"]} ms |");
        var path = Path.Combine(dir, spec.Name + ".md");
        File.WriteAllText(path + ".tmp", sb.ToString());
        File.Move(path + ".tmp", path, overwrite: true);
        Console.WriteLine($"wrote {path}");
        return 0;
    }
}
