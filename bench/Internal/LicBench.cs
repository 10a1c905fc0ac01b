using System.Diagnostics;
using SecureTransmit.Neural;
using SecureTransmit.Neural.Layers;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Bench.Internal;

/// <summary>The lic codec's training step: per-layer profile and steps per second.</summary>
internal static class LicBench
{
    /// <summary>Milliseconds of each layer's forward and backward in one training step (batch B of S×S crops).</summary>
    public static void Profile(int batch, int size, string model)
    {
        var spec = LicZoo.Get(model);
        var net = new LicNetwork(spec, new Init(1));
        net.ReuseBuffers();
        net.Analysis.SkipInputGradient();
        var x = new Tensor(batch, 3, size, size);
        var r = new Random(1);
        foreach (ref float v in x.Span) v = (float)r.NextDouble();
        var layers = net.Analysis.NamedChildren().Select(c => ("g_a." + c.Name, c.Module))
            .Concat(net.Synthesis.NamedChildren().Select(c => ("g_s." + c.Name, c.Module))).ToList();
        var fwd = new double[layers.Count]; var bwd = new double[layers.Count];
        int reps = 6;
        double prior = 0, total = 0;
        for (int rep = 0; rep < reps + 2; rep++)
        {
            bool record = rep >= 2;
            var all = Stopwatch.StartNew();
            net.ZeroGrad();
            Tensor t = x;
            var outs = new Tensor[layers.Count];
            for (int i = 0; i < layers.Count; i++)
            {
                if (i == 11)
                {
                    foreach (ref float v in t.Span) v = MathF.Round(v);
                }
                var sw = Stopwatch.StartNew();
                t = layers[i].Item2.Forward(t);
                if (record) fwd[i] += sw.Elapsed.TotalMilliseconds;
                outs[i] = t;
            }
            var psw = Stopwatch.StartNew();
            var gLat = Tensor.Like(outs[10]);
            net.Prior.Bits(outs[10], gLat, 1e-5f);
            if (record) prior += psw.Elapsed.TotalMilliseconds;
            var g = Tensor.Like(t);
            g.Span.Fill(1e-3f);
            for (int i = layers.Count - 1; i >= 0; i--)
            {
                var sw = Stopwatch.StartNew();
                g = layers[i].Item2.Backward(g);
                if (record) bwd[i] += sw.Elapsed.TotalMilliseconds;
                if (i == 11) g = g.Clone();
            }
            if (record) total += all.Elapsed.TotalMilliseconds;
        }
        for (int i = 0; i < layers.Count; i++)
            Console.WriteLine($"{layers[i].Item1,-6} {layers[i].Item2,-40} fwd {fwd[i] / reps,7:F2} ms  bwd {bwd[i] / reps,7:F2} ms");
        Console.WriteLine($"prior bits+grad {prior / reps:F2} ms; step total {total / reps:F1} ms (batch {batch} of {size}²)");
    }
}

/// <summary>Throughput of the lic-2 training step and 768×512 encode/decode through the product's codec and cipher.</summary>
internal static class LicThroughput
{
    public static double Training(int batch, double seconds)
    {
        var net = new LicNetwork(LicZoo.Get("lic-2"), new Init(1));
        net.ReuseBuffers();
        net.Analysis.SkipInputGradient();
        var adam = new Adam(net.NamedParameters(), new AdamOptions { LearningRate = 1e-4 });
        var x = new Tensor(batch, 3, 128, 128);
        var r = new Random(1);
        foreach (ref float v in x.Span) v = (float)r.NextDouble();
        var noise = new float[128 * batch * 8 * 8];
        foreach (ref float v in noise.AsSpan()) v = (float)r.NextDouble() - 0.5f;
        void Step() { adam.ZeroGrad(); net.ForwardBackward(x, noise, 0.013); adam.Step(); net.Project(); }
        return Timed(Step, batch, seconds);
    }

    public static double Inference(int batch, double seconds)
    {
        var net = new LicNetwork(LicZoo.Get("lic-2"), new Init(1));
        net.ReuseBuffers();
        net.Eval();
        var x = new Tensor(batch, 3, 128, 128);
        var r = new Random(1);
        foreach (ref float v in x.Span) v = (float)r.NextDouble();
        void Step()
        {
            var y = net.Analysis.Forward(x);
            foreach (ref float v in y.Span) v = MathF.Round(v);
            net.Synthesis.Forward(y);
        }
        return Timed(Step, batch, seconds);
    }

