using System.CommandLine;
using SecureTransmit.Imaging;

namespace SecureTransmit.Lab.Commands;

/// <summary>
/// <c>lab convert IN OUT [--quality Q]</c>: reads any format <see cref="ImageIO"/> reads (JPEG, PNG, WebP, GIF first
/// frame, BMP, TIFF, PGM/PPM; by content) and writes PNG, JPEG, WebP, TIFF or PPM/PGM by the output's extension.
/// </summary>
[LabCommand(10)]
internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("in") { Description = "source image: JPEG, PNG, WebP, GIF (first frame), BMP, TIFF, PGM/PPM (recognised by content)" };
        var output = new Argument<string>("out") { Description = "destination; its extension picks the format: .png .jpg .jpeg .webp .tif .tiff .ppm .pgm .pnm" };
        var quality = new Option<int?>("--quality") { Description = $"JPEG quality 1..100 (default {ImageIO.DefaultJpegQuality}) or lossy WebP quality 0..100 (default {ImageIO.DefaultWebPQuality})" };
        var cmd = new Command("convert", "Convert an image between formats (16-bit sources are rounded to 8 bits; EXIF orientation is applied; alpha is kept where the format has it, JPEG drops it)")
        {
            input, output, quality,
        };
        cmd.SetAction(pr =>
        {
            var src = pr.GetRequiredValue(input);
            var dst = pr.GetRequiredValue(output);
            var q = pr.GetValue(quality);
            var decoded = ImageIO.LoadWithInfo(src);
            var image = decoded.Image;
            var format = ImageIO.FormatFromPath(dst);
            if (q is { } value)
            {
                if (format is not (ImageFormat.Jpeg or ImageFormat.WebP))
                    throw new ArgumentException($"--quality applies to .jpg/.jpeg/.webp outputs, not {Path.GetExtension(dst)}");
                if (value < (format == ImageFormat.Jpeg ? 1 : 0) || value > 100)
                    throw new ArgumentException($"--quality {value}: must be {(format == ImageFormat.Jpeg ? 1 : 0)}..100 for {format}");
            }
            if (q is { } quality1 && format == ImageFormat.Jpeg) SaveBytes(dst, ImageIO.EncodeJpeg(image, quality1));
            else if (q is { } quality2 && format == ImageFormat.WebP) SaveBytes(dst, ImageIO.EncodeWebP(image, quality2));
            else ImageIO.Save(image, dst);
            var notes = new List<string>();
            if (decoded.Source.Reduced16To8) notes.Add("16-bit rounded to 8");
            if (decoded.Source.Orientation != 1) notes.Add($"EXIF orientation {decoded.Source.Orientation} applied");
            if (format == ImageFormat.Jpeg && image.HasAlpha) notes.Add("alpha dropped (JPEG has none)");
            Console.WriteLine($"{src} ({decoded.Source.Format}) → {dst}: {image.Width}×{image.Height}, {image.Channels} channel(s)"
                              + (notes.Count > 0 ? "; " + string.Join("; ", notes) : ""));
            return 0;
        });
        return cmd;
    }

    /// <summary>Writes through a temporary file in the same folder, then renames (nothing half-written).</summary>
    private static void SaveBytes(string path, byte[] bytes)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }
}
