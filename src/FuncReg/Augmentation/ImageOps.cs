namespace FuncReg;

/// <summary>
/// The deterministic image transforms behind <see cref="Augmentation"/>, on one channels-last image
/// <c>[h, w, c]</c> stored row-major (value (r, col, ch) at <c>(r·w + col)·c + ch</c>). Pure: the random draws are
/// made by the caller.
/// </summary>
public static class ImageOps
{
    /// <summary>Mirrors columns in place: (r, col) ↔ (r, w−1−col).</summary>
    public static void FlipHorizontal(Span<float> image, int h, int w, int c)
    {
        for (int r = 0; r < h; r++)
        {
            for (int a = 0, b = w - 1; a < b; a++, b--)
            {
                Span<float> pa = image.Slice(((r * w) + a) * c, c), pb = image.Slice(((r * w) + b) * c, c);
                for (int ch = 0; ch < c; ch++)
                {
                    (pa[ch], pb[ch]) = (pb[ch], pa[ch]);
                }
            }
        }
    }

    /// <summary>Mirrors rows in place: (r, col) ↔ (h−1−r, col).</summary>
    public static void FlipVertical(Span<float> image, int h, int w, int c)
    {
        int row = w * c;
        for (int a = 0, b = h - 1; a < b; a++, b--)
        {
            Span<float> ra = image.Slice(a * row, row), rb = image.Slice(b * row, row);
            for (int i = 0; i < row; i++)
            {
                (ra[i], rb[i]) = (rb[i], ra[i]);
            }
        }
    }

    /// <summary>
    /// Inverse-mapped affine transform (Keras's <c>apply_affine_transform</c>, order 1): output pixel (r, col) reads
    /// the source point, with centre (cy, cx) = ((h−1)/2, (w−1)/2),
    /// <c>sr = cy + zy·(cos θ·(r−cy) − sin θ·(col−cx)) + ty</c>, <c>sc = cx + zx·(sin θ·(r−cy) + cos θ·(col−cx)) + tx</c>,
    /// by bilinear interpolation of its four neighbours, each neighbour outside the image taken by
    /// <paramref name="fill"/> (<paramref name="cvalue"/> for Constant). With θ = 0, z = 1 and whole-pixel shifts the
    /// weights are exactly 0 and 1, so the result is an exact permutation (Wrap) of the pixels.
    /// </summary>
    public static void Affine(ReadOnlySpan<float> source, Span<float> output, int h, int w, int c, double theta, double ty, double tx, double zy, double zx, FillMode fill, float cvalue)
    {
        double cy = (h - 1) / 2.0, cx = (w - 1) / 2.0;
        double cos = theta == 0 ? 1 : Math.Cos(theta), sin = theta == 0 ? 0 : Math.Sin(theta);
        for (int r = 0; r < h; r++)
        {
            double dr = r - cy;
            for (int col = 0; col < w; col++)
            {
                double dc = col - cx;
                double sr = cy + (zy * ((cos * dr) - (sin * dc))) + ty;
                double sc = cx + (zx * ((sin * dr) + (cos * dc))) + tx;
                double fr0 = Math.Floor(sr), fc0 = Math.Floor(sc);
                float fr = (float)(sr - fr0), fc = (float)(sc - fc0);
                int r0 = Map((long)fr0, h, fill), r1 = Map((long)fr0 + 1, h, fill);
                int c0 = Map((long)fc0, w, fill), c1 = Map((long)fc0 + 1, w, fill);
                Span<float> o = output.Slice(((r * w) + col) * c, c);
                for (int ch = 0; ch < c; ch++)
                {
                    float p00 = At(source, r0, c0, w, c, ch, cvalue), p01 = At(source, r0, c1, w, c, ch, cvalue);
                    float p10 = At(source, r1, c0, w, c, ch, cvalue), p11 = At(source, r1, c1, w, c, ch, cvalue);
                    float top = ((1 - fc) * p00) + (fc * p01);
                    float bottom = ((1 - fc) * p10) + (fc * p11);
                    o[ch] = ((1 - fr) * top) + (fr * bottom);
                }
            }
        }
    }

    /// <summary>Sets rows [top, top+eh) × columns [left, left+ew) to <paramref name="value"/> in every channel.</summary>
    public static void Erase(Span<float> image, int w, int c, int top, int left, int eh, int ew, float value)
    {
        for (int r = top; r < top + eh; r++)
        {
            image.Slice(((r * w) + left) * c, ew * c).Fill(value);
        }
    }

    /// <summary>Index <paramref name="i"/> mapped into [0, n) by the fill mode; −1 means "the constant".</summary>
    internal static int Map(long i, int n, FillMode fill)
    {
        if (i >= 0 && i < n)
        {
            return (int)i;
        }
        switch (fill)
        {
            case FillMode.Nearest:
                return i < 0 ? 0 : n - 1;
            case FillMode.Wrap:
                return (int)(((i % n) + n) % n);
            case FillMode.Reflect:
                long period = 2L * n;
                long m = ((i % period) + period) % period;
                return (int)(m < n ? m : period - 1 - m);
            default:
                return -1;
        }
    }

    private static float At(ReadOnlySpan<float> source, int r, int col, int w, int c, int ch, float cvalue) =>
        r < 0 || col < 0 ? cvalue : source[(((r * w) + col) * c) + ch];
}
