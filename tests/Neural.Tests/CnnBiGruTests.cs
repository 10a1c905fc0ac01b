using SecureTransmit.Neural.Layers;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Neural.Tests;

/// <summary>
/// The whole cnn-bigru autoencoder against the same architecture built in PyTorch 1.13
/// (fixtures/make_gru_fixtures.py, classes Encoder/Decoder), N = 2, loss MSE(output, input).
/// </summary>
public sealed class CnnBiGruTests
{
    private static readonly Lazy<GruFixture> Model = new(() => GruFixture.Load("gru_cnnbigru.safetensors"));

    [Fact]
    public void StateDictKeysMatchPyTorchModel()
    {
        var fx = Model.Value;
        Assert.Equal(fx.Metadata["encoder.state_dict_keys"].Split(','),
                     CnnBiGru.CreateEncoder().StateDict().Select(e => e.Name).ToArray());
        Assert.Equal(fx.Metadata["decoder.state_dict_keys"].Split(','),
                     CnnBiGru.CreateDecoder().StateDict().Select(e => e.Name).ToArray());
    }

    [Fact]
    public void SpecDescribesTileAndLatent()
    {
        var spec = CnnBiGru.Spec;
        Assert.Equal("cnn-bigru", spec.Name);
        Assert.Equal(32, spec.TileSize);
        Assert.Equal(3, spec.InputChannels);
        Assert.Equal([16, 128], spec.LatentShape);
        Assert.Equal(1.5, spec.CompressionRatio, 6);

        var enc = spec.CreateEncoder();
        var dec = spec.CreateDecoder();
        var z = enc.Forward(new Tensor(3, 3, 32, 32));
        Assert.Equal([3, 16, 128], z.Shape);
        var y = dec.Forward(z);
        Assert.Equal([3, 3, 32, 32], y.Shape);
    }

    [Fact]
    public void ForwardAndBackwardMatchPyTorch()
    {
        var fx = Model.Value;
        var encoder = CnnBiGru.CreateEncoder();
        var decoder = CnnBiGru.CreateDecoder();
        fx.LoadParameters(encoder, "encoder.");
        fx.LoadParameters(decoder, "decoder.");

        var x = fx["input"];
        var z = encoder.Forward(x);
        GruFixture.AssertClose(fx["latent"], z, "latent");
        var y = decoder.Forward(z);
        GruFixture.AssertClose(fx["output"], y, "output");

        var dz = decoder.Backward(GruFixture.MseGradient(y, x));
        var dx = encoder.Backward(dz);
        GruFixture.AssertClose(fx["grad_input"], dx, "grad_input");
        fx.AssertGradients(encoder, "encoder.");
        fx.AssertGradients(decoder, "decoder.");
    }

    [Fact]
    public void ReusedBuffersMatchPyTorchOnASecondPass()
    {
        var fx = Model.Value;
        var encoder = CnnBiGru.CreateEncoder();
        var decoder = CnnBiGru.CreateDecoder();
        encoder.ReuseBuffers();
        decoder.ReuseBuffers();
        fx.LoadParameters(encoder, "encoder.");
        fx.LoadParameters(decoder, "decoder.");
        var x = fx["input"];
        for (int pass = 0; pass < 2; pass++)
        {
            encoder.ZeroGrad();
            decoder.ZeroGrad();
            var y = decoder.Forward(encoder.Forward(x));
            GruFixture.AssertClose(fx["output"], y, $"pass {pass} output");
            var dx = encoder.Backward(decoder.Backward(GruFixture.MseGradient(y, x)));
            GruFixture.AssertClose(fx["grad_input"], dx, $"pass {pass} grad_input");
            fx.AssertGradients(encoder, "encoder.");
        }
    }

    [Fact]
    public void ChannelsLastToSequenceFollowsKerasReshapeOrder()
    {
        // [1, C=2, H=2, W=2]: value = 100c + 10h + w; NHWC flat order is (h, w, c).
        var x = new Tensor(1, 2, 2, 2);
        for (int c = 0; c < 2; c++)
            for (int h = 0; h < 2; h++)
                for (int w = 0; w < 2; w++) x.Span[(c * 2 + h) * 2 + w] = 100 * c + 10 * h + w;
        var seq = new ChannelsLastToSequence(2).Forward(x);
        Assert.Equal([1, 2, 4], seq.Shape);
        Assert.Equal([0f, 100f, 1f, 101f, 10f, 110f, 11f, 111f], seq.Span.ToArray());

        var back = new SequenceToChannelsFirst(2, 2, 2).Forward(seq);
        Assert.Equal(x.Shape, back.Shape);
        Assert.Equal(x.Span.ToArray(), back.Span.ToArray());
    }

    [Fact]
    public void PermutationBackwardIsTheInversePermutation()
    {
        var rng = new Random(3);
        var x = new Tensor(2, 4, 3, 2);
        foreach (ref var v in x.Span) v = (float)rng.NextDouble();
        var g = new Tensor(2, 4, 6);
        foreach (ref var v in g.Span) v = (float)rng.NextDouble();

        // <g, P x> = <Pᵀ g, x> for a permutation P.
        var toSeq = new ChannelsLastToSequence(4);
        var px = toSeq.Forward(x);
        var ptg = toSeq.Backward(g);
        Assert.Equal(x.Shape, ptg.Shape);
        Assert.Equal(Dot(g, px), Dot(ptg, x), 4);

        var toImage = new SequenceToChannelsFirst(3, 2, 4);
        var img = toImage.Forward(g);
        Assert.Equal([2, 4, 3, 2], img.Shape);
        Assert.Equal(Dot(x, img), Dot(toImage.Backward(x), g), 4);
    }

    private static double Dot(Tensor a, Tensor b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a.Span[i] * b.Span[i];
        return s;
    }
}
