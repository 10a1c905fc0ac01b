namespace SecureTransmit.Metrics.Internal;

/// <summary>
/// Mean SSIM of one grey plane pair. Only the "valid" pixels (whose whole window lies inside the image)
/// are filtered, so no border padding is ever read; this is exactly the region skimage keeps after
/// cropping, where its padding mode has no influence.
/// </summary>
internal static class SsimKernel
{
    /// <summary>Effective window radius for an image of the given size (shrunk for small images).</summary>
    public static int EffectiveRadius(int width, int height, SsimOptions options)
    {
        int radius = options.Radius;
        int maxRadius = (Math.Min(width, height) - 1) / 2;
        return Math.Min(radius, maxRadius);
    }

    /// <summary>Normalised 1-D Gaussian taps exp(−k²/(2σ²)) for k = −r..r.</summary>
    public static double[] GaussianTaps(double sigma, int radius)
    {
        var w = new double[2 * radius + 1];
        double sum = 0;
        for (int k = -radius; k <= radius; k++)
        {
            w[k + radius] = Math.Exp(-0.5 * k * k / (sigma * sigma));
            sum += w[k + radius];
        }
        for (int i = 0; i < w.Length; i++) w[i] /= sum;
        return w;
    }

    public static double Mean(double[] x, double[] y, int width, int height, double dataRange, SsimOptions options)
    {
        int r = EffectiveRadius(width, height, options);
        double[] w = GaussianTaps(options.Sigma, r);
        int taps = w.Length;
        int ow = width - 2 * r, oh = height - 2 * r;

        // Horizontal pass over every row, valid columns only: five moments.
        int hn = height * ow;
        var hx = new double[hn];
        var hy = new double[hn];
        var hxx = new double[hn];
        var hyy = new double[hn];
        var hxy = new double[hn];
        for (int row = 0; row < height; row++)
        {
            int rowBase = row * width;
            for (int ox = 0; ox < ow; ox++)
            {
                double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
                int start = rowBase + ox;
                for (int k = 0; k < taps; k++)
                {
                    double wk = w[k], xv = x[start + k], yv = y[start + k];
                    sx += wk * xv;
                    sy += wk * yv;
                    sxx += wk * xv * xv;
                    syy += wk * yv * yv;
                    sxy += wk * xv * yv;
                }
                int o = row * ow + ox;
                hx[o] = sx; hy[o] = sy; hxx[o] = sxx; hyy[o] = syy; hxy[o] = sxy;
            }
        }

        double c1 = options.K1 * dataRange * (options.K1 * dataRange);
        double c2 = options.K2 * dataRange * (options.K2 * dataRange);
        double total = 0;
        for (int oy = 0; oy < oh; oy++)
        {
            for (int ox = 0; ox < ow; ox++)
            {
                double ux = 0, uy = 0, uxx = 0, uyy = 0, uxy = 0;
                for (int k = 0; k < taps; k++)
                {
                    int i = (oy + k) * ow + ox;
                    double wk = w[k];
                    ux += wk * hx[i];
                    uy += wk * hy[i];
                    uxx += wk * hxx[i];
                    uyy += wk * hyy[i];
                    uxy += wk * hxy[i];
                }
                double vx = uxx - ux * ux;
                double vy = uyy - uy * uy;
                double vxy = uxy - ux * uy;
                double num = (2 * ux * uy + c1) * (2 * vxy + c2);
                double den = (ux * ux + uy * uy + c1) * (vx + vy + c2);
                total += num / den;
            }
        }
        return total / ((double)ow * oh);
    }
}
