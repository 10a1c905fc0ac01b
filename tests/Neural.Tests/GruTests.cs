using SecureTransmit.Neural.Layers;

namespace SecureTransmit.Neural.Tests;

/// <summary>
/// GRU against PyTorch 1.13's nn.GRU (fixtures from fixtures/make_gru_fixtures.py) and against
/// finite differences.
/// </summary>
public sealed class GruTests
{
    private static readonly Lazy<GruFixture> Small = new(() => GruFixture.Load("gru_small.safetensors"));
    private static readonly Lazy<GruFixture> Full = new(() => GruFixture.Load("gru_full.safetensors"));

    [Theory]
    [InlineData("uni.", false)]
    [InlineData("bi.", true)]
    public void ParameterNamesAndShapesMatchPyTorchStateDict(string prefix, bool bidirectional)
    {
        var gru = new GRU(7, 6, bidirectional: bidirectional);
        var expected = Small.Value.Metadata[prefix + "state_dict_keys"].Split(',');
        Assert.Equal(expected, gru.StateDict().Select(e => e.Name).ToArray());
        foreach (var (name, value) in gru.StateDict())
            Assert.Equal(Small.Value[prefix + name].Shape, value.Shape);
    }

    [Theory]
    [InlineData("uni.", false)]
    [InlineData("bi.", true)]
    public void ForwardAndBackwardMatchPyTorch(string prefix, bool bidirectional)
    {
        var fx = Small.Value;
        var gru = new GRU(7, 6, bidirectional: bidirectional);
        fx.LoadParameters(gru, prefix);

        var y = gru.Forward(fx[prefix + "input"]);
        GruFixture.AssertClose(fx[prefix + "output"], y, prefix + "output");

        var dx = gru.Backward(GruFixture.MseGradient(y, fx[prefix + "target"]));
        GruFixture.AssertClose(fx[prefix + "grad_input"], dx, prefix + "grad_input");
        fx.AssertGradients(gru, prefix);
    }

    [Theory]
    [InlineData("uni.", false)]
    [InlineData("bi.", true)]
    public void ThreeAdamStepsMatchPyTorch(string prefix, bool bidirectional)
    {
        var fx = Small.Value;
        var gru = new GRU(7, 6, bidirectional: bidirectional);
        fx.LoadParameters(gru, prefix);
        var adam = new Adam(gru, new AdamOptions { LearningRate = 1e-2 });
        for (int step = 0; step < 3; step++)
        {
            adam.ZeroGrad();
            var y = gru.Forward(fx[prefix + "input"]);
            gru.Backward(GruFixture.MseGradient(y, fx[prefix + "target"]));
            adam.Step();
        }
        foreach (var (name, p) in gru.NamedParameters())
            GruFixture.AssertClose(fx[prefix + "after_adam." + name], p.Value, prefix + "after_adam." + name);
    }

    [Fact]
    public void ReverseDirectionAloneMatchesReverseHalfOfPyTorchBidirectional()
    {
        var fx = Small.Value;
        var gru = new GRU(7, 6, reverse: true);
        Assert.Equal(
            ["weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse"],
            gru.NamedParameters().Select(p => p.Name).ToArray());
        fx.LoadParameters(gru, "bi.");

        var y = gru.Forward(fx["bi.input"]);
        GruFixture.AssertClose(fx["rev.output"], y, "rev.output");

        var dx = gru.Backward(GruFixture.MseGradient(y, fx["rev.target"]));
        GruFixture.AssertClose(fx["rev.grad_input"], dx, "rev.grad_input");
        fx.AssertGradients(gru, "rev.");
    }

    [Fact]
    public void FinalStatesMatchPyTorchHn()
    {
        var fx = Small.Value;
        var gru = new GRU(7, 6, bidirectional: true, returnSequences: false);
        fx.LoadParameters(gru, "bi.");

        var y = gru.Forward(fx["bi.input"]);
        GruFixture.AssertClose(fx["bilast.output"], y, "bilast.output");

        var dx = gru.Backward(GruFixture.MseGradient(y, fx["bilast.target"]));
        GruFixture.AssertClose(fx["bilast.grad_input"], dx, "bilast.grad_input");
        fx.AssertGradients(gru, "bilast.");
    }

    [Fact]
    public void ModelSizedBidirectionalMatchesPyTorch()
    {
        var fx = Full.Value;
        var gru = new GRU(256, 128, bidirectional: true);
        fx.LoadParameters(gru, "");

        var y = gru.Forward(fx["input"]);
        Assert.Equal([1, 16, 256], y.Shape);
        GruFixture.AssertClose(fx["output"], y, "output");

        var dx = gru.Backward(GruFixture.MseGradient(y, fx["target"]));
        GruFixture.AssertClose(fx["grad_input"], dx, "grad_input");
        fx.AssertGradients(gru, "");
    }

    [Fact]
    public void BidirectionalHelperIsTheTwoDirectionGru()
    {
        var fx = Small.Value;
        var gru = Bidirectional.Gru(7, 6);
        Assert.True(gru.Bidirectional);
        Assert.Equal(12, gru.OutputSize);
        fx.LoadParameters(gru, "bi.");
        GruFixture.AssertClose(fx["bi.output"], gru.Forward(fx["bi.input"]), "bi.output");
        var last = Bidirectional.Gru(7, 6, returnSequences: false);
        fx.LoadParameters(last, "bi.");
        GruFixture.AssertClose(fx["bilast.output"], last.Forward(fx["bi.input"]), "bilast.output");
    }

