namespace SecureTransmit.Metrics.Internal;

/// <summary>Argument checks shared by every metric; each failure is a <see cref="MetricsException"/>.</summary>
internal static class Guard
{
    /// <summary>Checks that width, height and channels are positive and that the product fits an int.</summary>
    public static int SampleCount(string what, int width, int height, int channels)
    {
        if (width <= 0) throw new MetricsException($"{what}: width must be positive (got {width})");
        if (height <= 0) throw new MetricsException($"{what}: height must be positive (got {height})");
        if (channels <= 0) throw new MetricsException($"{what}: channels must be positive (got {channels})");
        long n = (long)width * height * channels;
        if (n > int.MaxValue) throw new MetricsException($"{what}: image of {width}x{height}x{channels} is too large");
        return (int)n;
    }

    /// <summary>Checks one buffer against the expected sample count of a width x height x channels image.</summary>
    public static void Length(string what, string name, int actual, int expected, int width, int height, int channels)
    {
        if (actual != expected)
        {
            throw new MetricsException(
                $"{what}: {name} holds {actual} samples but a {width}x{height}x{channels} image needs {expected}");
        }
    }

    /// <summary>Checks that two flat buffers have the same, non-zero length.</summary>
    public static void SameLength(string what, int a, int b)
    {
        if (a != b) throw new MetricsException($"{what}: buffers differ in length ({a} vs {b})");
        if (a == 0) throw new MetricsException($"{what}: buffers are empty");
    }

    /// <summary>Checks an image pair against width x height x channels and returns the sample count.</summary>
    public static int Pair(string what, int aLength, int bLength, int width, int height, int channels)
    {
        int n = SampleCount(what, width, height, channels);
        Length(what, "first image", aLength, n, width, height, channels);
        Length(what, "second image", bLength, n, width, height, channels);
        return n;
    }

    public static void Probability(string what, string name, double p)
    {
        if (!(p > 0 && p < 1)) throw new MetricsException($"{what}: {name} must lie strictly between 0 and 1 (got {p})");
    }

    public static void Finite(string what, string name, double v)
    {
        if (!double.IsFinite(v)) throw new MetricsException($"{what}: {name} must be a finite number (got {v})");
    }
}
