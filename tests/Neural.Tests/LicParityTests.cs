using SecureTransmit.Neural.Internal;
using SecureTransmit.Neural.Layers;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Neural.Tests;

/// <summary>
/// The lic codec's layers against PyTorch 1.13 (fixtures/make_lic_fixtures.py; the reference runs in float64, we in
/// float32): GDN and IGDN, pixel shuffle and unshuffle, the factorized prior's bits and gradients, and one whole
/// training pass of a small lic network (loss and every parameter's gradient), on every SIMD path this CPU has.
/// Tolerance: max |ours − torch| ≤ 1e-4 · max(max |torch|, 1e-6) per tensor (2e-4 for the whole network, whose
/// gradients pass through ten float32 layers).
/// </summary>
[Collection(nameof(SimdPathCollection))]
public sealed class LicParityTests
{
    public static TheoryData<string> Paths()
    {
        var d = new TheoryData<string>();
        foreach (var p in Simd.Supported) d.Add(p.ToString());
        return d;
    }

    private static SafeTensorFile Fixture(string name) => SafeTensors.Load(TorchFixture.Locate(name + ".safetensors"));

    private static void Close(Tensor expected, ReadOnlySpan<float> actual, string what, double tolerance = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 1e-6, err = 0;
        var e = expected.Span;
        for (int i = 0; i < e.Length; i++)
        {
            max = Math.Max(max, Math.Abs(e[i]));
            err = Math.Max(err, Math.Abs(e[i] - actual[i]));
        }
        Assert.True(err <= tolerance * max, $"{what}: max error {err:G3} exceeds {tolerance:G2} × {max:G3}");
    }

    private static void LoadParams(Module m, SafeTensorFile f) =>
        m.LoadStateDict(f.Tensors.Where(t => t.Key.StartsWith("param.", StringComparison.Ordinal)).ToDictionary(t => t.Key["param.".Length..], t => t.Value));

    private static void CheckGrads(Module m, SafeTensorFile f, double tolerance = 1e-4)
    {
        foreach (var (name, p) in m.NamedParameters())
            Close(f.Tensors["grad." + name], p.Grad.Span, "grad of " + name, tolerance);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Gdn_and_igdn_match_torch(string path)
    {
        using var _ = Simd.Force(Enum.Parse<SimdPath>(path));
        foreach (var inverse in new[] { false, true })
        {
            var f = Fixture(inverse ? "lic_igdn" : "lic_gdn");
            var layer = new Gdn(5, inverse);
            LoadParams(layer, f);
            var y = layer.Forward(f.Tensors["input"]);
            Close(f.Tensors["output"], y.Span, $"{layer} output");
            var dx = layer.Backward(f.Tensors["upstream"]);
            Close(f.Tensors["grad.input"], dx.Span, $"{layer} input gradient");
            CheckGrads(layer, f);
        }
    }

    [Fact]
    public void Pixel_shuffle_and_unshuffle_match_torch_exactly()
    {
        foreach (var (name, layer) in new (string, Module)[] { ("lic_pixel_shuffle", new PixelShuffle(2)), ("lic_pixel_unshuffle", new PixelUnshuffle(2)) })
        {
            var f = Fixture(name);
            Assert.Equal(f.Tensors["output"].Span.ToArray(), layer.Forward(f.Tensors["input"]).Span.ToArray());
            Assert.Equal(f.Tensors["grad.input"].Span.ToArray(), layer.Backward(f.Tensors["upstream"]).Span.ToArray());
        }
    }

    [Fact]
    public void Factorized_prior_bits_and_gradients_match_torch()
    {
        var f = Fixture("lic_prior");
        var prior = new FactorizedPrior(4, 3);
        LoadParams(prior, f);
        var v = f.Tensors["input"];
        var grad = Tensor.Like(v);
        double bits = prior.Bits(v, grad);
        double expected = f.Tensors["bits"].Span[0];
        Assert.True(Math.Abs(bits - expected) <= 1e-5 * Math.Abs(expected), $"bits {bits} vs torch {expected}");
        Close(f.Tensors["grad.input"], grad.Span, "d bits / d values");
        CheckGrads(prior, f);
        // Without a gradient buffer the same number comes back and no parameter gradient moves.
        prior.ZeroGrad();
        Assert.Equal(bits, prior.Bits(v));
        Assert.All(prior.Parameters(), p => Assert.All(p.Grad.Span.ToArray(), g => Assert.Equal(0f, g)));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_lic_network_training_pass_matches_torch(string path)
    {
        using var _ = Simd.Force(Enum.Parse<SimdPath>(path));
        var f = Fixture("lic_network");
        double lambda = double.Parse(f.Metadata["lambda"], System.Globalization.CultureInfo.InvariantCulture);
        var net = new LicNetwork(new LicSpec("lic-test", 8, 6, lambda));
        LoadParams(net, f);
        var latent = net.Analysis.Forward(f.Tensors["input"]);
        Close(f.Tensors["latent"], latent.Span, "latent");
        // Rounding must land on the same integers: no latent value of the fixture sits near a .5 tie.
        Assert.All(f.Tensors["latent"].Span.ToArray(), v => Assert.True(Math.Abs(v - Math.Floor(v) - 0.5) > 1e-3, $"latent {v} too close to a rounding tie"));
        net.ZeroGrad();
        var (loss, bpp, mse) = net.ForwardBackward(f.Tensors["input"], f.Tensors["noise"].Span, lambda);
        Assert.True(Math.Abs(loss - f.Tensors["loss"].Span[0]) <= 1e-4 * Math.Abs(f.Tensors["loss"].Span[0]), $"loss {loss} vs torch {f.Tensors["loss"].Span[0]}");
        Assert.True(Math.Abs(bpp - f.Tensors["bpp"].Span[0]) <= 1e-4 * Math.Abs(f.Tensors["bpp"].Span[0]), $"bpp {bpp} vs torch {f.Tensors["bpp"].Span[0]}");
        Assert.True(Math.Abs(mse - f.Tensors["mse"].Span[0]) <= 1e-4 * Math.Abs(f.Tensors["mse"].Span[0]), $"mse {mse} vs torch {f.Tensors["mse"].Span[0]}");
        CheckGrads(net, f, 2e-4);
    }
}
