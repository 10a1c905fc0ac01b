using SecureTransmit.Neural.Internal;
using SecureTransmit.Neural.Layers;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Neural.Tests;

/// <summary>Tests that force a SIMD path run alone: the switch is process-wide.</summary>
[CollectionDefinition(nameof(SimdPathCollection), DisableParallelization = true)]
public sealed class SimdPathCollection;

/// <summary>
/// THE parity proof: each case rebuilds PyTorch's parameters and input, then checks forward output,
/// MSE loss, input and parameter gradients, 3 Adam steps, BatchNorm buffers and eval-mode output
/// against tests/Neural.Tests/fixtures/*.safetensors (written by make_fixtures.py with torch 1.13),
/// on every SIMD path this CPU runs. Tolerance: relative error max|a−b| / max|b| ≤ 1e-4 per tensor.
/// </summary>
[Collection(nameof(SimdPathCollection))]
public class TorchParityTests
{
    private static readonly Dictionary<string, Func<Module>> Layers = new()
    {
        ["conv_k3"] = () => new Conv2d(3, 4, 3),
        ["conv_k2"] = () => new Conv2d(2, 3, 2),
        ["conv_k5_nobias"] = () => new Conv2d(3, 5, 5, bias: false),
        ["conv_k1"] = () => new Conv2d(4, 6, 1),
        ["conv_deep"] = () => new Conv2d(64, 8, 3),
        ["conv_wide"] = () => new Conv2d(8, 12, 3),
        ["maxpool2"] = () => new MaxPool2d(2),
        ["maxpool3"] = () => new MaxPool2d(3),
        ["upsample2"] = () => new Upsample(2),
        ["upsample3"] = () => new Upsample(3),
        ["linear"] = () => new Linear(10, 7),
        ["linear_3d"] = () => new Linear(6, 5),
        ["pointwise"] = () => new PointwiseLinear(5, 6),
        ["relu"] = () => new ReLU(),
        ["sigmoid"] = () => new Sigmoid(),
        ["tanh"] = () => new Tanh(),
        ["batchnorm2d"] = () => new BatchNorm2d(3),
        ["batchnorm1d"] = () => new BatchNorm1d(4),
        ["batchnorm1d_3d"] = () => new BatchNorm1d(3),
        ["adam_weight_decay"] = () => new Linear(10, 7),
        ["adam_keras"] = () => new Linear(10, 7),
        ["adam_betas"] = () => new Linear(10, 7),
    };

    private static readonly Dictionary<string, ModelSpec> Models = new()
    {
        ["model_cae-compact"] = Cae.Compact,
        ["model_cae-paper"] = Cae.Paper,
        ["model_cae-paper-bn"] = Cae.PaperBatchNorm,
        ["model_sae-16"] = Sae.Sae16,
    };

    public static TheoryData<string, string> LayerCases()
    {
        var d = new TheoryData<string, string>();
        foreach (var c in Layers.Keys) foreach (var p in Simd.Supported) d.Add(c, p.ToString());
        return d;
    }

    public static TheoryData<string, string> ModelCases()
    {
        var d = new TheoryData<string, string>();
        foreach (var c in Models.Keys) foreach (var p in Simd.Supported) d.Add(c, p.ToString());
        return d;
    }

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void Layer_matches_pytorch(string fixture, string path)
    {
        using var _ = Simd.Force(Enum.Parse<SimdPath>(path));
        Run(TorchFixture.Load(fixture), Layers[fixture]());
    }

    [Theory]
    [MemberData(nameof(ModelCases))]
    public void Model_matches_pytorch(string fixture, string path)
    {
        using var _ = Simd.Force(Enum.Parse<SimdPath>(path));
        var spec = Models[fixture];
        var model = new Sequential(("encoder", spec.CreateEncoder()), ("decoder", spec.CreateDecoder()));
        Run(TorchFixture.Load(fixture), model);
    }

