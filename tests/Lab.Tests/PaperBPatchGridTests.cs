using SecureTransmit.Lab.PaperB;

namespace SecureTransmit.Lab.Tests;

public class PaperBPatchGridTests
{
    [Theory]
    [InlineData(64, 48, 8)]
    [InlineData(512, 512, 8)]
    [InlineData(32, 16, 4)]
    [InlineData(10, 6, 2)]
    [InlineData(7, 5, 1)]
    public void Split_then_merge_gives_back_the_plane_exactly(int width, int height, int patch)
    {
        var plane = PaperBSynthetic.RandomBytes(width * height, seed: width * 31 + height);
        var patches = PatchGrid.Split(plane, width, height, patch);
        Assert.Equal(plane.Length, patches.Length);
        Assert.Equal(plane, PatchGrid.Merge(patches, width, height, patch));
        Assert.Equal((width / patch) * (height / patch), PatchGrid.Count(width, height, patch));
    }

    [Fact]
    public void Patches_are_numbered_in_raster_order_with_their_rows_in_order()
    {
        // 16×16 plane, value = x + 16·y: patch 1 is the top-right 8×8 block, patch 2 the bottom-left one.
        int w = 16, h = 16;
        var plane = new byte[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) plane[y * w + x] = (byte)(x + 16 * y);
        var p = PatchGrid.Split(plane, w, h, 8);
        Assert.Equal(0, p[0]);            // patch 0, (0,0)
        Assert.Equal(1, p[1]);            // patch 0, (1,0)
        Assert.Equal(16, p[8]);           // patch 0, second row starts at (0,1)
        Assert.Equal(8, p[64]);           // patch 1 starts at (8,0)
        Assert.Equal(8 + 16 * 7 + 7, p[127]); // patch 1 ends at (15,7)
        Assert.Equal(16 * 8, p[128]);     // patch 2 starts at (0,8)
        Assert.Equal(255, p[255]);        // patch 3 ends at (15,15)
    }

    [Fact]
    public void Normalize_then_denormalize_keeps_every_byte()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var f = PatchGrid.Normalize(all);
        Assert.Equal(0f, f[0]);
        Assert.Equal(1f, f[255]);
        Assert.Equal(all, PatchGrid.Denormalize(f));
    }

    [Fact]
    public void Denormalize_rounds_and_clamps()
    {
        Assert.Equal(new byte[] { 0, 0, 128, 255, 255 }, PatchGrid.Denormalize([-0.5f, 0.001f, 0.5f, 0.999f, 2f]));
        Assert.Throws<PaperBException>(() => PatchGrid.Denormalize([float.NaN]));
    }

    [Fact]
    public void Plane_and_interleave_are_inverse()
    {
        var hwc = PaperBSynthetic.RandomBytes(12 * 4 * 3, seed: 3);
        var planes = Enumerable.Range(0, 3).Select(c => PatchGrid.Plane(hwc, 12, 4, 3, c)).ToArray();
        Assert.Equal(hwc[3 * 5 + 2], planes[2][5]);
        Assert.Equal(hwc, PatchGrid.Interleave(planes));
    }

    [Theory]
    [InlineData(12, 16, 8)]
    [InlineData(16, 4, 8)]
    [InlineData(16, 16, 0)]
    public void Sizes_that_are_not_whole_patches_are_rejected(int width, int height, int patch)
    {
        var e = Assert.Throws<PaperBException>(() => PatchGrid.Split(new byte[width * height], width, height, patch));
        Assert.Contains("patch", e.Message);
    }

    [Fact]
    public void A_buffer_of_the_wrong_length_is_rejected()
    {
        var e = Assert.Throws<PaperBException>(() => PatchGrid.Merge(new byte[63], 8, 8, 8));
        Assert.Contains("64", e.Message);
    }
}
