using System.Numerics;

namespace FuncReg;

/// <summary>
/// The convolution of <see cref="Conv2D"/>, plain loops (the executable specification), and the im2col/col2im
/// pair the compiled engine uses to run it on the GEMM. Channels last, row-major: x [n, h, w, c],
/// kernel [kh, kw, c, filters], z [n, oh, ow, filters]; geometry in <see cref="Window2D"/>.
/// </summary>
public static class Conv2DOps
{
    /// <summary><c>z[r, oy, ox, f] = b[f] + Σ_{ky, kx, c} x[r, oy·sh − pt + ky, ox·sw − pl + kx, c]·K[ky, kx, c, f]</c> (b may be empty).</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, ReadOnlySpan<T> bias, Span<T> z, int n, in Window2D g, int filters)
        where T : IFloatingPointIeee754<T>
    {
        int c = g.Channels;
        for (int r = 0; r < n; r++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    int o = (((r * g.OutputHeight) + oy) * g.OutputWidth + ox) * filters;
                    for (int f = 0; f < filters; f++)
                    {
                        T s = bias.IsEmpty ? T.Zero : bias[f];
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            int iy = (oy * g.StrideHeight) - g.PadTop + ky;
                            if (iy < 0 || iy >= g.Height)
                            {
                                continue;
                            }
                            for (int kx = 0; kx < g.KernelWidth; kx++)
                            {
                                int ix = (ox * g.StrideWidth) - g.PadLeft + kx;
                                if (ix < 0 || ix >= g.Width)
                                {
                                    continue;
                                }
                                int xi = (((r * g.Height) + iy) * g.Width + ix) * c;
                                int ki = ((ky * g.KernelWidth) + kx) * c;
                                for (int ci = 0; ci < c; ci++)
                                {
                                    s += x[xi + ci] * kernel[((ki + ci) * filters) + f];
                                }
                            }
                        }
                        z[o + f] = s;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Vector-Jacobian product of <see cref="Forward"/>: <c>dK[ky, kx, c, f] += Σ_{r, oy, ox} x[…]·dz[r, oy, ox, f]</c>,
    /// <c>db[f] += Σ dz[…, f]</c> (db may be empty), and <c>dx = Σ_f dz·K</c> scattered back over every window that
    /// reads the position (dx is overwritten; may be empty to skip it).
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, ReadOnlySpan<T> dz, Span<T> dkernel, Span<T> dbias, Span<T> dx, int n, in Window2D g, int filters)
        where T : IFloatingPointIeee754<T>
    {
        int c = g.Channels;
        dx.Clear();
        for (int r = 0; r < n; r++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    int o = (((r * g.OutputHeight) + oy) * g.OutputWidth + ox) * filters;
                    for (int f = 0; f < filters; f++)
                    {
                        T d = dz[o + f];
                        if (!dbias.IsEmpty)
                        {
                            dbias[f] += d;
                        }
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            int iy = (oy * g.StrideHeight) - g.PadTop + ky;
                            if (iy < 0 || iy >= g.Height)
                            {
                                continue;
                            }
                            for (int kx = 0; kx < g.KernelWidth; kx++)
                            {
                                int ix = (ox * g.StrideWidth) - g.PadLeft + kx;
                                if (ix < 0 || ix >= g.Width)
                                {
                                    continue;
                                }
                                int xi = (((r * g.Height) + iy) * g.Width + ix) * c;
                                int ki = ((ky * g.KernelWidth) + kx) * c;
                                for (int ci = 0; ci < c; ci++)
                                {
                                    int k = ((ki + ci) * filters) + f;
                                    dkernel[k] += x[xi + ci] * d;
                                    if (!dx.IsEmpty)
                                    {
                                        dx[xi + ci] += d * kernel[k];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// im2col: row <c>(r·oh + oy)·ow + ox</c> of <paramref name="columns"/> [n·oh·ow, kh·kw·c] is the window of that output
    /// pixel, <c>columns[row, (ky·kw + kx)·c + ci] = x[r, iy, ix, ci]</c> (0 in the padding), so <c>z = columns·K</c>
    /// with K viewed as [kh·kw·c, filters].
    /// </summary>
    public static void Im2Col<T>(ReadOnlySpan<T> x, Span<T> columns, int n, in Window2D g)
        where T : IFloatingPointIeee754<T>
    {
        int c = g.Channels, patch = g.PatchSize;
        for (int r = 0; r < n; r++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    Span<T> row = columns.Slice((((r * g.OutputHeight) + oy) * g.OutputWidth + ox) * patch, patch);
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        int iy = (oy * g.StrideHeight) - g.PadTop + ky;
                        for (int kx = 0; kx < g.KernelWidth; kx++)
                        {
                            int ix = (ox * g.StrideWidth) - g.PadLeft + kx;
                            Span<T> dst = row.Slice(((ky * g.KernelWidth) + kx) * c, c);
                            if (iy < 0 || iy >= g.Height || ix < 0 || ix >= g.Width)
                            {
                                dst.Clear();
                            }
                            else
                            {
                                x.Slice((((r * g.Height) + iy) * g.Width + ix) * c, c).CopyTo(dst);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>col2im, the adjoint of <see cref="Im2Col"/>: <c>dx = 0</c>, then every entry of <paramref name="columns"/> is added back to the input position it was read from.</summary>
    public static void Col2Im<T>(ReadOnlySpan<T> columns, Span<T> dx, int n, in Window2D g)
        where T : IFloatingPointIeee754<T>
    {
        int c = g.Channels, patch = g.PatchSize;
        dx[..(n * g.InputSize)].Clear();
        for (int r = 0; r < n; r++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    ReadOnlySpan<T> row = columns.Slice((((r * g.OutputHeight) + oy) * g.OutputWidth + ox) * patch, patch);
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        int iy = (oy * g.StrideHeight) - g.PadTop + ky;
                        if (iy < 0 || iy >= g.Height)
                        {
                            continue;
                        }
                        for (int kx = 0; kx < g.KernelWidth; kx++)
                        {
                            int ix = (ox * g.StrideWidth) - g.PadLeft + kx;
                            if (ix < 0 || ix >= g.Width)
                            {
                                continue;
                            }
                            ReadOnlySpan<T> src = row.Slice(((ky * g.KernelWidth) + kx) * c, c);
                            Span<T> dst = dx.Slice((((r * g.Height) + iy) * g.Width + ix) * c, c);
                            for (int ci = 0; ci < c; ci++)
                            {
                                dst[ci] += src[ci];
                            }
                        }
                    }
                }
            }
        }
    }
}