    [Fact]
    public void Model_matches_pytorch_with_buffer_reuse_over_repeated_steps()
    {
        // Same check with every layer reusing its buffers: the steady-state training loop.
        var spec = Cae.PaperBatchNorm;
        var model = new Sequential(("encoder", spec.CreateEncoder()), ("decoder", spec.CreateDecoder()));
        model.ReuseBuffers();
        Run(TorchFixture.Load("model_cae-paper-bn"), model);
    }

    [Fact]
    public void Every_fixture_file_is_covered()
    {
        var dir = Path.GetDirectoryName(TorchFixture.Locate("conv_k3.safetensors"))!;
        var files = Directory.GetFiles(dir, "*.safetensors").Select(f => Path.GetFileNameWithoutExtension(f)!)
            .Where(f => !f.StartsWith("gru_", StringComparison.Ordinal) && !f.StartsWith("lic_", StringComparison.Ordinal)); // own test classes
        Assert.Empty(files.Except(Layers.Keys).Except(Models.Keys));
    }

    private static void Run(TorchFixture fx, Module model)
    {
        fx.InitializeParameters(model);
        var x = fx.MakeInput();
        Assert.Equal(fx["input"].Span.ToArray(), x.Span.ToArray()); // the two generators agree bit for bit
        var target = fx["target"];
        var named = model.NamedParameters().ToList();

        model.Train();
        var loss = new MSELoss();
        var y = model.Forward(x);
        Compare.Close(y, fx["output"], $"{fx.Name} output");
        float l = loss.Forward(y, target);
        Assert.True(Math.Abs(l - fx["loss"].Span[0]) <= 1e-4 * Math.Abs(fx["loss"].Span[0]), $"{fx.Name} loss {l} vs {fx["loss"].Span[0]}");
        var gx = model.Backward(loss.Backward());
        Compare.Close(gx, fx["grad.input"], $"{fx.Name} grad.input");

        double globalGrad = named.Count == 0 ? 0 : named.Max(p => Compare.MaxAbs(fx["grad." + p.Name].Span));
        var numericallyZero = new HashSet<string>();
        foreach (var (name, p) in named)
        {
            var reference = fx["grad." + name];
            if (Compare.MaxAbs(reference.Span) < 1e-6 * globalGrad)
            {
                // A gradient that is zero in exact arithmetic (a conv bias feeding BatchNorm): PyTorch's value
                // is rounding noise, so only its size is comparable; the script leaves it out of Adam, as here.
                numericallyZero.Add(name);
                Assert.True(Compare.MaxAbs(p.Grad.Span) < 1e-5 * globalGrad, $"{fx.Name} grad.{name} should be ~0");
                continue;
            }
            Compare.Close(p.Grad, reference, $"{fx.Name} grad.{name}");
        }

        Assert.Equal(fx.Frozen.Order(), numericallyZero.Order());
        if (named.Count > numericallyZero.Count)
        {
            var adam = new Adam(named.Where(p => !numericallyZero.Contains(p.Name)), fx.Adam);
            adam.Step();
            for (int s = 0; s < 2; s++)
            {
                adam.ZeroGrad();
                var out2 = model.Forward(x);
                loss.Forward(out2, target);
                model.Backward(loss.Backward());
                adam.Step();
            }
            foreach (var (name, p) in named)
                if (!numericallyZero.Contains(name))
                    Compare.Close(p.Value, fx["adam." + name], $"{fx.Name} after 3 Adam steps: {name}");
        }
        foreach (var (name, b) in model.NamedBuffers())
            Compare.Close(b, fx["buffer." + name], $"{fx.Name} buffer {name}");
        Assert.Equal(fx.Keys.Count(k => k.StartsWith("buffer.", StringComparison.Ordinal)), model.NamedBuffers().Count());

        model.Eval();
        Compare.Close(model.Forward(x), fx["eval_output"], $"{fx.Name} eval output");
    }
}
