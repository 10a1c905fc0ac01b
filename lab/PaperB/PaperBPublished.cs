namespace SecureTransmit.Lab.PaperB;

/// <summary>
/// The numbers paper B reports (Tables 1–3), copied from its text. Images in the paper's order: house,
/// airplane, lake, pepper; channels R, G, B; MSE on 0–255 pixel values, PSNR in dB with MAX = 255.
/// </summary>
internal static class PaperBPublished
{
    /// <summary>The paper's four test images, in its table order.</summary>
    public static IReadOnlyList<string> Images { get; } = ["house", "airplane", "lake", "pepper"];

    /// <summary>Table 1, CR 4:1: per image, MSE of R, G, B.</summary>
    public static IReadOnlyDictionary<string, double[]> Mse4 { get; } = new Dictionary<string, double[]>
    {
        ["house"] = [37.7696, 51.1280, 37.0831],
        ["airplane"] = [21.4800, 32.9829, 15.8055],
        ["lake"] = [32.2390, 101.1015, 56.4297],
        ["pepper"] = [48.8470, 60.6932, 39.5987],
    };

    /// <summary>Table 1, CR 4:1: per image, PSNR of R, G, B.</summary>
    public static IReadOnlyDictionary<string, double[]> Psnr4 { get; } = new Dictionary<string, double[]>
    {
        ["house"] = [32.3594, 31.0442, 32.4390],
        ["airplane"] = [34.8105, 32.9479, 36.1427],
        ["lake"] = [33.0470, 28.0832, 30.6157],
        ["pepper"] = [31.2424, 30.2994, 32.1540],
    };

    /// <summary>Table 2, CR 16:1: per image, MSE of R, G, B.</summary>
    public static IReadOnlyDictionary<string, double[]> Mse16 { get; } = new Dictionary<string, double[]>
    {
        ["house"] = [110.9180, 136.8415, 118.2971],
        ["airplane"] = [119.2817, 114.3715, 71.0135],
        ["lake"] = [62.2023, 174.2972, 144.9320],
        ["pepper"] = [71.5491, 149.3480, 74.9371],
    };

    /// <summary>Table 2, CR 16:1: per image, PSNR of R, G, B.</summary>
    public static IReadOnlyDictionary<string, double[]> Psnr16 { get; } = new Dictionary<string, double[]>
    {
        ["house"] = [27.6808, 26.7686, 27.4011],
        ["airplane"] = [27.3651, 27.5476, 29.6174],
        ["lake"] = [30.1927, 25.7179, 26.5192],
        ["pepper"] = [29.5848, 26.3888, 29.3838],
    };

    /// <summary>Table 3: adjacent-pixel correlation (grayscale, mean of 10 runs): compressed and encrypted at 4:1, then at 16:1.</summary>
    public static IReadOnlyDictionary<string, (double Compressed4, double Encrypted4, double Compressed16, double Encrypted16)> Correlation { get; } =
        new Dictionary<string, (double, double, double, double)>
        {
            ["house"] = (0.9532, -0.0391, 0.9369, 0.0079),
            ["airplane"] = (0.9632, 0.0038, 0.9745, 0.0361),
            ["lake"] = (0.9820, -0.0087, 0.9855, 0.0267),
            ["pepper"] = (0.9796, 0.0488, 0.9902, 0.0261),
        };

    /// <summary>Where to find each test image in the USC-SIPI "misc" volume (file stem).</summary>
    public static IReadOnlyDictionary<string, string[]> FileStems { get; } = new Dictionary<string, string[]>
    {
        ["house"] = ["house"],
        ["airplane"] = ["4.2.05", "airplane"],
        ["lake"] = ["4.2.06", "lake", "sailboat"],
        ["pepper"] = ["4.2.07", "peppers", "pepper"],
    };
}
