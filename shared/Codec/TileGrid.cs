namespace SecureTransmit.Codec;

/// <summary>
/// Splits a planar (CHW) float image of any size into square tiles of side T, padding the right and bottom
/// edges by replicating the last row/column, and puts tiles back together, cropping the padding.
/// Tiles are ordered row-major (left to right, then top to bottom).
/// </summary>
public readonly record struct TileGrid(int Width, int Height, int Tile)
{
    public int Columns => (Width + Tile - 1) / Tile;
    public int Rows => (Height + Tile - 1) / Tile;
    public int Count => Columns * Rows;

    public static TileGrid For(int width, int height, int tile)
    {
        if (width <= 0 || height <= 0) throw new CodecException($"image size {width}×{height} is empty");
        if (tile <= 0) throw new ArgumentOutOfRangeException(nameof(tile));
        return new TileGrid(width, height, tile);
    }

    /// <summary>
    /// Copies tiles [first, first+count) of a CHW image with <paramref name="channels"/> planes into
    /// <paramref name="batch"/> laid out [count, channels, T, T].
    /// </summary>
    public void Extract(ReadOnlySpan<float> chw, int channels, int first, int count, Span<float> batch)
    {
        int T = Tile, plane = Width * Height, tplane = T * T;
        for (int t = 0; t < count; t++)
        {
            int idx = first + t, ty = idx / Columns, tx = idx % Columns;
            for (int c = 0; c < channels; c++)
            {
                var src = chw.Slice(c * plane, plane);
                var dst = batch.Slice((t * channels + c) * tplane, tplane);
                for (int y = 0; y < T; y++)
                {
                    int sy = Math.Min(ty * T + y, Height - 1);
                    var row = src.Slice(sy * Width, Width);
                    var drow = dst.Slice(y * T, T);
                    int x0 = tx * T, inside = Math.Clamp(Width - x0, 0, T);
                    row.Slice(x0, inside).CopyTo(drow);
                    if (inside < T) drow[inside..].Fill(row[Width - 1]);
                }
            }
        }
    }

    /// <summary>Writes tiles [first, first+count) from a [count, channels, T, T] batch back into a CHW image, dropping padding.</summary>
    public void Place(ReadOnlySpan<float> batch, int channels, int first, int count, Span<float> chw)
    {
        int T = Tile, plane = Width * Height, tplane = T * T;
        for (int t = 0; t < count; t++)
        {
            int idx = first + t, ty = idx / Columns, tx = idx % Columns;
            for (int c = 0; c < channels; c++)
            {
                var src = batch.Slice((t * channels + c) * tplane, tplane);
                var dst = chw.Slice(c * plane, plane);
                int x0 = tx * T, w = Math.Min(T, Width - x0);
                for (int y = 0; y < T; y++)
                {
                    int dy = ty * T + y;
                    if (dy >= Height) break;
                    src.Slice(y * T, w).CopyTo(dst.Slice(dy * Width + x0, w));
                }
            }
        }
    }
}
