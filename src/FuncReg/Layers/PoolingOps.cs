using System.Numerics;

namespace FuncReg;

/// <summary>
/// Forward and backward of <see cref="MaxPooling2D"/>, <see cref="AveragePooling2D"/>, <see cref="GlobalAveragePooling2D"/>
/// and the channel mask of <see cref="SpatialDropout2D"/>; plain loops, channels last (formulas in those records).
/// </summary>
public static class PoolingOps
{
    /// <summary>
    /// Max pooling: <c>y[r, oy, ox, c] = max</c> over the window's positions inside the input; <paramref name="argmax"/>
    /// receives the flat input index of the (first, row-major) maximum of each output.
    /// </summary>
    public static void MaxForward<T>(ReadOnlySpan<T> x, Span<T> y, Span<int> argmax, int n, in Window2D g)
        where T : IFloatingPointIeee754<T>
    {
        int c = g.Channels;
        for (int r = 0; r < n; r++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    int o = (((r * g.OutputHeight) + oy) * g.OutputWidth + ox) * c;
                    for (int ci = 0; ci < c; ci++)
                    {
                        T best = T.NegativeInfinity;
                        int at = -1;
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
                                int i = ((((r * g.Height) + iy) * g.Width + ix) * c) + ci;
                                if (at < 0 || x[i] > best)
                                {
                                    best = x[i];
                                    at = i;
                                }
                            }
                        }
                        y[o + ci] = best;
                        argmax[o + ci] = at;
                    }
                }
            }
        }
    }

    /// <summary>Max-pooling backward: <c>dx = 0</c>, then <c>dx[argmax[j]] += dy[j]</c> for every output j.</summary>
    public static void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> argmax, Span<T> dx)
        where T : IFloatingPointIeee754<T>
    {
        dx.Clear();
        for (int j = 0; j < dy.Length; j++)
        {
            dx[argmax[j]] += dy[j];
        }
    }

    /// <summary>Average pooling: <c>y = (1/count)·Σ x</c> over the window's positions inside the input (count excludes padding).</summary>
    public static void AverageForward<T>(ReadOnlySpan<T> x, Span<T> y, int n, in Window2D g)
        where T : IFloatingPointIeee754<T>
    {
        int c = g.Channels;
        for (int r = 0; r < n; r++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                (int y0, int y1) = Rows(g, oy);
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    (int x0, int x1) = Columns(g, ox);
                    T inv = T.One / T.CreateChecked((y1 - y0) * (x1 - x0));
                    int o = (((r * g.OutputHeight) + oy) * g.OutputWidth + ox) * c;
                    for (int ci = 0; ci < c; ci++)
                    {
                        T s = T.Zero;
                        for (int iy = y0; iy < y1; iy++)
                        {
                            for (int ix = x0; ix < x1; ix++)
                            {
                                s += x[((((r * g.Height) + iy) * g.Width + ix) * c) + ci];
                            }
                        }
                        y[o + ci] = s * inv;
                    }
                }
            }
        }
    }

    /// <summary>Average-pooling backward: <c>dx = 0</c>, then each <c>dy/count</c> is added to every position of its window inside the input.</summary>
    public static void AverageBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, int n, in Window2D g)
        where T : IFloatingPointIeee754<T>
    {
        int c = g.Channels;
        dx[..(n * g.InputSize)].Clear();
        for (int r = 0; r < n; r++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                (int y0, int y1) = Rows(g, oy);
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    (int x0, int x1) = Columns(g, ox);
                    T inv = T.One / T.CreateChecked((y1 - y0) * (x1 - x0));
                    int o = (((r * g.OutputHeight) + oy) * g.OutputWidth + ox) * c;
                    for (int iy = y0; iy < y1; iy++)
                    {
                        for (int ix = x0; ix < x1; ix++)
                        {
                            int i = (((r * g.Height) + iy) * g.Width + ix) * c;
                            for (int ci = 0; ci < c; ci++)
                            {
                                dx[i + ci] += dy[o + ci] * inv;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Global average pooling: <c>y[r, c] = (1/positions)·Σ_p x[r, p, c]</c>, positions = h·w.</summary>
    public static void GlobalAverageForward<T>(ReadOnlySpan<T> x, Span<T> y, int n, int positions, int channels)
        where T : IFloatingPointIeee754<T>
    {
        T inv = T.One / T.CreateChecked(positions);
        for (int r = 0; r < n; r++)
        {
            for (int ci = 0; ci < channels; ci++)
            {
                T s = T.Zero;
                for (int p = 0; p < positions; p++)
                {
                    s += x[(((r * positions) + p) * channels) + ci];
                }
                y[(r * channels) + ci] = s * inv;
            }
        }
    }

    /// <summary>Global-average-pooling backward: <c>dx[r, p, c] = dy[r, c]/positions</c>.</summary>
    public static void GlobalAverageBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, int n, int positions, int channels)
        where T : IFloatingPointIeee754<T>
    {
        T inv = T.One / T.CreateChecked(positions);
        for (int r = 0; r < n; r++)
        {
            for (int p = 0; p < positions; p++)
            {
                for (int ci = 0; ci < channels; ci++)
                {
                    dx[(((r * positions) + p) * channels) + ci] = dy[(r * channels) + ci] * inv;
                }
            }
        }
    }

    /// <summary>
    /// Spatial dropout with a channel mask m [n, channels] (from <see cref="NoiseOps.DropoutMask"/>, element r·channels + c):
    /// <c>y[r, p, c] = x[r, p, c]·m[r, c]</c>. The backward pass is the same map applied to dy.
    /// </summary>
    public static void ChannelMask<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> mask, Span<T> y, int n, int positions, int channels)
        where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<T> m = mask.Slice(r * channels, channels);
            for (int p = 0; p < positions; p++)
            {
                int o = ((r * positions) + p) * channels;
                for (int ci = 0; ci < channels; ci++)
                {
                    y[o + ci] = x[o + ci] * m[ci];
                }
            }
        }
    }

    private static (int Start, int End) Rows(in Window2D g, int oy)
    {
        int start = (oy * g.StrideHeight) - g.PadTop;
        return (Math.Max(start, 0), Math.Min(start + g.KernelHeight, g.Height));
    }

    private static (int Start, int End) Columns(in Window2D g, int ox)
    {
        int start = (ox * g.StrideWidth) - g.PadLeft;
        return (Math.Max(start, 0), Math.Min(start + g.KernelWidth, g.Width));
    }
}
