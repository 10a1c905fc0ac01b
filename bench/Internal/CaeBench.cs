using System.Diagnostics;
using SecureTransmit.Neural;
using SecureTransmit.Neural.Layers;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Bench.Internal;

/// <summary>Our cae-compact throughput: inference (eval) and training (Adam + MSE) on batches of 32×32 tiles.</summary>
internal static class CaeBench
{
    public static Tensor RandomBatch(int n, int seed = 1)
    {
        var x = new Tensor(n, 3, 32, 32);
        var r = new Random(seed);
        for (int i = 0; i < x.Length; i++) x.Span[i] = (float)r.NextDouble();
        return x;
    }

    public static Sequential Model(string name = "cae-compact")
    {
        var spec = ModelZoo.Get(name);
        return new Sequential(("encoder", spec.CreateEncoder(new Init(1))), ("decoder", spec.CreateDecoder(new Init(2))));
    }

    /// <summary>Images per second of eval-mode encoder+decoder forward, best of several timed runs.</summary>
    public static double Inference(int batch, double seconds, string name = "cae-compact")
    {
        var model = Model(name);
        model.Eval().ReuseBuffers();
        var x = RandomBatch(batch);
        return Measure(() => model.Forward(x), batch, seconds);
    }

    /// <summary>Images per second of full training steps (forward, MSE, backward, Adam).</summary>
    public static double Training(int batch, double seconds, string name = "cae-compact")
    {
        var model = Model(name);
        model.Train().ReuseBuffers();
        model.SkipInputGradient(); // the input is data, as in the PyTorch peer
        var adam = new Adam(model);
        var loss = new MSELoss(reuseBuffers: true);
        var x = RandomBatch(batch);
        return Measure(() => Step(model, adam, loss, x), batch, seconds);
    }

    public static float Step(Module model, Adam adam, MSELoss loss, Tensor x)
    {
        adam.ZeroGrad();
        var y = model.Forward(x);
        float l = loss.Forward(y, x);
        model.Backward(loss.Backward());
        adam.Step();
        return l;
    }

    private static double Measure(Action step, int batch, double seconds)
    {
        // Warm-up: tiered JIT promotes the hot methods (and OSR loops) after ~30 calls / a few 100 ms.
        var warm = Stopwatch.StartNew();
        int calls = 0;
        while (calls < 40 || warm.Elapsed.TotalSeconds < Math.Min(2.0, seconds)) { step(); calls++; }
        double best = 0;
        for (int round = 0; round < 3; round++)
        {
            var sw = Stopwatch.StartNew();
            int n = 0;
            while (sw.Elapsed.TotalSeconds < seconds / 3) { step(); n++; }
            best = Math.Max(best, n * batch / sw.Elapsed.TotalSeconds);
        }
        return best;
    }

    /// <summary>Per-layer forward/backward milliseconds of one training step (for tuning).</summary>
    public static void Profile(int batch, string name = "cae-compact", bool inference = false)
    {
        var model = Model(name);
        model.Train().ReuseBuffers();
        if (inference) model.Eval();
        model.SkipInputGradient();
        var adam = new Adam(model);
        var loss = new MSELoss(reuseBuffers: true);
        var x = RandomBatch(batch);
        for (int i = 0; i < 30; i++) { if (inference) model.Forward(x); else Step(model, adam, loss, x); }
        var layers = new List<(string Name, Module M)>();
        foreach (var (pn, part) in model.NamedChildren())
            foreach (var (cn, c) in part.NamedChildren()) layers.Add(($"{pn}.{cn} {c}", c));
        var fwd = new double[layers.Count]; var bwd = new double[layers.Count];
        double adamMs = 0, lossMs = 0;
        int reps = 10;
        for (int r = 0; r < reps; r++)
        {
            adam.ZeroGrad();
            var h = x;
            for (int i = 0; i < layers.Count; i++) { var sw = Stopwatch.StartNew(); h = layers[i].M.Forward(h); fwd[i] += sw.Elapsed.TotalMilliseconds; }
            if (inference) continue;
            var s2 = Stopwatch.StartNew();
            loss.Forward(h, x);
            var g = loss.Backward();
            lossMs += s2.Elapsed.TotalMilliseconds;
            for (int i = layers.Count - 1; i >= 0; i--) { var sw = Stopwatch.StartNew(); g = layers[i].M.Backward(g); bwd[i] += sw.Elapsed.TotalMilliseconds; }
            var s3 = Stopwatch.StartNew();
            adam.Step();
            adamMs += s3.Elapsed.TotalMilliseconds;
        }
        double total = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            Console.WriteLine($"{layers[i].Name,-60} fwd {fwd[i] / reps,7:F2} ms  bwd {bwd[i] / reps,7:F2} ms");
            total += (fwd[i] + bwd[i]) / reps;
        }
        Console.WriteLine($"loss {lossMs / reps:F2} ms, adam {adamMs / reps:F2} ms, total {total + (lossMs + adamMs) / reps:F1} ms per step of {batch}");
    }
}
