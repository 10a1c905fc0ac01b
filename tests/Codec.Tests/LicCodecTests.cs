using SecureTransmit.Codec.Entropy;
using SecureTransmit.Imaging;
using SecureTransmit.Neural;
using SecureTransmit.Neural.Models;
using SecureTransmit.Security;

namespace SecureTransmit.Codec.Tests;

/// <summary>
/// The lic codec end to end without the wire: any size round trips, gray stays gray, the bitstream parses to the
/// same latent on every SIMD path, a desynchronised or tampered bitstream is caught, the weight files keep the
/// integer coding tables exactly, and both ciphers seal and open an entropy-coded packet. The network here is a
/// small, randomly initialized one (the tests need the mechanics, not a trained model's quality).
/// </summary>
public sealed class LicCodecTests
{
    private static readonly LicSpec Small = new("lic-1", 8, 6, 0.01);

    private static (LicEncoderPart Enc, LicDecoderPart Dec) Parts(LicSpec spec, int seed = 3)
    {
        var net = new LicNetwork(spec, new Init((ulong)seed));
        // Wider latents than the fresh initialization gives, so the tables have several symbols and escapes occur.
        foreach (ref float w in ((Neural.Layers.Conv2d)net.Analysis[^1]).Weight.Value.Span) w *= 40f;
        var tables = LicModelFiles.BuildTables(net.Prior);
        net.Analysis.Eval(); net.Synthesis.Eval();
        return (new LicEncoderPart(spec, net.Analysis, tables, new string('a', 64)), new LicDecoderPart(spec, net.Synthesis, tables, new string('a', 64)));
    }

