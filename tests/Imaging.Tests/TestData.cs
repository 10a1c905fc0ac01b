using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SecureTransmit.Imaging.Tests;

/// <summary>Fixture paths and helpers shared by the tests.</summary>
internal static class TestData
{
    public static string FixtureDir => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string Fixture(params string[] parts) => Path.Combine([FixtureDir, .. parts]);

    public static byte[] ReadFixture(params string[] parts)
    {
        string path = Fixture(parts);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Test fixture {path} is missing: it is committed under tests/Imaging.Tests/Fixtures and copied to the output by the csproj.");
        }

        return File.ReadAllBytes(path);
    }

    /// <summary>An image of uniformly random bytes from a seeded generator.</summary>
    public static Image RandomImage(int width, int height, int channels, int seed)
    {
        var pixels = new byte[width * height * channels];
        new Random(seed).NextBytes(pixels);
        return new Image(width, height, channels, pixels);
    }

    /// <summary>SHA-256 (lower-case hex) of samples written as little-endian uint16.</summary>
    public static string Sha256Uint16(ReadOnlySpan<ushort> samples)
    {
        var bytes = new byte[samples.Length * 2];
        for (int i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), samples[i]);
        }

        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Runs a synchronous body on the thread pool under a timeout (a hang fails the test).</summary>
    public static Task RunWithTimeout(Action body, int seconds = 30) =>
        Task.Run(body).WaitAsync(TimeSpan.FromSeconds(seconds));

    public static Task<T> RunWithTimeout<T>(Func<T> body, int seconds = 30) =>
        Task.Run(body).WaitAsync(TimeSpan.FromSeconds(seconds));

    /// <summary>
    /// Decodes and accepts either success or an <see cref="ImageFormatException"/> whose cause (if any) is
    /// a zlib data error. Any other exception, or a format exception wrapping e.g. an
    /// IndexOutOfRangeException (a decoder bug caught by the safety net), fails.
    /// </summary>
    public static void DecodeMustSucceedOrReject(Func<Image> decode, string what)
    {
        try
        {
            decode();
        }
        catch (ImageFormatException e)
        {
            Assert.True(e.InnerException is null or InvalidDataException,
                $"{what}: rejected through the safety net, cause {e.InnerException?.GetType().Name}: {e.Message}");
            Assert.DoesNotContain('\n', e.Message);
        }
    }
}

/// <summary>The pixel formulas of make_tiff_pnm_fixtures.py (fixture definition, not decoder output).</summary>
internal static class FixturePattern
{
    public const int Width = 13;
    public const int Height = 9;

    public static int V8(int x, int y, int c) => ((37 * x) + (11 * y) + (71 * c) + (x * y % 13)) % 256;

    public static int V16(int x, int y, int c) => ((4099 * x) + (771 * y) + (12345 * c) + (7 * x * y)) % 65536;

    public static int VM(int x, int y, int c, int maxval) => ((37 * x) + (11 * y) + (71 * c) + (x * y % 13)) % (maxval + 1);

    /// <summary>Expected 8-bit image for a fixture whose samples are f(x, y, c).</summary>
    public static Image Expected(int channels, Func<int, int, int, int> f)
    {
        var image = new Image(Width, Height, channels);
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    image[x, y, c] = checked((byte)f(x, y, c));
                }
            }
        }

        return image;
    }

    /// <summary>Reference 16→8 rule computed in floating point: round(v * 255 / 65535) (no ties exist).</summary>
    public static int Round16(int v) => (int)Math.Round(v * 255.0 / 65535.0, MidpointRounding.AwayFromZero);
}
