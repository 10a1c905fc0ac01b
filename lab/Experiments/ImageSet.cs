using SecureTransmit.Imaging;

namespace SecureTransmit.Lab.Experiments;

/// <summary>One source image: name, RGB pixels and the bytes of its lossless PNG (the file itself when it is a PNG).</summary>
internal sealed record SourceImage(string Name, string Path, Image Rgb, byte[] Png)
{
    public long Pixels => (long)Rgb.Width * Rgb.Height;
}

/// <summary>
/// Loads the images of a folder in ordinal name order: every file whose first bytes carry a signature
/// <see cref="ImageIO"/> reads (JPEG, PNG, WebP, GIF, BMP, TIFF, PGM/PPM); other files are ignored.
/// </summary>
internal static class ImageSet
{
    private static bool IsImage(string path)
    {
        Span<byte> head = stackalloc byte[32];
        using var fs = File.OpenRead(path);
        int n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return ImageIO.DetectFormat(head[..n]) is not null;
    }

    public static IReadOnlyList<SourceImage> Load(string folder, int? limit)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder)) throw new ExperimentException($"{folder}: no such folder");
        if (limit is < 1) throw new ExperimentException($"--limit must be at least 1 (got {limit})");
        var files = Directory.EnumerateFiles(folder).Where(IsImage)
            .Order(StringComparer.Ordinal).Take(limit ?? int.MaxValue).ToList();
        if (files.Count == 0) throw new ExperimentException($"{folder}: no images (JPEG, PNG, WebP, GIF, BMP, TIFF or PGM/PPM)");
        return files.Select(f =>
        {
            var bytes = File.ReadAllBytes(f);
            var rgb = ImageIO.Decode(bytes).ToRgb();
            var png = ImageIO.DetectFormat(bytes) == ImageFormat.Png ? bytes : ImageIO.Encode(rgb, ImageFormat.Png);
            return new SourceImage(System.IO.Path.GetFileNameWithoutExtension(f), f, rgb, png);
        }).ToList();
    }
}

/// <summary>PSNR (RGB, 8-bit, capped at 100 dB for identical images) and SSIM (mean of the R, G, B SSIMs).</summary>
internal static class Quality
{
    public const double PsnrCap = 100;

    public static (double Psnr, double Ssim) Measure(Image original, Image reconstruction)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(reconstruction);
        if (original.Width != reconstruction.Width || original.Height != reconstruction.Height)
            throw new ExperimentException($"reconstruction is {reconstruction.Width}×{reconstruction.Height}, the original {original.Width}×{original.Height}");
        var a = original.ToRgb();
        var b = reconstruction.ToRgb();
        double psnr = Math.Min(Metrics.ImageQuality.Psnr(a.Pixels, b.Pixels), PsnrCap);
        return (psnr, Metrics.ImageQuality.Ssim(a.Pixels, b.Pixels, a.Width, a.Height, 3));
    }
}