    /// <summary>Images per second: warm up (tiered JIT), then the best of three thirds of <paramref name="seconds"/>.</summary>
    private static double Timed(Action step, int batch, double seconds)
    {
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warm.Elapsed.TotalSeconds < Math.Min(2, seconds); i++) step();
        double best = 0;
        for (int round = 0; round < 3; round++)
        {
            var sw = Stopwatch.StartNew();
            int n = 0;
            while (sw.Elapsed.TotalSeconds < seconds / 3 || n == 0) { step(); n++; }
            best = Math.Max(best, n * batch / sw.Elapsed.TotalSeconds);
        }
        return best;
    }

    /// <summary>
    /// p50 milliseconds of encode + seal and of open + decode of one 768×512 photograph-like image through
    /// <see cref="SecureTransmit.Codec.LicCodec"/> and the logistic cipher (the shipped lic-2 weights when
    /// <paramref name="modelsDir"/> has them, else a freshly initialized lic-2: the same arithmetic).
    /// </summary>
    public static (double EncodeMs, double DecodeMs, string Weights) Codec(string? modelsDir, int runs)
    {
        SecureTransmit.Codec.IImageCodec codec;
        string weights;
        if (modelsDir != null && File.Exists(ModelFiles.EncoderPath(modelsDir, "lic-2")))
        {
            codec = SecureTransmit.Codec.CodecFiles.LoadPair(modelsDir, "lic-2").Codec;
            weights = "shipped";
        }
        else
        {
            var net = new LicNetwork(LicZoo.Get("lic-2"), new Init(1));
            var tables = SecureTransmit.Codec.LicModelFiles.BuildTables(net.Prior);
            net.Analysis.Eval(); net.Synthesis.Eval();
            codec = new SecureTransmit.Codec.LicCodec(new(net.Spec, net.Analysis, tables, new string('0', 64)), new(net.Spec, net.Synthesis, tables, new string('0', 64)));
            weights = "fresh";
        }
        var img = new SecureTransmit.Imaging.Image(768, 512, 3);
        var r = new Random(7);
        for (int y = 0; y < 512; y++)
            for (int x = 0; x < 768; x++)
                for (int c = 0; c < 3; c++)
                    img.Pixels[(y * 768 + x) * 3 + c] = (byte)Math.Clamp(128 + 80 * Math.Sin(0.03 * x + 0.02 * y + c) + r.Next(-20, 20), 0, 255);
        var (sender, receiver) = Sessions();
        var enc = new List<double>(); var dec = new List<double>();
        for (int i = 0; i < runs + 5; i++)
        {
            var sw = Stopwatch.StartNew();
            var e = codec.Encode(img);
            var packet = SecureTransmit.Codec.Packet.Seal(sender, e, (ulong)i + 1, SecureTransmit.Codec.Packet.NewImageId());
            double encMs = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            var h = SecureTransmit.Codec.Packet.ParseFor(receiver, packet.HeaderBytes, 1 << 24);
            var opened = SecureTransmit.Codec.Packet.Open(receiver, h, packet.HeaderBytes, packet.Ciphertext, packet.Tag);
            codec.Decode(opened);
            double decMs = sw.Elapsed.TotalMilliseconds;
            if (i >= 5) { enc.Add(encMs); dec.Add(decMs); }
        }
        enc.Sort(); dec.Sort();
        return (enc[enc.Count / 2], dec[dec.Count / 2], weights);
    }

    private static (SecureTransmit.Security.Session, SecureTransmit.Security.Session) Sessions()
    {
        using var s = SecureTransmit.Security.Identity.Generate();
        using var r = SecureTransmit.Security.Identity.Generate();
        var responder = new SecureTransmit.Security.HandshakeResponder(r, new SecureTransmit.Security.AllowList([new SecureTransmit.Security.AllowListEntry(s.Fingerprint, "s")]));
        using var hs = new SecureTransmit.Security.HandshakeInitiator(s, r.Fingerprint, "lic-2", new byte[32], SecureTransmit.Security.CipherModes.Logistic);
        var accepted = responder.Accept(hs.Request);
        return (hs.Complete(accepted.Response), accepted.Session);
    }
}
