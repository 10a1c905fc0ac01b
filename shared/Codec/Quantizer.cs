namespace SecureTransmit.Codec;

/// <summary>
/// 8-bit affine quantization of a latent: q = round((v − offset) / scale), clamped to 0..255;
/// v' = offset + q·scale. One (scale, offset) per image, carried in the packet header as float32.
/// The range is the latent's own min..max, so the error is at most scale/2 per value.
/// </summary>
public static class Quantizer
{
    public readonly record struct Range(float Scale, float Offset);

    public static Range Fit(ReadOnlySpan<float> latent)
    {
        if (latent.IsEmpty) return new Range(1f, 0f);
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in latent)
        {
            if (!float.IsFinite(v)) throw new CodecException("latent holds a non-finite value");
            if (v < min) min = v;
            if (v > max) max = v;
        }
        float scale = (max - min) / 255f;
        if (!(scale > 0f) || !float.IsFinite(scale)) scale = 1f; // constant latent: any scale works
        return new Range(scale, min);
    }

    public static void Quantize(ReadOnlySpan<float> latent, Range range, Span<byte> q)
    {
        if (q.Length != latent.Length) throw new ArgumentException("length mismatch", nameof(q));
        float inv = 1f / range.Scale;
        for (int i = 0; i < latent.Length; i++)
        {
            float x = MathF.Round((latent[i] - range.Offset) * inv, MidpointRounding.AwayFromZero);
            q[i] = (byte)Math.Clamp(x, 0f, 255f);
        }
    }

    public static void Dequantize(ReadOnlySpan<byte> q, Range range, Span<float> latent)
    {
        if (q.Length != latent.Length) throw new ArgumentException("length mismatch", nameof(latent));
        for (int i = 0; i < q.Length; i++) latent[i] = range.Offset + q[i] * range.Scale;
    }
}
