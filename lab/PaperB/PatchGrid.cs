namespace SecureTransmit.Lab.PaperB;

/// <summary>
/// Cuts one 8-bit plane into non-overlapping p×p patches and puts them back, as paper B does with 8×8 pieces.
/// Patches are numbered in raster order of their top-left corners (left to right, top to bottom); the values of
/// one patch are its rows, top to bottom, so patch k occupies <c>values[k·p² .. (k+1)·p²)</c>.
/// <para>
/// The same layout, with p = √(latent units), arranges latent codes into the paper's "compressed image": the
/// 16 codes of an 8×8 patch become a 4×4 block at the patch's place, the 4 codes a 2×2 block.
/// </para>
/// </summary>
internal static class PatchGrid
{
    /// <summary>Number of patches in a <paramref name="width"/>×<paramref name="height"/> plane.</summary>
    public static int Count(int width, int height, int patch)
    {
        Check(width, height, patch);
        return (width / patch) * (height / patch);
    }

    /// <summary>The plane's patches as bytes, in the layout described above.</summary>
    public static byte[] Split(ReadOnlySpan<byte> plane, int width, int height, int patch)
    {
        Check(width, height, patch);
        if (plane.Length != width * height)
            throw new PaperBException($"patch split: a {width}×{height} plane has {width * height} samples, got {plane.Length}");
        int per = patch * patch, across = width / patch;
        var values = new byte[plane.Length];
        for (int y = 0; y < height; y++)
        {
            int py = y / patch, ry = y % patch;
            for (int x = 0; x < width; x++)
            {
                int k = py * across + x / patch;
                values[k * per + ry * patch + x % patch] = plane[y * width + x];
            }
        }
        return values;
    }

    /// <summary>Inverse of <see cref="Split"/>: the plane the patches came from.</summary>
    public static byte[] Merge(ReadOnlySpan<byte> values, int width, int height, int patch)
    {
        Check(width, height, patch);
        if (values.Length != width * height)
            throw new PaperBException($"patch merge: a {width}×{height} plane needs {width * height} patch values, got {values.Length}");
        int per = patch * patch, across = width / patch;
        var plane = new byte[values.Length];
        for (int y = 0; y < height; y++)
        {
            int py = y / patch, ry = y % patch;
            for (int x = 0; x < width; x++)
                plane[y * width + x] = values[(py * across + x / patch) * per + ry * patch + x % patch];
        }
        return plane;
    }

    /// <summary>Bytes to [0, 1]: v / 255 (the paper's normalisation before the model).</summary>
    public static float[] Normalize(ReadOnlySpan<byte> bytes)
    {
        var f = new float[bytes.Length];
        for (int i = 0; i < f.Length; i++) f[i] = bytes[i] / 255f;
        return f;
    }

    /// <summary>[0, 1] to bytes: round(255·v), clamped (the paper's "anti-normalisation"). NaN is an error.</summary>
    public static byte[] Denormalize(ReadOnlySpan<float> values)
    {
        var b = new byte[values.Length];
        for (int i = 0; i < b.Length; i++)
        {
            float v = values[i];
            if (float.IsNaN(v)) throw new PaperBException($"value {i} is NaN (the model diverged)");
            b[i] = (byte)Math.Clamp(MathF.Round(v * 255f, MidpointRounding.AwayFromZero), 0f, 255f);
        }
        return b;
    }

    /// <summary>One channel of an interleaved image as a plane.</summary>
    public static byte[] Plane(ReadOnlySpan<byte> hwc, int width, int height, int channels, int channel)
    {
        if (channel < 0 || channel >= channels) throw new PaperBException($"channel {channel} is outside 0..{channels - 1}");
        if (hwc.Length != width * height * channels)
            throw new PaperBException($"a {width}×{height}×{channels} image has {width * height * channels} samples, got {hwc.Length}");
        var p = new byte[width * height];
        for (int i = 0; i < p.Length; i++) p[i] = hwc[i * channels + channel];
        return p;
    }

    /// <summary>Interleaves planes (all width×height) into an HWC image buffer.</summary>
    public static byte[] Interleave(IReadOnlyList<byte[]> planes)
    {
        int c = planes.Count, n = planes[0].Length;
        var hwc = new byte[n * c];
        for (int ch = 0; ch < c; ch++)
        {
            if (planes[ch].Length != n) throw new PaperBException("planes differ in size");
            for (int i = 0; i < n; i++) hwc[i * c + ch] = planes[ch][i];
        }
        return hwc;
    }

    private static void Check(int width, int height, int patch)
    {
        if (patch < 1) throw new PaperBException($"patch size must be at least 1 (got {patch})");
        if (width < patch || height < patch || width % patch != 0 || height % patch != 0)
            throw new PaperBException($"a {width}×{height} plane cannot be cut into {patch}×{patch} patches (both sides must be positive multiples of {patch})");
    }
}
