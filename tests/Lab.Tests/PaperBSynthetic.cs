using SecureTransmit.Imaging;

namespace SecureTransmit.Lab.Tests;

/// <summary>Small deterministic test images for the paper-B tests (no files from ../shared).</summary>
internal static class PaperBSynthetic
{
    /// <summary>
    /// A smooth RGB image: a diagonal gradient with a slow wave per channel plus a little uniform noise
    /// (±<paramref name="noise"/> levels), seeded.
    /// </summary>
    public static Image Smooth(int size, int seed = 7, int noise = 3)
    {
        var rng = new Random(seed);
        var img = new Image(size, size, 3);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                for (int c = 0; c < 3; c++)
                {
                    double v = 40 + 150.0 * (x + y) / (2.0 * size) + 30 * Math.Sin((x + 2 * c) / 9.0) * Math.Cos((y - c) / 11.0)
                               + rng.Next(-noise, noise + 1);
                    img.Pixels[(y * size + x) * 3 + c] = (byte)Math.Clamp(Math.Round(v), 0, 255);
                }
        return img;
    }

    /// <summary>
    /// A smooth but detailed RGB image: a diagonal gradient plus four slow waves of different directions
    /// (periods 10–18 px, so one 8×8 patch needs about a dozen numbers to describe but neighbours stay
    /// correlated, r ≈ 0.95) plus uniform noise of ±2 levels, seeded. Four codes per patch cannot keep all of it;
    /// sixteen can (a 16-component PCA leaves MSE ≈ 1.5, a 4-component one ≈ 49).
    /// </summary>
    public static Image Textured(int size, int seed = 7)
    {
        var rng = new Random(seed);
        var img = new Image(size, size, 3);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                for (int c = 0; c < 3; c++)
                {
                    double v = 40 + 120.0 * (x + y) / (2.0 * size) + 18 * Math.Sin(0.6 * x + c) + 14 * Math.Sin(0.45 * y + 0.5 * c)
                               + 12 * Math.Sin(0.35 * (x + y)) + 10 * Math.Sin(0.5 * x - 0.3 * y + c) + rng.Next(-2, 3);
                    img.Pixels[(y * size + x) * 3 + c] = (byte)Math.Clamp(Math.Round(v), 0, 255);
                }
        return img;
    }

    /// <summary>Uniformly random bytes (a plane or an image buffer).</summary>
    public static byte[] RandomBytes(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }
}
