using System.Security.Cryptography;
using SecureTransmit.Codec;
using SecureTransmit.Imaging;
using SecureTransmit.Neural;
using SecureTransmit.Neural.Models;
using SecureTransmit.Security;

namespace SecureTransmit.Codec.Tests;

public sealed class TileGridTests
{
    [Theory]
    [InlineData(1, 1, 32)]
    [InlineData(31, 17, 32)]
    [InlineData(33, 65, 32)]
    [InlineData(513, 511, 32)]
    [InlineData(17, 9, 8)]
    public void Extract_then_place_restores_every_pixel_and_pads_by_replication(int w, int h, int tile)
    {
        var rng = new Random(w * 1000 + h);
        var chw = new float[3 * w * h];
        for (int i = 0; i < chw.Length; i++) chw[i] = (float)rng.NextDouble();
        var grid = TileGrid.For(w, h, tile);
        Assert.Equal((w + tile - 1) / tile, grid.Columns);
        Assert.Equal((h + tile - 1) / tile, grid.Rows);
        var batch = new float[grid.Count * 3 * tile * tile];
        grid.Extract(chw, 3, 0, grid.Count, batch);
        // padding replicates the last column/row: the bottom-right tile's last value is the image's last pixel
        int last = grid.Count - 1;
        for (int c = 0; c < 3; c++)
            Assert.Equal(chw[c * w * h + w * h - 1], batch[((last * 3 + c) * tile + tile - 1) * tile + tile - 1]);
        var back = new float[chw.Length];
        grid.Place(batch, 3, 0, grid.Count, back);
        Assert.Equal(chw, back);
    }

    [Fact]
    public void Empty_image_is_rejected() => Assert.Throws<CodecException>(() => TileGrid.For(0, 5, 32));
}

public sealed class QuantizerTests
{
    [Fact]
    public void Error_is_at_most_half_a_step_and_extremes_map_to_0_and_255()
    {
        var rng = new Random(3);
        var v = new float[1000];
        for (int i = 0; i < v.Length; i++) v[i] = (float)(rng.NextDouble() * 7 - 2);
        var range = Quantizer.Fit(v);
        var q = new byte[v.Length];
        Quantizer.Quantize(v, range, q);
        var back = new float[v.Length];
        Quantizer.Dequantize(q, range, back);
        Assert.Equal(0, q[Array.IndexOf(v, v.Min())]);
        Assert.Equal(255, q[Array.IndexOf(v, v.Max())]);
        for (int i = 0; i < v.Length; i++) Assert.True(Math.Abs(v[i] - back[i]) <= range.Scale / 2 + 1e-5, $"{v[i]} vs {back[i]}");
    }

    [Fact]
    public void Constant_latent_round_trips()
    {
        float[] v = [0.25f, 0.25f, 0.25f];
        var range = Quantizer.Fit(v);
        var q = new byte[3];
        Quantizer.Quantize(v, range, q);
        var back = new float[3];
        Quantizer.Dequantize(q, range, back);
        Assert.Equal(v, back);
    }

    [Fact]
    public void Non_finite_latent_is_rejected() => Assert.Throws<CodecException>(() => Quantizer.Fit([1f, float.NaN]));
}

public sealed class PacketHeaderTests
{
    private static PacketHeader Sample(int keyBlock = 60) => new()
    {
        Cipher = CipherMode.Logistic,
        ModelId = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
        SessionId = Enumerable.Range(100, 16).Select(i => (byte)i).ToArray(),
        Sequence = 0x0102030405060708,
        Width = 201, Height = 151, Tile = 32, LatentPerTile = 128,
        QuantScale = 0.0125f, QuantOffset = -0.5f,
        ImageId = Enumerable.Range(200, 16).Select(i => (byte)i).ToArray(),
        KeyBlock = new byte[keyBlock],
    };

