using System.Buffers.Binary;
using System.Diagnostics;

namespace SecureTransmit.Imaging.Tests;

/// <summary>
/// Writers for the inputs the library cannot write itself (BMP, GIF, EXIF-tagged and progressive JPEG), built from
/// the formats' specifications so every test input is made here. Also linked into tests/Integration.Tests.
/// </summary>
internal static class TestImageFiles
{
    /// <summary>A smooth pattern (lossy codecs keep it well): sample = f(x, y, c) with no hard edges.</summary>
    public static Image Smooth(int width, int height, int channels)
    {
        var image = new Image(width, height, channels);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    double v = c == channels - 1 && channels is 2 or 4
                        ? 255 - (96.0 * x / Math.Max(1, width - 1)) // alpha: 255 down to 159
                        : 40 + (80.0 * x / Math.Max(1, width - 1)) + (60.0 * y / Math.Max(1, height - 1)) + (30 * c);
                    image[x, y, c] = (byte)Math.Clamp(Math.Round(v), 0, 255);
                }
            }
        }

        return image;
    }

    /// <summary>
    /// Windows BMP, BITMAPINFOHEADER (40 bytes), 24-bit BI_RGB, rows bottom-up padded to 4 bytes, pixels B,G,R.
    /// File header 14 bytes: "BM" | file size u32 | reserved u32 | pixel offset u32 (54); all little-endian.
    /// </summary>
    public static byte[] Bmp(Image image)
    {
        Image rgb = image.ToRgb();
        int w = rgb.Width, h = rgb.Height, row = ((w * 3) + 3) & ~3;
        var d = new byte[54 + (row * h)];
        d[0] = (byte)'B';
        d[1] = (byte)'M';
        BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(2), (uint)d.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(10), 54);
        BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(18), w);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(22), h);
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(26), 1); // planes
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(28), 24); // bits per pixel
        BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(34), (uint)(row * h));
        for (int y = 0; y < h; y++)
        {
            int o = 54 + ((h - 1 - y) * row);
            for (int x = 0; x < w; x++)
            {
                d[o + (3 * x)] = rgb[x, y, 2];
                d[o + (3 * x) + 1] = rgb[x, y, 1];
                d[o + (3 * x) + 2] = rgb[x, y, 0];
            }
        }

        return d;
    }

    /// <summary>Quantises each RGB sample to the 6×6×6 cube (0, 51, ..., 255) so an image fits a 216-entry palette.</summary>
    public static Image ToCube(Image image)
    {
        Image q = image.HasAlpha ? image.ToRgba() : image.ToRgb();
        for (int i = 0; i < q.Pixels.Length; i++)
        {
            if (!(q.Channels == 4 && i % 4 == 3))
            {
                q.Pixels[i] = (byte)((q.Pixels[i] + 25) / 51 * 51);
            }
        }

        return q;
    }

    /// <summary>
    /// GIF89a with a 256-entry global palette (the 6×6×6 cube, index 216 = transparent), one frame per image, each
    /// preceded by a graphic control extension; pixels with alpha &lt; 128 use the transparent index. Every frame must
    /// already be on the cube (<see cref="ToCube"/>). LZW with minimum code size 8 and a clear code every 250 codes,
    /// so every code stays 9 bits wide (GIF89a spec, appendix F).
    /// </summary>
    public static byte[] Gif(params Image[] frames)
    {
        int w = frames[0].Width, h = frames[0].Height;
        var ms = new MemoryStream();
        ms.Write("GIF89a"u8);
        WriteU16(ms, w);
        WriteU16(ms, h);
        ms.WriteByte(0xF7); // global colour table, colour resolution 8 bits, 2^(7+1) = 256 entries
        ms.WriteByte(0); // background index
        ms.WriteByte(0); // aspect
        for (int i = 0; i < 256; i++)
        {
            int v = Math.Min(i, 215);
            ms.WriteByte((byte)(v / 36 * 51));
            ms.WriteByte((byte)(v / 6 % 6 * 51));
            ms.WriteByte((byte)(v % 6 * 51));
        }

        foreach (Image frame in frames)
        {
            Image f = frame.HasAlpha ? frame.ToRgba() : frame.ToRgb();
            ms.Write([0x21, 0xF9, 0x04, 0x05, 10, 0, 216, 0]); // GCE: disposal 1, transparent flag; delay 0.1 s; index 216
            ms.WriteByte(0x2C);
            WriteU16(ms, 0);
            WriteU16(ms, 0);
            WriteU16(ms, f.Width);
            WriteU16(ms, f.Height);
            ms.WriteByte(0); // no local table, not interlaced
            var indices = new byte[f.Width * f.Height];
            for (int p = 0; p < indices.Length; p++)
            {
                int o = p * f.Channels;
                bool clear = f.Channels == 4 && f.Pixels[o + 3] < 128;
                indices[p] = clear ? (byte)216 : (byte)((f.Pixels[o] / 51 * 36) + (f.Pixels[o + 1] / 51 * 6) + (f.Pixels[o + 2] / 51));
            }

            ms.WriteByte(8); // LZW minimum code size
            byte[] lzw = Lzw9(indices);
            for (int i = 0; i < lzw.Length; i += 255)
            {
                int n = Math.Min(255, lzw.Length - i);
                ms.WriteByte((byte)n);
                ms.Write(lzw, i, n);
            }

            ms.WriteByte(0);
        }

        ms.WriteByte(0x3B);
        return ms.ToArray();
    }

    private static byte[] Lzw9(byte[] indices)
    {
        var output = new List<byte>();
        int acc = 0, bits = 0;
        void Emit(int code)
        {
            acc |= code << bits;
            bits += 9;
            while (bits >= 8)
            {
                output.Add((byte)acc);
                acc >>= 8;
                bits -= 8;
            }
        }

        for (int i = 0; i < indices.Length; i++)
        {
            if (i % 250 == 0)
            {
                Emit(256); // clear
            }

            Emit(indices[i]);
        }

        Emit(257); // end of information
        if (bits > 0)
        {
            output.Add((byte)acc);
        }

        return [.. output];
    }

    private static void WriteU16(Stream s, int v)
    {
        s.WriteByte((byte)v);
        s.WriteByte((byte)(v >> 8));
    }

    /// <summary>
    /// Inserts an APP1 Exif segment right after SOI: FF E1 | length u16 BE (includes itself) | "Exif\0\0" |
    /// TIFF header "MM" 00 2A, IFD offset 8 | IFD: 1 entry | tag 0112 (Orientation), type 3 (SHORT), count 1,
    /// value u16 + 2 pad bytes | next IFD 0.
    /// </summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        byte[] tiff = [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, 0, 0, 0, 0];
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        int length = payload.Length + 2;
        return [.. jpeg.AsSpan(0, 2), 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload, .. jpeg.AsSpan(2)];
    }

    /// <summary>
    /// A progressive JPEG made by libjpeg-turbo's cjpeg (installed by scripts/setup.sh): SkiaSharp writes only
    /// baseline JPEG, so this is the honest route to a progressive file. Checks that the output has an SOF2 marker.
    /// </summary>
    public static byte[] ProgressiveJpeg(Image image, int quality = 95)
    {
        const string cjpeg = "/usr/bin/cjpeg";
        if (!File.Exists(cjpeg))
        {
            throw new InvalidOperationException($"{cjpeg} is missing: run scripts/setup.sh (it installs libjpeg-turbo-progs)");
        }

        string dir = Path.Combine(Path.GetTempPath(), "st-prog-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string input = Path.Combine(dir, image.IsGray ? "in.pgm" : "in.ppm");
            string output = Path.Combine(dir, "out.jpg");
            File.WriteAllBytes(input, PnmEncoder.Encode(image.IsGray ? image.ToGray() : image.ToRgb()));
            var psi = new ProcessStartInfo(cjpeg) { RedirectStandardError = true };
            foreach (string a in new[] { "-progressive", "-quality", quality.ToString(System.Globalization.CultureInfo.InvariantCulture), "-outfile", output, input })
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd();
            if (!p.WaitForExit(30_000) || p.ExitCode != 0)
            {
                throw new InvalidOperationException($"cjpeg failed: {err}");
            }

            byte[] jpeg = File.ReadAllBytes(output);
            if (!HasMarker(jpeg, 0xC2))
            {
                throw new InvalidOperationException("cjpeg -progressive wrote no SOF2 marker");
            }

            return jpeg;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>True when a JPEG's marker segments (before the scan data) include FF <paramref name="marker"/>.</summary>
    public static bool HasMarker(byte[] jpeg, byte marker) => FindMarker(jpeg, marker) >= 0;

    /// <summary>Offset of marker FF <paramref name="marker"/> among the segments before the first SOS, or -1.</summary>
    public static int FindMarker(byte[] jpeg, byte marker)
    {
        int i = 2;
        while (i + 4 <= jpeg.Length && jpeg[i] == 0xFF)
        {
            byte m = jpeg[i + 1];
            if (m == marker)
            {
                return i;
            }

            if (m == 0xDA)
            {
                return -1;
            }

            i += 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
        }

        return -1;
    }
}
