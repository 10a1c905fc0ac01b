using SecureTransmit.Neural.Layers;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Neural.Tests;

public class ModelTests
{
    public static TheoryData<string> Names() => new(ModelZoo.Names);

    private static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "mf-neural-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    private static Tensor Tiles(ModelSpec spec, int n, int seed)
    {
        var x = new Tensor([n, .. spec.SampleShape]);
        var r = new Random(seed);
        for (int i = 0; i < x.Length; i++) x.Span[i] = (float)r.NextDouble();
        return x;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Encoder_and_decoder_have_the_declared_shapes(string name)
    {
        var spec = ModelZoo.Get(name);
        var enc = spec.CreateEncoder(new Init(1)).Eval();
        var dec = spec.CreateDecoder(new Init(2)).Eval();
        var z = enc.Forward(Tiles(spec, 3, 1));
        Assert.Equal([3, .. spec.LatentShape], z.Shape);
        var y = dec.Forward(z);
        Assert.Equal([3, .. spec.SampleShape], y.Shape);
        Assert.All(y.Span.ToArray(), v => Assert.InRange(v, 0f, 1f)); // sigmoid output
        Assert.False(string.IsNullOrWhiteSpace(spec.Description));
        Assert.All(enc.StateDict().Concat(dec.StateDict()), t => Assert.DoesNotContain("..", t.Name));
    }

    [Fact]
    public void Registry_holds_the_brief_s_models_and_rejects_unknown_names()
    {
        Assert.Equal(ModelZoo.Names.Count(), ModelZoo.Names.Distinct().Count());
        foreach (var n in new[] { "cae-compact", "cae-paper", "cae-paper-bn", "sae-4", "sae-16", "cnn-bigru" })
            Assert.True(ModelZoo.TryGet(n, out _), n);
        Assert.Equal([128], ModelZoo.Get("cae-compact").LatentShape);
        Assert.Equal([128, 4, 4], ModelZoo.Get("cae-paper").LatentShape);
        Assert.Equal(16, ModelZoo.Get("sae-4").LatentSize);
        Assert.Equal(16.0, ModelZoo.Get("sae-16").CompressionRatio);
        Assert.Equal(8, ModelZoo.Get("sae-16").TileSize);
        var ex = Assert.Throws<ArgumentException>(() => ModelZoo.Get("nope"));
        Assert.Contains("cae-compact", ex.Message);
    }

    [Fact]
    public void Same_init_seed_gives_same_weights_and_default_generator_is_reseedable()
    {
        var a = Cae.Compact.CreateEncoder(new Init(5)).StateDict().Select(t => t.Value.Span.ToArray()).ToList();
        var b = Cae.Compact.CreateEncoder(new Init(5)).StateDict().Select(t => t.Value.Span.ToArray()).ToList();
        Assert.Equal(a, b);
        Init.ManualSeed(9);
        var c = new Linear(4, 3).Weight.Value.Span.ToArray();
        Init.ManualSeed(9);
        Assert.Equal(c, new Linear(4, 3).Weight.Value.Span.ToArray());
    }

    [Fact]
    public void Default_init_follows_pytorch_bounds()
    {
        var conv = new Conv2d(16, 32, 3, init: new Init(3));
        float bound = 1f / MathF.Sqrt(16 * 9);
        var w = conv.Weight.Value.Span.ToArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        double mean = w.Average(v => (double)v), var = w.Average(v => (double)v * v) - mean * mean;
        Assert.InRange(mean, -0.05 * bound, 0.05 * bound);
        Assert.InRange(var, bound * bound / 3 * 0.9, bound * bound / 3 * 1.1); // U(-b,b) has variance b²/3
        Assert.All(conv.Bias!.Value.Span.ToArray(), v => Assert.InRange(v, -bound, bound));
        var bn = new BatchNorm2d(4);
        Assert.All(bn.Weight.Value.Span.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(bn.RunningVar.Span.ToArray(), v => Assert.Equal(1f, v));
    }

    [Theory]
    [InlineData("cae-compact")]
    [InlineData("cae-paper-bn")]
    [InlineData("sae-16")]
    public void Split_files_round_trip_with_a_stable_model_id(string name)
    {
        var dir = TempDir();
        try
        {
            var spec = ModelZoo.Get(name);
            var enc = spec.CreateEncoder(new Init(11));
            var dec = spec.CreateDecoder(new Init(12));
            var x = Tiles(spec, 4, 2);
            enc.Train(); dec.Train();
            dec.Forward(enc.Forward(x)); // moves BatchNorm running stats, so buffers are non-trivial
            var (encPath, decPath, id) = ModelFiles.SaveSplit(spec, enc, dec, dir);
            Assert.Equal(Path.Combine(dir, name + ".encoder.safetensors"), encPath);
            Assert.Matches("^[0-9a-f]{64}$", id);
            Assert.Equal(id, ModelFiles.ComputeModelId(enc, dec));

            var (spec2, enc2, id2) = ModelFiles.LoadEncoder(encPath);
            var (_, dec2, id3) = ModelFiles.LoadDecoder(decPath, name);
            Assert.Same(spec, spec2);
            Assert.Equal(id, id2);
            Assert.Equal(id, id3);
            Assert.False(enc2.Training);
            enc.Eval(); dec.Eval();
            Assert.Equal(dec.Forward(enc.Forward(x)).Span.ToArray(), dec2.Forward(enc2.Forward(x)).Span.ToArray());

            var file = SafeTensors.Load(encPath);
            Assert.All(file.Tensors.Keys, k => Assert.StartsWith("encoder.", k));
            Assert.Equal("encoder", file.Metadata["part"]);
            Assert.Equal(name, file.Metadata["architecture"]);
            foreach (var (k, t) in file.DTypes)
                Assert.Equal(k.EndsWith("num_batches_tracked") ? SafeTensorDType.I64 : SafeTensorDType.F32, t);

            var pair = ModelFiles.LoadPair(dir, name);
            Assert.Equal(id, pair.ModelId);

            // Changing one weight changes the id.
            dec.StateDict().First().Value.Span[0] += 1e-3f;
            Assert.NotEqual(id, ModelFiles.ComputeModelId(enc, dec));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Wrong_part_architecture_or_tampering_is_a_clear_error()
    {
        var dir = TempDir();
        try
        {
            var spec = Cae.Compact;
            var (encPath, decPath, _) = ModelFiles.SaveSplit(spec, spec.CreateEncoder(new Init(1)), spec.CreateDecoder(new Init(2)), dir);
            Assert.Contains("expected the encoder", Assert.Throws<WeightFileException>(() => ModelFiles.LoadEncoder(decPath)).Message);
            var wrongArch = Assert.Throws<WeightFileException>(() => ModelFiles.LoadEncoder(encPath, "cae-paper"));
            Assert.Contains("holds architecture 'cae-compact', expected 'cae-paper'", wrongArch.Message);

            // A decoder of another training run of the same architecture: ids disagree.
            var other = TempDir();
            try
            {
                ModelFiles.SaveSplit(spec, spec.CreateEncoder(new Init(3)), spec.CreateDecoder(new Init(4)), other);
                File.Copy(ModelFiles.DecoderPath(other, spec.Name), decPath, overwrite: true);
                Assert.Contains("do not belong together", Assert.Throws<WeightFileException>(() => ModelFiles.LoadPair(dir, spec.Name)).Message);
            }
            finally { Directory.Delete(other, true); }

            // Weights altered but metadata kept: the recomputed id differs.
            var (encPath2, _, _) = ModelFiles.SaveSplit(spec, spec.CreateEncoder(new Init(1)), spec.CreateDecoder(new Init(2)), dir);
            var f = SafeTensors.Load(encPath2);
            var tensors = f.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
            tensors["encoder.0.bias"].Span[0] += 0.5f;
            SafeTensors.Save(encPath2, tensors.Select(kv => (kv.Key, kv.Value)), f.Metadata);
            Assert.Contains("hash to", Assert.Throws<WeightFileException>(() => ModelFiles.LoadPair(dir, spec.Name)).Message);

            // A file with a foreign architecture name.
            SafeTensors.Save(encPath2, tensors.Select(kv => (kv.Key, kv.Value)),
                             new Dictionary<string, string>(f.Metadata) { ["architecture"] = "resnet-9000" });
            Assert.Contains("unknown", Assert.Throws<WeightFileException>(() => ModelFiles.LoadEncoder(encPath2)).Message);

            // Weights of one architecture labelled as another: shapes do not fit.
            SafeTensors.Save(encPath2, tensors.Select(kv => (kv.Key, kv.Value)),
                             new Dictionary<string, string>(f.Metadata) { ["architecture"] = "cae-paper" });
            var shapeEx = Assert.Throws<WeightFileException>(() => ModelFiles.LoadEncoder(encPath2));
            Assert.Contains("model expects", shapeEx.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void LoadStateDict_names_missing_unexpected_and_misshapen_tensors_and_changes_nothing_on_error()
    {
        var m = new Sequential(new Conv2d(3, 32, 3, init: new Init(1)), new ReLU());
        var before = m.StateDict().Select(t => t.Value.Span.ToArray()).ToList();
        var state = new Dictionary<string, Tensor>
        {
            ["encoder.0.weight"] = new Tensor(16, 3, 3, 3),
            ["encoder.0.bias"] = new Tensor(32),
            ["encoder.9.weight"] = new Tensor(2),
        };
        var ex = Assert.Throws<WeightFileException>(() => m.LoadStateDict(state, strict: true, source: "X", prefix: "encoder."));
        Assert.Contains("weight file X: tensor 'encoder.0.weight' has shape [16,3,3,3], model expects [32,3,3,3]", ex.Message);
        Assert.Contains("tensor 'encoder.9.weight' is not part of the model", ex.Message);
        Assert.Equal(before, m.StateDict().Select(t => t.Value.Span.ToArray()).ToList());

        state.Remove("encoder.0.weight");
        var missing = Assert.Throws<WeightFileException>(() => m.LoadStateDict(state, strict: false, source: "X", prefix: "encoder."));
        Assert.Contains("tensor 'encoder.0.weight' is missing (model expects [32,3,3,3])", missing.Message);
        Assert.DoesNotContain("not part of the model", missing.Message); // non-strict ignores extras

        state["encoder.0.weight"] = new Tensor(32, 3, 3, 3);
        state["encoder.0.weight"].Span.Fill(0.25f);
        m.LoadStateDict(state, strict: false, prefix: "encoder.");
        Assert.All(((Conv2d)m[0]).Weight.Value.Span.ToArray(), v => Assert.Equal(0.25f, v));
    }

    [Fact]
    public void Adam_state_survives_a_checkpoint()
    {
        Linear Make() => new(6, 3, init: new Init(21));
        var x = new Tensor(4, 6); var t = new Tensor(4, 3);
        var r = new Random(3);
        for (int i = 0; i < x.Length; i++) x.Span[i] = (float)r.NextDouble();
        for (int i = 0; i < t.Length; i++) t.Span[i] = (float)r.NextDouble();
        void Step(Module m, Adam o) { o.ZeroGrad(); var (_, g) = MSELoss.Compute(m.Forward(x), t); m.Backward(g); o.Step(); }

        var a = Make(); var oa = new Adam(a, new AdamOptions { LearningRate = 0.05 });
        for (int i = 0; i < 5; i++) Step(a, oa);

        var b = Make(); var ob = new Adam(b, new AdamOptions { LearningRate = 0.05 });
        for (int i = 0; i < 2; i++) Step(b, ob);
        var saved = ob.StateDict().Concat(b.StateDict()).ToDictionary(p => p.Name, p => p.Value.Clone());
        Assert.Equal(2f, saved["weight.step"].Span[0]);
        var c = Make(); var oc = new Adam(c, new AdamOptions { LearningRate = 0.05 });
        c.LoadStateDict(saved, strict: false);
        oc.LoadStateDict(saved);
        for (int i = 0; i < 3; i++) Step(c, oc);
        Assert.Equal(a.Weight.Value.Span.ToArray(), c.Weight.Value.Span.ToArray());
    }

    [Fact]
    public void Options_and_inputs_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(new Linear(2, 2), new AdamOptions { Beta1 = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(new Linear(2, 2), new AdamOptions { LearningRate = -1 }));
        Assert.Contains("expects [N,3,H,W]", Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3).Forward(new Tensor(1, 2, 4, 4))).Message);
        Assert.Throws<InvalidOperationException>(() => new Linear(2, 2).Backward(new Tensor(1, 2)));
        Assert.Throws<ArgumentException>(() => MSELoss.Compute(new Tensor(2), new Tensor(3)));
        Assert.Throws<ArgumentException>(() => new Sequential(("a.b", new ReLU())));
    }

    [Fact]
    public void Buffer_reuse_returns_the_same_storage_and_fresh_mode_does_not()
    {
        var m = Cae.Compact.CreateEncoder(new Init(1)).Eval();
        var x = Tiles(Cae.Compact, 2, 1);
        var a = m.Forward(x).Span.ToArray();
        var r1 = m.Forward(x);
        Assert.NotSame(r1.Data, m.Forward(x).Data);
        m.ReuseBuffers();
        Assert.True(m.BufferReuse);
        var b1 = m.Forward(x);
        var b2 = m.Forward(x);
        Assert.Same(b1.Data, b2.Data);
        Assert.Equal(a, b2.Span.ToArray());
        // A smaller batch reuses the larger buffers.
        var small = m.Forward(Tiles(Cae.Compact, 1, 1));
        Assert.Same(b1.Data, small.Data);
        Assert.Equal(a.AsSpan(0, 128).ToArray(), small.Span.ToArray());
    }

    [Fact]
    public void Mse_loss_is_the_mean_and_its_gradient_two_diff_over_n()
    {
        var p = new Tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        var t = new Tensor(new float[] { 0, 2, 5, 4 }, 2, 2);
        var (loss, g) = MSELoss.Compute(p, t);
        Assert.Equal((1f + 0 + 4 + 0) / 4, loss);
        Assert.Equal(new float[] { 0.5f, 0, -1, 0 }, g.Span.ToArray());
    }
}