    private static Image Noise(int w, int h, int channels, int seed)
    {
        var img = new Image(w, h, channels);
        var r = new Random(seed);
        // Smooth structure plus noise: a latent with some spread.
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < channels; c++)
                    img.Pixels[(y * w + x) * channels + c] = (byte)Math.Clamp(128 + 90 * Math.Sin(0.07 * x + 0.05 * y + c) + r.Next(-30, 30), 0, 255);
        return img;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 5)]
    [InlineData(31, 17)]
    [InlineData(16, 16)]
    [InlineData(513, 511)]
    [InlineData(1000, 24)]
    public void Any_size_round_trips_to_an_image_of_that_size(int w, int h)
    {
        var (enc, dec) = Parts(Small);
        var img = Noise(w, h, 3, w * 7 + h);
        var e = new LicCodec(enc, null).Encode(img);
        Assert.Equal(PayloadKind.EntropyCoded, e.Kind);
        Assert.Equal(ColorType.Rgb, e.Color);
        var r = new LicCodec(null, dec).Decode(e);
        Assert.Equal((w, h, 3), (r.Width, r.Height, r.Channels));
        // The same latent decoded twice gives the same pixels (no state leaks between images of other sizes).
        new LicCodec(null, dec).Decode(new LicCodec(enc, null).Encode(Noise(40, 40, 3, 1)));
        Assert.True(r.PixelEquals(new LicCodec(null, dec).Decode(e)));
    }

    [Fact]
    public void A_large_image_decodes_in_regions_the_same_as_whole()
    {
        // 800×800 is 50×50 latent pixels: more than one 48×48 region. A whole-image decode of the same latent through the
        // same synthesis transform must agree with the region-wise one to within one level (float summation order).
        var (enc, dec) = Parts(Small);
        var img = Noise(800, 800, 3, 5);
        var e = new LicCodec(enc, null).Encode(img);
        var regions = new LicCodec(null, dec).Decode(e);
        var latent = DecodeLatent(e, dec);
        var y = new Tensor(latent.Select(v => (float)v).ToArray(), 1, Small.M, 50, 50);
        var whole = Image.FromPlanarFloats(dec.Synthesis.Forward(y).Span, 3, 800, 800);
        int maxDiff = 0;
        for (int i = 0; i < whole.Pixels.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(whole.Pixels[i] - regions.Pixels[i]));
        Assert.True(maxDiff <= 1, $"region-wise decode differs from the whole-image decode by {maxDiff} levels");
    }

    private static int[] DecodeLatent(EncodedImage e, LicDecoderPart dec)
    {
        int lh = (e.Height + 15) / 16, lw = (e.Width + 15) / 16;
        var latent = new int[dec.Spec.M * lh * lw];
        var d = new RangeDecoder(e.Latent.AsMemory(LicCodec.ChecksumSize));
        for (int c = 0; c < dec.Spec.M; c++) d.Decode(latent.AsSpan(c * lh * lw, lh * lw), dec.Tables[c]);
        d.Finish();
        return latent;
    }

    [Fact]
    public void Gray_in_gray_out()
    {
        var (enc, dec) = Parts(Small);
        var gray = Noise(37, 29, 1, 9);
        var e = new LicCodec(enc, null).Encode(gray);
        Assert.Equal(ColorType.Gray, e.Color);
        var r = new LicCodec(null, dec).Decode(e);
        Assert.Equal(1, r.Channels);
    }

    [Fact]
    public void The_bitstream_parses_to_the_same_latent_and_image_on_every_simd_path()
    {
        var (enc, dec) = Parts(Small);
        var e = new LicCodec(enc, null).Encode(Noise(97, 65, 3, 2));
        int[]? reference = null;
        Image? first = null;
        Assert.NotEmpty(SimdPaths.Supported);
        foreach (var path in SimdPaths.Supported)
        {
            using var _ = SimdPaths.Use(path);
            // Decode checks the latent against the sender's checksum: a path that parsed differently would throw.
            var img = new LicCodec(null, dec).Decode(e);
            var latent = DecodeLatent(e, dec);
            reference ??= latent;
            Assert.Equal(reference, latent);
            first ??= img;
            int maxDiff = 0;
            for (int i = 0; i < img.Pixels.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(img.Pixels[i] - first.Pixels[i]));
            Assert.True(maxDiff <= 1, $"{path}: pixels differ from the first path's by {maxDiff}");
        }
    }

    [Fact]
    public void A_decoder_whose_tables_disagree_is_caught_by_the_checksum()
    {
        var (enc, dec) = Parts(Small);
        var e = new LicCodec(enc, null).Encode(Noise(64, 48, 3, 4));
        // The receiver's table of channel 0 is offset by one value (as a float table computed differently on another CPU
        // could be): the same bits parse to values one higher. The checksum refuses the image and says why.
        var tables = (CdfTable[])dec.Tables.Clone();
        tables[0] = CdfTable.FromCdf(dec.Tables[0].Offset + 1, dec.Tables[0].Cdf);
        var ex = Assert.Throws<DesyncException>(() => new LicCodec(null, dec with { Tables = tables }).Decode(e));
        Assert.Contains("checksum", ex.Message);
        // Every table replaced by another model's: the parse goes astray; refused either way, never an image.
        var otherPrior = new Neural.Layers.FactorizedPrior(Small.M);
        foreach (var (name, p) in otherPrior.NamedParameters())
            if (name == "means") foreach (ref float m in p.Value.Span) m += 2.5f;
        Assert.ThrowsAny<CodecException>(() => new LicCodec(null, dec with { Tables = LicModelFiles.BuildTables(otherPrior) }).Decode(e));
    }

    [Fact]
    public void Every_single_bit_flip_of_the_bitstream_is_refused_or_decodes_the_identical_image()
    {
        var (enc, dec) = Parts(Small);
        var e = new LicCodec(enc, null).Encode(Noise(48, 32, 3, 6));
        var good = new LicCodec(null, dec).Decode(e);
        int refused = 0;
        for (int bit = 0; bit < e.Latent.Length * 8; bit++)
        {
            var bad = (byte[])e.Latent.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            try
            {
                var img = new LicCodec(null, dec).Decode(e with { Latent = bad });
                Assert.True(img.PixelEquals(good), $"bit {bit}: a changed bitstream decoded to a different image without an error");
            }
            catch (CodecException) { refused++; }
        }
        Assert.True(refused > e.Latent.Length * 8 / 2, $"only {refused} of {e.Latent.Length * 8} flips refused");
    }

    [Fact]
    public void Weight_files_keep_the_coding_tables_exactly_and_name_the_model()
    {
        var spec = LicZoo.Get("lic-1");
        var net = new LicNetwork(spec, new Init(11));
        var dir = Directory.CreateTempSubdirectory("lic-files").FullName;
        try
        {
            var (_, _, id) = LicModelFiles.Export(net, dir);
            var (e, d) = LicModelFiles.LoadPair(dir, "lic-1");
            Assert.Equal(id, e.ModelId);
            var tables = LicModelFiles.BuildTables(net.Prior);
            for (int c = 0; c < spec.M; c++)
            {
                Assert.Equal(tables[c].Offset, d.Tables[c].Offset);
                Assert.Equal(tables[c].Cdf.ToArray(), d.Tables[c].Cdf.ToArray());
                Assert.Equal(tables[c].Cdf.ToArray(), e.Tables[c].Cdf.ToArray());
            }
            var (codec, loadedId) = CodecFiles.LoadPair(dir, "lic-1");
            Assert.Equal(id, loadedId);
            Assert.Equal(PayloadKind.EntropyCoded, codec.Kind);
            // A decoder file from another model is refused by the pair check.
            var other = new LicNetwork(spec, new Init(12));
            var dir2 = Directory.CreateTempSubdirectory("lic-files").FullName;
            LicModelFiles.Export(other, dir2);
            File.Copy(ModelFiles.DecoderPath(dir2, "lic-1"), ModelFiles.DecoderPath(dir, "lic-1"), overwrite: true);
            var ex = Assert.Throws<WeightFileException>(() => LicModelFiles.LoadPair(dir, "lic-1"));
            Assert.Contains("do not belong together", ex.Message);
            Directory.Delete(dir2, true);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData(CipherModes.Logistic)]
    [InlineData(CipherModes.Aes256Gcm)]
    public void Both_ciphers_seal_and_open_an_entropy_coded_packet(string cipher)
    {
        var (enc, dec) = Parts(Small);
        var img = Noise(70, 33, 3, 8);
        var e = new LicCodec(enc, null).Encode(img);
        var (sender, receiver) = PacketAndCodecTests.Sessions(cipher, new byte[32]);
        var sealedPacket = Packet.Seal(sender, e, 1, Packet.NewImageId());
        Assert.Equal(PayloadKind.EntropyCoded, sealedPacket.Header.Kind);
        Assert.Equal(e.Latent.Length, sealedPacket.Ciphertext.Length);
        var header = Packet.ParseFor(receiver, sealedPacket.HeaderBytes, 1 << 24);
        var opened = Packet.Open(receiver, header, sealedPacket.HeaderBytes, sealedPacket.Ciphertext, sealedPacket.Tag);
        Assert.Equal(e.Latent, opened.Latent);
        Assert.True(new LicCodec(null, dec).Decode(opened).PixelEquals(new LicCodec(null, dec).Decode(e)));
        // One flipped ciphertext bit: the tag refuses it before any decoding.
        var tampered = (byte[])sealedPacket.Ciphertext.Clone();
        tampered[tampered.Length / 2] ^= 1;
        Assert.Throws<IntegrityException>(() => Packet.Open(receiver, header, sealedPacket.HeaderBytes, tampered, sealedPacket.Tag));
    }
}