    [Fact]
    public void Layout_matches_the_documented_offsets()
    {
        var b = Sample().ToBytes();
        Assert.Equal(110 + 60 + 4, b.Length);
        Assert.Equal("STX1"u8.ToArray(), b[..4]);
        Assert.Equal(2, b[4]);                                 // format version 2
        Assert.Equal(1, b[5]);
        Assert.Equal(0, b[8]); Assert.Equal(31, b[39]);          // model id at 8..39
        Assert.Equal(100, b[40]);                              // session id at 40
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, b[56..64]);
        Assert.Equal(new byte[] { 0, 0, 0, 201 }, b[64..68]);
        Assert.Equal(new byte[] { 0, 0, 0, 151 }, b[68..72]);
        Assert.Equal(new byte[] { 0, 32 }, b[72..74]);
        Assert.Equal(new byte[] { 0, 7 }, b[74..76]);          // ceil(201/32)
        Assert.Equal(new byte[] { 0, 5 }, b[76..78]);          // ceil(151/32)
        Assert.Equal(3, b[78]);                                // colour type RGB
        Assert.Equal(1, b[79]);                                // payload kind: tiled 8-bit latent
        Assert.Equal(200, b[92]);                              // image id at 92
        Assert.Equal(new byte[] { 0, 60 }, b[108..110]);
        Assert.Equal(new byte[] { 0, 0, 0x11, 0x80 }, b[170..174]); // 7*5*128 = 4480
    }

    [Fact]
    public void An_entropy_coded_header_carries_its_payload_length_and_colour_type()
    {
        var h = Sample() with { Kind = PayloadKind.EntropyCoded, Color = ColorType.Gray, Tile = 16, QuantScale = 1f, QuantOffset = 0f, PayloadLength = 12345 };
        var b = h.ToBytes();
        Assert.Equal(1, b[78]);
        Assert.Equal(2, b[79]);
        Assert.Equal(new byte[] { 0, 0, 0x30, 0x39 }, b[170..174]);
        var back = PacketHeader.Parse(b, 1 << 24);
        Assert.Equal((PayloadKind.EntropyCoded, ColorType.Gray, 12345L), (back.Kind, back.Color, back.CiphertextLength));
        // Longer than 24 bits per pixel (+4 KiB) is refused before any byte of it is accepted.
        var huge = (h with { PayloadLength = PacketHeader.MaxEntropyCodedBytes(201L * 151) + 1 });
        Assert.Throws<CodecException>(() => huge.ToBytes());
        Assert.Throws<CodecException>(() => (h with { Color = (ColorType)2 }).ToBytes());
    }

    [Fact]
    public void Source_flags_alpha_and_16_bit_parse_and_unknown_bits_are_refused()
    {
        var h = Sample() with { Flags = PacketHeader.FlagAlphaComposited | PacketHeader.FlagReduced16To8 };
        var b = h.ToBytes();
        Assert.Equal(new byte[] { 0, 6 }, b[6..8]);                 // bits 1 and 2 at offset 6
        Assert.Equal(h.Flags, PacketHeader.Parse(b, 1 << 24).Flags);
        b[7] = 0x08;                                                // bit 3: not defined
        Assert.Throws<CodecException>(() => PacketHeader.Parse(b, 1 << 24));
    }

    [Fact]
    public void Parse_round_trips() => Assert.Equal(Sample().ToBytes(), PacketHeader.Parse(Sample().ToBytes(), 1 << 24).ToBytes());

    [Fact]
    public void Every_single_byte_change_is_parsed_identically_or_rejected_with_CodecException()
    {
        var good = Sample().ToBytes();
        for (int i = 0; i < good.Length; i++)
            for (int bit = 0; bit < 8; bit++)
            {
                var b = (byte[])good.Clone();
                b[i] ^= (byte)(1 << bit);
                try
                {
                    var h = PacketHeader.Parse(b, 1 << 24);
                    Assert.Equal(b, h.ToBytes()); // what parses re-serializes to the same bytes: no field is ignored
                }
                catch (CodecException) { }
            }
    }

    [Fact]
    public void Huge_dimensions_are_refused_before_anything_is_allocated()
    {
        var h = Sample() with { Width = 100_000, Height = 100_000 };
        var e = Assert.Throws<CodecException>(() => PacketHeader.Parse(h.ToBytes(), 4096 * 4096));
        Assert.Contains("exceeds the limit", e.Message);
    }

    [Fact]
    public void Truncated_headers_are_rejected()
    {
        var good = Sample().ToBytes();
        for (int n = 0; n < good.Length; n++) Assert.Throws<CodecException>(() => PacketHeader.Parse(good.AsSpan(0, n), 1 << 24));
    }
}

