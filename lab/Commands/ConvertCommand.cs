using System.CommandLine;
using SecureTransmit.Imaging;

namespace SecureTransmit.Lab.Commands;

/// <summary><c>lab convert IN OUT</c>: converts between PNG, TIFF and PPM/PGM by extension.</summary>
[LabCommand(10)]
public static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("in") { Description = "source image (.png .tif .tiff .ppm .pgm .pnm)" };
        var output = new Argument<string>("out") { Description = "destination; its extension picks the format" };
        var cmd = new Command("convert", "Convert an image between PNG, TIFF and PPM/PGM (16-bit sources are rounded to 8 bits; alpha is kept where the format has it)") { input, output };
        cmd.SetAction(pr =>
        {
            var src = pr.GetRequiredValue(input);
            var dst = pr.GetRequiredValue(output);
            var image = ImageIO.Load(src);
            ImageIO.Save(image, dst);
            Console.WriteLine($"{src} → {dst}: {image.Width}×{image.Height}, {image.Channels} channel(s)");
            return 0;
        });
        return cmd;
    }
}