    [Fact]
    public void ReusedBuffersGiveTheSameResultsOnEveryCall()
    {
        var fx = Small.Value;
        var gru = new GRU(7, 6, bidirectional: true);
        gru.ReuseBuffers();
        fx.LoadParameters(gru, "bi.");
        for (int pass = 0; pass < 3; pass++)
        {
            gru.ZeroGrad();
            var y = gru.Forward(fx["bi.input"]);
            GruFixture.AssertClose(fx["bi.output"], y, $"pass {pass} output");
            var dx = gru.Backward(GruFixture.MseGradient(y, fx["bi.target"]));
            GruFixture.AssertClose(fx["bi.grad_input"], dx, $"pass {pass} grad_input");
            fx.AssertGradients(gru, "bi.");
        }
    }

    [Fact]
    public void BackwardAccumulatesParameterGradients()
    {
        var fx = Small.Value;
        var gru = new GRU(7, 6, bidirectional: true);
        fx.LoadParameters(gru, "bi.");
        for (int pass = 0; pass < 2; pass++)
        {
            var y = gru.Forward(fx["bi.input"]);
            gru.Backward(GruFixture.MseGradient(y, fx["bi.target"]));
        }
        foreach (var (name, p) in gru.NamedParameters())
        {
            var twice = fx["bi.grad." + name].Clone();
            foreach (ref var v in twice.Span) v *= 2;
            GruFixture.AssertClose(twice, p.Grad, "2x grad " + name);
        }
        gru.ZeroGrad();
        Assert.All(gru.Parameters(), p => Assert.All(p.Grad.Span.ToArray(), g => Assert.Equal(0f, g)));
    }

    /// <summary>Central differences on a tiny bidirectional GRU (loss = Σ output ⊙ R, accumulated in double).</summary>
    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void GradientsMatchFiniteDifferences(bool bidirectional, bool sequences)
    {
        const int n = 2, t = 4, i = 3, h = 3;
        var gru = new GRU(i, h, bidirectional: bidirectional, returnSequences: sequences, init: new Init(5));
        var rng = new Random(11);
        var x = new Tensor(n, t, i);
        foreach (ref var v in x.Span) v = (float)(rng.NextDouble() * 2 - 1);
        var y0 = gru.Forward(x);
        var r = Tensor.Like(y0);
        foreach (ref var v in r.Span) v = (float)(rng.NextDouble() * 2 - 1);

        double Loss()
        {
            var y = gru.Forward(x);
            double s = 0;
            for (int k = 0; k < y.Length; k++) s += (double)y.Span[k] * r.Span[k];
            return s;
        }

        gru.ZeroGrad();
        gru.Forward(x);
        var dx = gru.Backward(r);

        var targets = new List<(string Name, Tensor Value, Tensor Grad)> { ("input", x, dx) };
        targets.AddRange(gru.NamedParameters().Select(p => (p.Name, p.Parameter.Value, p.Parameter.Grad)));
        const float eps = 1e-2f;
        foreach (var (name, value, grad) in targets)
        {
            var numeric = new float[value.Length];
            for (int k = 0; k < value.Length; k++)
            {
                float keep = value.Span[k];
                value.Span[k] = keep + eps; double up = Loss();
                value.Span[k] = keep - eps; double down = Loss();
                value.Span[k] = keep;
                numeric[k] = (float)((up - down) / (2 * eps));
            }
            double err = GruFixture.RelativeError(numeric, grad.Span);
            Assert.True(err < 2e-3, $"{name}: finite-difference relative error {err:E3}");
        }
    }

    [Fact]
    public void InitializationIsSeededAndWithinPyTorchBound()
    {
        var a = new GRU(10, 16, bidirectional: true, init: new Init(3));
        var b = new GRU(10, 16, bidirectional: true, init: new Init(3));
        var c = new GRU(10, 16, bidirectional: true, init: new Init(4));
        float bound = 1f / MathF.Sqrt(16);
        foreach (var ((name, pa), (_, pb), (_, pc)) in a.NamedParameters().Zip(b.NamedParameters(), c.NamedParameters()))
        {
            Assert.Equal(pa.Value.Span.ToArray(), pb.Value.Span.ToArray());
            Assert.NotEqual(pa.Value.Span.ToArray(), pc.Value.Span.ToArray());
            var values = pa.Value.Span.ToArray();
            Assert.All(values, v => Assert.InRange(v, -bound, bound));
            // uniform over the whole interval, not a corner of it
            Assert.True(values.Max() > 0.8f * bound && values.Min() < -0.8f * bound, name);
        }
    }

    [Fact]
    public void DescribesItselfLikePyTorch()
    {
        Assert.Equal("GRU(256, 128, batch_first=True, bidirectional=True)", new GRU(256, 128, bidirectional: true).ToString());
        Assert.Equal("GRU(7, 6, batch_first=True)", new GRU(7, 6).ToString());
    }

    [Fact]
    public void BadShapesAndOptionsAreRejected()
    {
        var gru = new GRU(7, 6);
        var ex = Assert.Throws<ArgumentException>(() => gru.Forward(new Tensor(2, 5, 8)));
        Assert.Contains("[N, T, 7]", ex.Message);
        Assert.Throws<ArgumentException>(() => gru.Forward(new Tensor(2, 7)));
        Assert.Throws<InvalidOperationException>(() => new GRU(7, 6).Backward(new Tensor(2, 5, 6)));
        gru.Forward(new Tensor(2, 5, 7));
        Assert.Throws<ArgumentException>(() => gru.Backward(new Tensor(2, 5, 12)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GRU(0, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GRU(7, 0));
        Assert.Throws<ArgumentException>(() => new GRU(7, 6, bidirectional: true, reverse: true));
    }
}
