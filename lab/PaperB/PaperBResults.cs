using SecureTransmit.Imaging;

namespace SecureTransmit.Lab.PaperB;

/// <summary>An image of the experiment: a name (e.g. "house") and its RGB pixels (sides multiples of 8).</summary>
internal sealed record PaperBImage(string Name, Image Image);

/// <summary>Adjacent-pixel correlation in the three usual directions (all pairs of the image).</summary>
internal sealed record DirectionalCorrelation(double Horizontal, double Vertical, double Diagonal);

/// <summary>
/// What one trained model gives at one compression level.
/// </summary>
/// <param name="Mse">Per channel (R, G, B) MSE on 0–255 of the reconstruction from the 8-bit latent (the stored "compressed image").</param>
/// <param name="Psnr">PSNR (MAX 255) of <paramref name="Mse"/>.</param>
/// <param name="MseFloatLatent">Per channel MSE when the decoder gets the unquantized float latent.</param>
/// <param name="MsePretrained">Per channel MSE (8-bit latent) of the model after pre-training only, before fine-tuning.</param>
/// <param name="MseOtherObjective">Per channel MSE (8-bit latent) of a copy fine-tuned with the other objective; null when not compared.</param>
/// <param name="Reconstructed">Correlation of the grayscale reconstruction (the paper's "compressed" column, see the report).</param>
/// <param name="Compressed">Correlation of the grayscale latent image itself (the bytes that are encrypted).</param>
/// <param name="Encrypted">Correlation of the encrypted grayscale latent image.</param>
/// <param name="X0">The key x0 of the grayscale latent: its first value.</param>
/// <param name="KeystreamLag1">Pearson correlation of consecutive keystream bytes (S_n, S_n+1) of that key.</param>
internal sealed record LevelResult(double[] Mse, double[] Psnr, double[] MseFloatLatent, double[] MsePretrained, double[]? MseOtherObjective,
    DirectionalCorrelation Reconstructed, DirectionalCorrelation Compressed, DirectionalCorrelation Encrypted, double X0, double KeystreamLag1);

/// <summary>One run (one trained model) on one image.</summary>
internal sealed record RunResult(int Run, ulong Seed, SaeTrainingLog Log, LevelResult Ratio4, LevelResult Ratio16, double Seconds);

/// <summary>Images of run 0, for the figures.</summary>
/// <param name="Reconstruction4">RGB reconstruction at 4:1 (from the 8-bit latent).</param>
/// <param name="Reconstruction16">RGB reconstruction at 16:1.</param>
/// <param name="Compressed4">The grayscale "compressed image" at 4:1: latent bytes, each patch's 16 codes as a 4×4 block.</param>
/// <param name="Compressed16">The grayscale "compressed image" at 16:1: each patch's 4 codes as a 2×2 block.</param>
/// <param name="Encrypted4">The 4:1 compressed image XOR the logistic keystream.</param>
/// <param name="Encrypted16">The 16:1 compressed image XOR the logistic keystream.</param>
internal sealed record FigureImages(Image Reconstruction4, Image Reconstruction16, Image Compressed4, Image Compressed16, Image Encrypted4, Image Encrypted16);

/// <summary>Every run on one image.</summary>
/// <param name="Original">Correlation of the original image converted to grayscale.</param>
/// <param name="PcaMse4">Per channel MSE of a 16-component PCA of the same patches (the linear reference for 4:1).</param>
/// <param name="PcaMse16">Per channel MSE of a 4-component PCA (the linear reference for 16:1).</param>
internal sealed record ImageResult(string Name, int Width, int Height, DirectionalCorrelation Original, double[] PcaMse4, double[] PcaMse16,
    IReadOnlyList<RunResult> Runs, FigureImages Figures);

/// <summary>The whole experiment.</summary>
internal sealed record PaperBReport(IReadOnlyList<ImageResult> Images, PaperBOptions Options, double Seconds);
