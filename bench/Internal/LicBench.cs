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