public sealed class PacketAndCodecTests
{
    internal static (Session Sender, Session Receiver) Sessions(string cipher, byte[] modelId)
    {
        using var s = Identity.Generate();
        using var r = Identity.Generate();
        var responder = new HandshakeResponder(r, new AllowList([new AllowListEntry(s.Fingerprint, "s")]));
        using var hs = new HandshakeInitiator(s, r.Fingerprint, "cae-compact", modelId, cipher);
        var accepted = responder.Accept(hs.Request);
        return (hs.Complete(accepted.Response), accepted.Session);
    }

    private static Image Picture(int w, int h)
    {
        var img = new Image(w, h, 3);
        for (int i = 0; i < img.Pixels.Length; i++) img.Pixels[i] = (byte)(i * 7 % 251);
        return img;
    }

    [Theory]
    [InlineData("logistic")]
    [InlineData("aes-256-gcm")]
    public void Sealed_packet_opens_to_the_same_latent_and_decodes_like_the_local_codec(string cipher)
    {
        var spec = ModelZoo.Get("cae-compact");
        var init = new Init(11);
        var codec = new ImageCodec(spec, spec.CreateEncoder(init), spec.CreateDecoder(init));
        var modelId = RandomNumberGenerator.GetBytes(32);
        var (tx, rx) = Sessions(cipher, modelId);
        var img = Picture(45, 37);
        var encoded = codec.Encode(img);
        var packet = Packet.Seal(tx, encoded, 1, Packet.NewImageId());
        Assert.NotEqual(encoded.Latent, packet.Ciphertext);

        var header = Packet.ParseFor(rx, packet.HeaderBytes, 1 << 24);
        var opened = Packet.Open(rx, header, packet.HeaderBytes, packet.Ciphertext, packet.Tag);
        Assert.Equal(encoded.Latent, opened.Latent);
        Assert.Equal(encoded.Range, opened.Range);
        Assert.True(codec.Decode(opened).PixelEquals(codec.Decode(encoded)));

        // the same packet again is a replay
        Assert.Throws<ReplayException>(() => Packet.Open(rx, header, packet.HeaderBytes, packet.Ciphertext, packet.Tag));
    }

    [Fact]
    public void Tampered_ciphertext_fails_authentication_and_does_not_advance_the_replay_window()
    {
        var spec = ModelZoo.Get("cae-compact");
        var codec = new ImageCodec(spec, spec.CreateEncoder(new Init(1)), spec.CreateDecoder(new Init(1)));
        var (tx, rx) = Sessions("logistic", RandomNumberGenerator.GetBytes(32));
        var packet = Packet.Seal(tx, codec.Encode(Picture(32, 32)), 5, Packet.NewImageId());
        var header = Packet.ParseFor(rx, packet.HeaderBytes, 1 << 24);
        var bad = (byte[])packet.Ciphertext.Clone();
        bad[3] ^= 0x10;
        Assert.Throws<IntegrityException>(() => Packet.Open(rx, header, packet.HeaderBytes, bad, packet.Tag));
        Packet.Open(rx, header, packet.HeaderBytes, packet.Ciphertext, packet.Tag); // still accepted afterwards
    }

    [Fact]
    public void Header_for_another_session_is_refused()
    {
        var spec = ModelZoo.Get("cae-compact");
        var codec = new ImageCodec(spec, spec.CreateEncoder(new Init(1)), null);
        var id = RandomNumberGenerator.GetBytes(32);
        var (tx, _) = Sessions("logistic", id);
        var (_, other) = Sessions("logistic", id);
        var packet = Packet.Seal(tx, codec.Encode(Picture(8, 8)), 1, Packet.NewImageId());
        Assert.Throws<CodecException>(() => Packet.ParseFor(other, packet.HeaderBytes, 1 << 24));
    }

    [Theory]
    [InlineData("sae-16", 17, 9)]
    [InlineData("cae-compact", 1, 1)]
    [InlineData("cnn-bigru", 31, 17)]
    public void Any_image_size_encodes_to_the_documented_latent_length_and_decodes_to_its_size(string model, int w, int h)
    {
        var spec = ModelZoo.Get(model);
        var codec = new ImageCodec(spec, spec.CreateEncoder(new Init(2)), spec.CreateDecoder(new Init(2)));
        var e = codec.Encode(Picture(w, h));
        var grid = TileGrid.For(w, h, spec.TileSize);
        Assert.Equal(grid.Count * spec.LatentSize * (3 / spec.InputChannels), e.Latent.Length);
        var r = codec.Decode(e);
        Assert.Equal((w, h, 3), (r.Width, r.Height, r.Channels));
    }
}
