using SecureTransmit.Imaging;

namespace SecureTransmit.Lab.PaperB.Internal;

/// <summary>Small image compositing for the report's figures.</summary>
internal static class Figures
{
    public const int Gap = 4;

    /// <summary>Box-filter reduction by an integer factor (1 = copy); sides must be multiples of it.</summary>
    public static Image Shrink(Image src, int factor)
    {
        if (factor == 1) return src.Clone();
        int w = src.Width / factor, h = src.Height / factor, c = src.Channels, area = factor * factor;
        var dst = new Image(w, h, c);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int ch = 0; ch < c; ch++)
                {
                    int sum = 0;
                    for (int dy = 0; dy < factor; dy++)
                        for (int dx = 0; dx < factor; dx++)
                            sum += src.Pixels[((y * factor + dy) * src.Width + x * factor + dx) * c + ch];
                    dst.Pixels[(y * w + x) * c + ch] = (byte)((sum + area / 2) / area);
                }
        return dst;
    }

    /// <summary>Rows × columns of tiles (gray when every tile is gray, else RGB) on white, <see cref="Gap"/> px apart; every tile of a column as wide as its widest.</summary>
    public static Image Grid(IReadOnlyList<IReadOnlyList<Image>> rows)
    {
        int cols = rows.Max(r => r.Count);
        var colW = new int[cols];
        var rowH = new int[rows.Count];
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < rows[r].Count; c++)
            {
                colW[c] = Math.Max(colW[c], rows[r][c].Width);
                rowH[r] = Math.Max(rowH[r], rows[r][c].Height);
            }
        int width = colW.Sum() + Gap * (cols + 1), height = rowH.Sum() + Gap * (rows.Count + 1);
        int channels = rows.All(r => r.All(t => t.Channels == 1)) ? 1 : 3;
        var grid = new Image(width, height, channels);
        Array.Fill(grid.Pixels, (byte)255);
        int y0 = Gap;
        for (int r = 0; r < rows.Count; r++)
        {
            int x0 = Gap;
            for (int c = 0; c < rows[r].Count; c++)
            {
                var tile = rows[r][c].ConvertTo(channels);
                for (int y = 0; y < tile.Height; y++)
                    tile.Pixels.AsSpan(y * tile.Stride, tile.Stride).CopyTo(grid.Pixels.AsSpan(((y0 + y) * width + x0) * channels));
                x0 += colW[c] + Gap;
            }
            y0 += rowH[r] + Gap;
        }
        return grid;
    }
}
