using System.Diagnostics;
using SecureTransmit.Imaging;
using SecureTransmit.Neural;
using SecureTransmit.Neural.Models;

namespace SecureTransmit.Codec;

/// <summary>
/// image → tiles → encoder → 8-bit quantizer (sender side), and 8-bit latent → decoder → tiles → image
/// (receiver side). Works on any image size: edges are padded by replication, the padding is cropped after
/// decoding. Tiles run through the network in batches of <see cref="BatchSize"/>.
/// A model whose samples have one channel (paper B's SAE on 8×8 patches) sees each colour plane of a tile
/// as its own sample.
/// The codec takes over the modules it is given: it switches them to eval mode and, unless told not to, makes them
/// reuse their activation buffers, and it keeps its own planar and batch scratch arrays. Calls on one codec are
/// serialized per half (encoder, decoder), and every result is copied out before the lock is released, so reuse is
/// invisible to callers; what it saves is the fresh large-object memory (and the page faults of touching it) that
/// each image would otherwise cost. Kept memory grows with <see cref="BatchSize"/> and the largest image seen.
/// </summary>
public sealed class ImageCodec : IImageCodec
{
    /// <summary>Tiles per network call unless the constructor is told otherwise.</summary>
    public const int DefaultBatchSize = 64;

    private readonly Module? _encoder;
    private readonly Module? _decoder;
    private readonly bool _reuse;
    private float[]? _encodePlanar, _encodeBatch, _decodePlanar, _decodeBatch;

    /// <param name="spec">The architecture both halves belong to.</param>
    /// <param name="encoder">The sender's half, or null for a decode-only codec.</param>
    /// <param name="decoder">The receiver's half, or null for an encode-only codec.</param>
    /// <param name="batchSize">Tiles per network call (default <see cref="DefaultBatchSize"/>): larger batches keep more memory for little speed.</param>
    /// <param name="reuseBuffers">Keep activation and scratch buffers between images (default true).</param>
    public ImageCodec(ModelSpec spec, Module? encoder, Module? decoder, int batchSize = DefaultBatchSize, bool reuseBuffers = true)
    {
        Spec = spec ?? throw new ArgumentNullException(nameof(spec));
        if (spec.InputChannels is not (1 or 3)) throw new ArgumentException($"model {spec.Name}: {spec.InputChannels} input channels unsupported");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _encoder = encoder?.Eval();
        _decoder = decoder?.Eval();
        _reuse = reuseBuffers;
        if (reuseBuffers)
        {
            _encoder?.ReuseBuffers();
            _decoder?.ReuseBuffers();
        }
        BatchSize = batchSize;
    }

    /// <summary>A scratch array of at least <paramref name="length"/> values: the kept one when reusing, else a fresh one.</summary>
    private float[] Scratch(ref float[]? kept, long length)
    {
        if (length > Array.MaxLength) throw new CodecException("image too large");
        if (!_reuse) return GC.AllocateUninitializedArray<float>((int)length);
        if (kept is null || kept.Length < length) kept = GC.AllocateUninitializedArray<float>((int)length);
        return kept;
    }

    public ModelSpec Spec { get; }
    public string ModelName => Spec.Name;
    public PayloadKind Kind => PayloadKind.TiledLatent;
    public int Tile => Spec.TileSize;
    public int BatchSize { get; }

    /// <summary>Samples (network inputs) per tile: 1 for an RGB model, 3 for a one-plane model.</summary>
    public int SamplesPerTile => 3 / Spec.InputChannels;

    /// <summary>Latent values carried for one RGB tile.</summary>
    public int LatentPerTile => Spec.LatentSize * SamplesPerTile;

    public EncodedImage Encode(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (_encoder is null) throw new InvalidOperationException($"model {Spec.Name}: this codec has no encoder");
        var rgb = image.Channels == 3 ? image : image.ToRgb();
        var grid = TileGrid.For(rgb.Width, rgb.Height, Spec.TileSize);
        var latent = new float[(long)grid.Count * LatentPerTile > int.MaxValue ? throw new CodecException("image too large") : grid.Count * LatentPerTile];
        int T = Spec.TileSize, spt = SamplesPerTile;
        lock (_encoder)
        {
            long pixels = 3L * rgb.Width * rgb.Height;
            var chw = Scratch(ref _encodePlanar, pixels).AsSpan(0, (int)pixels);
            rgb.ToPlanarFloats(chw);
            var batch = Scratch(ref _encodeBatch, (long)Math.Min(BatchSize, grid.Count) * 3 * T * T);
            for (int first = 0; first < grid.Count; first += BatchSize)
            {
                int n = Math.Min(BatchSize, grid.Count - first);
                var x = new Tensor(batch, n * spt, Spec.InputChannels, T, T);
                grid.Extract(chw, 3, first, n, x.Span);
                var z = _encoder.Forward(x);
                if (z.Length != n * LatentPerTile)
                    throw new CodecException($"model {Spec.Name}: encoder produced {z.ShapeString}, expected {n * spt}×{Spec.LatentSize} values");
                z.Span.CopyTo(latent.AsSpan(first * LatentPerTile));
            }
        }
        var range = Quantizer.Fit(latent);
        var q = new byte[latent.Length];
        Quantizer.Quantize(latent, range, q);
        return new EncodedImage(rgb.Width, rgb.Height, T, LatentPerTile, range, q) { Color = image.IsGray ? ColorType.Gray : ColorType.Rgb };
    }

    public Image Decode(EncodedImage encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (_decoder is null) throw new InvalidOperationException($"model {Spec.Name}: this codec has no decoder");
        if (encoded.Kind != PayloadKind.TiledLatent)
            throw new CodecException($"packet holds an entropy-coded latent, model {Spec.Name} takes a tiled 8-bit latent");
        if (encoded.Tile != Spec.TileSize || encoded.LatentPerTile != LatentPerTile)
            throw new CodecException($"packet was made for tiles of {encoded.Tile} px with {encoded.LatentPerTile} latent values, model {Spec.Name} uses {Spec.TileSize} px and {LatentPerTile}");
        var grid = encoded.Grid;
        if (encoded.Latent.Length != (long)grid.Count * LatentPerTile)
            throw new CodecException($"latent holds {encoded.Latent.Length} values, the tile grid needs {(long)grid.Count * LatentPerTile}");
        int T = Spec.TileSize, spt = SamplesPerTile;
        var latentShape = Spec.LatentShape.ToArray();
        lock (_decoder)
        {
            long pixels = 3L * encoded.Width * encoded.Height;
            var chw = Scratch(ref _decodePlanar, pixels).AsSpan(0, (int)pixels);
            var batch = Scratch(ref _decodeBatch, (long)Math.Min(BatchSize, grid.Count) * LatentPerTile);
            for (int first = 0; first < grid.Count; first += BatchSize)
            {
                int n = Math.Min(BatchSize, grid.Count - first);
                var z = new Tensor(batch, [n * spt, .. latentShape]);
                Quantizer.Dequantize(encoded.Latent.AsSpan(first * LatentPerTile, n * LatentPerTile), encoded.Range, z.Span);
                var y = _decoder.Forward(z);
                if (y.Length != n * 3 * T * T)
                    throw new CodecException($"model {Spec.Name}: decoder produced {y.ShapeString}, expected {n * spt}×{Spec.InputChannels}×{T}×{T}");
                grid.Place(y.Span, 3, first, n, chw);
            }
            var rgb = Image.FromPlanarFloats(chw, 3, encoded.Width, encoded.Height);
            return encoded.Color == ColorType.Gray ? rgb.ToGray() : rgb;
        }
    }
}
