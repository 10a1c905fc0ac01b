using SecureTransmit.Imaging;

namespace SecureTransmit.Lab.Analysis;

/// <summary>
/// Generated RGB test images: for tests, and for the attack figures (so that the committed figures
/// republish no dataset image).
/// </summary>
internal static class SyntheticImages
{
    /// <summary>Independent uniform bytes from a seed (SplitMix64).</summary>
    public static Image Noise(int width, int height, ulong seed)
    {
        Check(width, height);
        var rng = new Data.SplitMix64(seed);
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(rng.Next() >> 56);
        return new Image(width, height, 3, pixels);
    }

    /// <summary>Smooth ramps: R grows left→right, G top→bottom, B along the diagonal.</summary>
    public static Image Gradient(int width, int height)
    {
        Check(width, height);
        var image = new Image(width, height, 3);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = (y * width + x) * 3;
                image.Pixels[i] = (byte)(x * 255 / Math.Max(1, width - 1));
                image.Pixels[i + 1] = (byte)(y * 255 / Math.Max(1, height - 1));
                image.Pixels[i + 2] = (byte)((x + y) * 255 / Math.Max(1, width + height - 2));
            }
        return image;
    }

    /// <summary>A disc and a bar on a soft gradient (attack figure, image A).</summary>
    public static Image ShapesA(int width, int height)
    {
        var image = Gradient(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double dx = x - width * 0.35, dy = y - height * 0.45;
                bool disc = dx * dx + dy * dy < Math.Pow(Math.Min(width, height) * 0.22, 2);
                bool bar = x > width * 0.6 && x < width * 0.85 && y > height * 0.15 && y < height * 0.85;
                if (disc) Set(image, x, y, 250, 240, 40);
                else if (bar) Set(image, x, y, 20, 40, 160);
            }
        return image;
    }

    /// <summary>A ring, a triangle and stripes on grey (attack figure, image B).</summary>
    public static Image ShapesB(int width, int height)
    {
        Check(width, height);
        var image = new Image(width, height, 3);
        int min = Math.Min(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                byte g = (byte)(((x / Math.Max(1, min / 12)) % 2 == 0) ? 110 : 140);
                Set(image, x, y, g, g, g);
                double dx = x - width * 0.65, dy = y - height * 0.6;
                double d = Math.Sqrt(dx * dx + dy * dy);
                if (d > min * 0.18 && d < min * 0.28) Set(image, x, y, 200, 30, 30);
                // Triangle with apex at (0.25w, 0.1h) and base on y = 0.5h.
                double t = (y - height * 0.1) / (height * 0.4);
                if (t is >= 0 and <= 1 && Math.Abs(x - width * 0.25) < t * width * 0.18) Set(image, x, y, 30, 180, 60);
            }
        return image;
    }

    private static void Set(Image image, int x, int y, byte r, byte g, byte b)
    {
        int i = (y * image.Width + x) * 3;
        image.Pixels[i] = r;
        image.Pixels[i + 1] = g;
        image.Pixels[i + 2] = b;
    }

    private static void Check(int width, int height)
    {
        if (width < 1 || height < 1 || (long)width * height > 1 << 26)
            throw new AnalysisException($"synthetic image size {width}x{height} is out of range");
    }
}
