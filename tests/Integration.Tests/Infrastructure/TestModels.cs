using SecureTransmit.Neural;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Integration.Tests.Infrastructure;

/// <summary>
/// Model weights for tests. <see cref="Shipped"/> is the repository's models/ folder (trained weights);
/// <see cref="CreateRandom"/> writes seeded, untrained weights for tests that only need a working pipeline.
/// </summary>
public static class TestModels
{
    public static string Shipped => Repo.Models;

    public static bool IsShipped(string name) => File.Exists(ModelFiles.DecoderPath(Shipped, name)) && File.Exists(ModelFiles.EncoderPath(Shipped, name));

    /// <summary>Writes NAME.encoder/decoder.safetensors with seeded random weights into <paramref name="dir"/>; returns the model id.</summary>
    public static string CreateRandom(string dir, string name = "cae-compact", ulong seed = 7)
    {
        var spec = ModelZoo.Get(name);
        lock (typeof(Init))
        {
            Init.ManualSeed(seed);
            var enc = spec.CreateEncoder();
            var dec = spec.CreateDecoder();
            return ModelFiles.SaveSplit(spec, enc, dec, dir).ModelId;
        }
    }
}
