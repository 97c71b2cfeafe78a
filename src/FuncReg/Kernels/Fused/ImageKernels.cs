using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FuncReg.Kernels;

/// <summary>
/// Float kernels of the compiled image layers, vectorized across channels (channels last: the channels of one pixel
/// are contiguous): max pooling with its argmax, im2col and col2im, bit-identical to <see cref="PoolingOps"/> and
/// <see cref="Conv2DOps"/>, on the samples <c>[r0, r1)</c> of a batch (the compiled steps run shares of the batch on the GEMM threads).
/// </summary>
internal static unsafe class ImageKernels
{
    /// <summary>
    /// Values [c0, c1) of the im2col rows of the <paramref name="count"/> output pixels from <paramref name="q0"/> on (pixels
    /// numbered over the whole batch: sample q / (oh·ow)), row i into <c>dst[i·ld ..]</c>: the same values as
    /// <see cref="Im2Col"/> writes, zero in the padding.
    /// </summary>
    public static void Im2ColRows(float* x, in Window2D g, int q0, int count, int c0, int c1, float* dst, int ld)
    {
        int c = g.Channels, run = g.KernelWidth * c;
        int sample = q0 / g.OutputPixels, pixel = q0 - (sample * g.OutputPixels);
        int oy = pixel / g.OutputWidth, ox = pixel - (oy * g.OutputWidth);
        int ky0 = c0 / run, ky1 = (c1 + run - 1) / run;
        for (int i = 0; i < count; i++)
        {
            int ix0 = (ox * g.StrideWidth) - g.PadLeft;
            int valid0 = Math.Max(0, -ix0) * c, valid1 = Math.Min(g.KernelWidth, g.Width - ix0) * c;
            float* image = x + ((long)sample * g.InputSize) + ((long)ix0 * c);
            float* d = dst + ((long)i * ld);
            for (int ky = ky0; ky < ky1; ky++)
            {
                int s = ky * run, lo = Math.Max(c0, s) - s, hi = Math.Min(c1, s + run) - s;
                int iy = (oy * g.StrideHeight) - g.PadTop + ky;
                int a = hi, b = hi; // a row in the padding: all zeros
                if ((uint)iy < (uint)g.Height)
                {
                    a = Math.Min(Math.Max(valid0, lo), hi);
                    b = Math.Min(Math.Max(valid1, a), hi);
                }

                Zero(d, a - lo);
                d += a - lo;
                if (b > a)
                {
                    Copy(image + ((long)iy * g.Width * c) + a, d, b - a);
                    d += b - a;
                }

                Zero(d, hi - b);
                d += hi - b;
            }

            if (++ox == g.OutputWidth)
            {
                ox = 0;
                if (++oy == g.OutputHeight)
                {
                    oy = 0;
                    sample++;
                }
            }
        }
    }

    /// <summary>Most panels <see cref="Im2ColPanels8"/> handles in one call.</summary>
    public const int MaxPanels = 64;

    /// <summary>
    /// The packed A panels of the transposed im2col matrix (the TN kernel gradient): for the <paramref name="count"/> pixels
    /// from <paramref name="q0"/> on and patch values [c0, c0 + 8·panels), <c>dst[t·8·count + p·8 + r] = cols[q0 + p, c0 + 8t + r]</c>.
    /// Needs channels and c0 multiples of 8 (8 consecutive patch values then lie in one input pixel) and panels ≤ <see cref="MaxPanels"/>.
    /// </summary>
    public static void Im2ColPanels8(float* x, in Window2D g, int q0, int count, int c0, int panels, float* dst)
    {
        int c = g.Channels, run = g.KernelWidth * c;
        int* ky = stackalloc int[panels], kx = stackalloc int[panels], ci = stackalloc int[panels];
        for (int t = 0; t < panels; t++)
        {
            int j = c0 + (8 * t);
            ky[t] = j / run;
            kx[t] = (j - (ky[t] * run)) / c;
            ci[t] = j - (ky[t] * run) - (kx[t] * c);
        }

        int sample = q0 / g.OutputPixels, pixel = q0 - (sample * g.OutputPixels);
        int oy = pixel / g.OutputWidth, ox = pixel - (oy * g.OutputWidth);
        long panelStride = 8L * count;
        for (int p = 0; p < count; p++)
        {
            int y0 = (oy * g.StrideHeight) - g.PadTop, x0 = (ox * g.StrideWidth) - g.PadLeft;
            float* image = x + ((long)sample * g.InputSize);
            float* d = dst + (p * 8);
            for (int t = 0; t < panels; t++, d += panelStride)
            {
                int iy = y0 + ky[t], ix = x0 + kx[t];
                Vector256<float> v = (uint)iy < (uint)g.Height && (uint)ix < (uint)g.Width
                    ? Vector256.Load(image + ((((long)iy * g.Width) + ix) * c) + ci[t])
                    : Vector256<float>.Zero;
                v.Store(d);
            }

            if (++ox == g.OutputWidth)
            {
                ox = 0;
                if (++oy == g.OutputHeight)
                {
                    oy = 0;
                    sample++;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* src, float* dst, int length)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= length - 8; j += 8)
            {
                Vector256.Store(Vector256.Load(src + j), dst + j);
            }
        }

        for (; j < length; j++)
        {
            dst[j] = src[j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Zero(float* dst, int length)
    {
        for (int j = 0; j < length; j++)
        {
            dst[j] = 0f;
        }
    }

    /// <summary>
    /// Max pooling, vectorized across channels: <c>y = max</c> over the window's positions inside the input and
    /// <paramref name="argmax"/> = the flat input index of the first (row-major) maximum, exactly as
    /// <see cref="PoolingOps.MaxForward{T}"/>.
    /// </summary>
    public static void MaxPoolForward(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int r0, int r1, in Window2D g)
    {
        if (Vector256.IsHardwareAccelerated && g.Channels % 8 == 0 && g.KernelHeight == 2 && g.KernelWidth == 2 && g.StrideHeight == 2 && g.StrideWidth == 2
            && g.PadTop == 0 && g.PadLeft == 0 && 2 * g.OutputHeight <= g.Height && 2 * g.OutputWidth <= g.Width
            && x.Length >= r1 * g.InputSize && y.Length >= r1 * g.OutputPixels * g.Channels && argmax.Length >= r1 * g.OutputPixels * g.Channels)
        {
            fixed (float* px = x, py = y)
            fixed (int* pa = argmax)
            {
                MaxPool2x2(px, py, pa, r0, r1, g);
            }
            return;
        }
        int c = g.Channels, width = Vector<int>.Count;
        if (!Vector.IsHardwareAccelerated || c < width)
        {
            int o = r0 * g.OutputPixels * c;
            PoolingOps.MaxForward(x[(r0 * g.InputSize)..], y[o..], argmax[o..], r1 - r0, g);
            for (int j = o, end = r1 * g.OutputPixels * c; j < end; j++)
            {
                argmax[j] += r0 * g.InputSize;
            }
            return;
        }
        Span<int> lanes = stackalloc int[width];
        for (int i = 0; i < width; i++)
        {
            lanes[i] = i;
        }
        var lane = new Vector<int>(lanes);
        for (int r = r0; r < r1; r++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                int y0 = (oy * g.StrideHeight) - g.PadTop, ya = Math.Max(y0, 0), yb = Math.Min(y0 + g.KernelHeight, g.Height);
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    int x0 = (ox * g.StrideWidth) - g.PadLeft, xa = Math.Max(x0, 0), xb = Math.Min(x0 + g.KernelWidth, g.Width);
                    int o = (((r * g.OutputHeight) + oy) * g.OutputWidth + ox) * c;
                    int first = ((((r * g.Height) + ya) * g.Width) + xa) * c;
                    int ci = 0;
                    for (; ci <= c - width; ci += width)
                    {
                        var best = new Vector<float>(x[(first + ci)..]);
                        var at = new Vector<int>(first + ci) + lane;
                        for (int iy = ya; iy < yb; iy++)
                        {
                            for (int ix = iy == ya ? xa + 1 : xa; ix < xb; ix++)
                            {
                                int i = ((((r * g.Height) + iy) * g.Width) + ix) * c + ci;
                                var v = new Vector<float>(x[i..]);
                                Vector<int> greater = Vector.GreaterThan(v, best);
                                best = Vector.ConditionalSelect(greater, v, best);
                                at = Vector.ConditionalSelect(greater, new Vector<int>(i) + lane, at);
                            }
                        }
                        best.CopyTo(y[(o + ci)..]);
                        at.CopyTo(argmax[(o + ci)..]);
                    }
                    for (; ci < c; ci++)
                    {
                        float best = x[first + ci];
                        int at = first + ci;
                        for (int iy = ya; iy < yb; iy++)
                        {
                            for (int ix = iy == ya ? xa + 1 : xa; ix < xb; ix++)
                            {
                                int i = ((((r * g.Height) + iy) * g.Width) + ix) * c + ci;
                                if (x[i] > best)
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

    /// <summary>
    /// 2×2 windows, stride 2, all inside the input, channels a multiple of 8: the four positions compared in the order of
    /// the general loop (strict <c>&gt;</c>, so the first maximum in row-major order wins), 8 channels at a time.
    /// </summary>
    private static void MaxPool2x2(float* x, float* y, int* argmax, int r0, int r1, in Window2D g)
    {
        int c = g.Channels, rowStride = g.Width * c;
        Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        for (int r = r0; r < r1; r++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                int o = ((r * g.OutputHeight) + oy) * g.OutputWidth * c;
                int line = ((r * g.Height) + (2 * oy)) * rowStride;
                for (int ox = 0; ox < g.OutputWidth; ox++, o += c)
                {
                    int i00 = line + (2 * ox * c);
                    for (int ci = 0; ci < c; ci += 8)
                    {
                        int i = i00 + ci;
                        Vector256<float> best = Vector256.Load(x + i);
                        Vector256<int> at = Vector256.Create(i) + lane;
                        Step(x, i + c, lane, ref best, ref at);
                        Step(x, i + rowStride, lane, ref best, ref at);
                        Step(x, i + rowStride + c, lane, ref best, ref at);
                        best.Store(y + o + ci);
                        at.Store(argmax + o + ci);
                    }
                }
            }
        }

        static void Step(float* x, int i, Vector256<int> lane, ref Vector256<float> best, ref Vector256<int> at)
        {
            Vector256<float> v = Vector256.Load(x + i);
            Vector256<float> greater = Vector256.GreaterThan(v, best);
            best = Vector256.ConditionalSelect(greater, v, best);
            at = Vector256.ConditionalSelect(greater.AsInt32(), Vector256.Create(i) + lane, at);
        }
    }

    /// <summary>
    /// Backward of <see cref="MaxPool2x2"/> when the windows tile the input exactly: every input position gets
    /// <c>0 + dy</c> where it is its window's argmax and 0 elsewhere, written once (no clearing pass, no scatter) —
    /// the values the general clear-then-add loop leaves.
    /// </summary>
    private static void MaxPool2x2Backward(float* dy, int* argmax, float* dx, int r0, int r1, in Window2D g)
    {
        int c = g.Channels, rowStride = g.Width * c;
        Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        for (int r = r0; r < r1; r++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                int o = ((r * g.OutputHeight) + oy) * g.OutputWidth * c;
                int line = ((r * g.Height) + (2 * oy)) * rowStride;
                for (int ox = 0; ox < g.OutputWidth; ox++, o += c)
                {
                    int i00 = line + (2 * ox * c);
                    for (int ci = 0; ci < c; ci += 8)
                    {
                        int i = i00 + ci;
                        Vector256<float> d = Vector256<float>.Zero + Vector256.Load(dy + o + ci);
                        Vector256<int> at = Vector256.Load(argmax + o + ci);
                        Put(dx, i, at, d, lane);
                        Put(dx, i + c, at, d, lane);
                        Put(dx, i + rowStride, at, d, lane);
                        Put(dx, i + rowStride + c, at, d, lane);
                    }
                }
            }
        }

        static void Put(float* dx, int i, Vector256<int> at, Vector256<float> d, Vector256<int> lane) =>
            Vector256.ConditionalSelect(Vector256.Equals(at, Vector256.Create(i) + lane).AsSingle(), d, Vector256<float>.Zero).Store(dx + i);
    }

    /// <summary>
    /// im2col as <see cref="Conv2DOps.Im2Col{T}"/> (same result), one copy per kernel row: the kw·c values a window
    /// row reads are contiguous in the input and in the column row; only the parts in the padding are zeroed.
    /// </summary>
    public static void Im2Col(ReadOnlySpan<float> x, Span<float> columns, int r0, int r1, in Window2D g)
    {
        int c = g.Channels, patch = g.PatchSize, kw = g.KernelWidth;
        if (kw * c <= 8)
        {
            Im2ColNarrow(x, columns, r0, r1, g);
            return;
        }
        for (int r = r0; r < r1; r++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    Span<float> row = columns.Slice((((r * g.OutputHeight) + oy) * g.OutputWidth + ox) * patch, patch);
                    int ix0 = (ox * g.StrideWidth) - g.PadLeft, ka = Math.Max(0, -ix0), kb = Math.Min(kw, g.Width - ix0);
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        int iy = (oy * g.StrideHeight) - g.PadTop + ky;
                        Span<float> dst = row.Slice(ky * kw * c, kw * c);
                        if (iy < 0 || iy >= g.Height || ka >= kb)
                        {
                            dst.Clear();
                            continue;
                        }
                        dst[..(ka * c)].Clear();
                        x.Slice((((r * g.Height) + iy) * g.Width + ix0 + ka) * c, (kb - ka) * c).CopyTo(dst[(ka * c)..]);
                        dst[(kb * c)..].Clear();
                    }
                }
            }
        }
    }

    /// <summary>im2col for narrow kernel rows (kw·c ≤ 8, e.g. a 3×3 kernel on one channel): element by element, no slicing.</summary>
    private static void Im2ColNarrow(ReadOnlySpan<float> x, Span<float> columns, int r0, int r1, in Window2D g)
    {
        int c = g.Channels, kw = g.KernelWidth, rowLength = kw * c;
        int o = r0 * g.OutputPixels * g.PatchSize;
        for (int r = r0; r < r1; r++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    int ix0 = (ox * g.StrideWidth) - g.PadLeft;
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        int iy = (oy * g.StrideHeight) - g.PadTop + ky;
                        if (iy < 0 || iy >= g.Height)
                        {
                            columns.Slice(o, rowLength).Clear();
                            o += rowLength;
                            continue;
                        }
                        int line = ((r * g.Height) + iy) * g.Width;
                        for (int kx = 0; kx < kw; kx++)
                        {
                            int ix = ix0 + kx;
                            bool inside = ix >= 0 && ix < g.Width;
                            for (int ci = 0; ci < c; ci++)
                            {
                                columns[o++] = inside ? x[((line + ix) * c) + ci] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// col2im as <see cref="Conv2DOps.Col2Im{T}"/> (bit-identical: every input position receives its terms in the same
    /// order), one vectorized add per kernel row over the kw·c contiguous values inside the input.
    /// <paramref name="columns"/> starts at the im2col rows of sample <paramref name="firstSample"/> (0: the whole batch).
    /// </summary>
    public static void Col2Im(ReadOnlySpan<float> columns, Span<float> dx, int r0, int r1, in Window2D g, int firstSample = 0)
    {
        int c = g.Channels, patch = g.PatchSize, kw = g.KernelWidth;
        dx[(r0 * g.InputSize)..(r1 * g.InputSize)].Clear();
        for (int r = r0; r < r1; r++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    ReadOnlySpan<float> row = columns.Slice(((((r - firstSample) * g.OutputHeight) + oy) * g.OutputWidth + ox) * patch, patch);
                    int ix0 = (ox * g.StrideWidth) - g.PadLeft, ka = Math.Max(0, -ix0), kb = Math.Min(kw, g.Width - ix0);
                    if (ka >= kb)
                    {
                        continue;
                    }
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        int iy = (oy * g.StrideHeight) - g.PadTop + ky;
                        if (iy < 0 || iy >= g.Height)
                        {
                            continue;
                        }
                        Span<float> dst = dx.Slice((((r * g.Height) + iy) * g.Width + ix0 + ka) * c, (kb - ka) * c);
                        TensorPrimitives.Add(dst, row.Slice(((ky * kw) + ka) * c, (kb - ka) * c), dst);
                    }
                }
            }
        }
    }

    /// <summary>Max-pooling backward on samples [r0, r1): their input gradient is cleared, then <c>dx[argmax[j]] += dy[j]</c> for their outputs.</summary>
    public static void MaxPoolBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, int r0, int r1, in Window2D g)
    {
        if (Vector256.IsHardwareAccelerated && g.Channels % 8 == 0 && g.KernelHeight == 2 && g.KernelWidth == 2 && g.StrideHeight == 2 && g.StrideWidth == 2
            && g.PadTop == 0 && g.PadLeft == 0 && 2 * g.OutputHeight == g.Height && 2 * g.OutputWidth == g.Width
            && dx.Length >= r1 * g.InputSize && dy.Length >= r1 * g.OutputPixels * g.Channels && argmax.Length >= r1 * g.OutputPixels * g.Channels)
        {
            fixed (float* pd = dy, px = dx)
            fixed (int* pa = argmax)
            {
                MaxPool2x2Backward(pd, pa, px, r0, r1, g);
            }
            return;
        }
        dx[(r0 * g.InputSize)..(r1 * g.InputSize)].Clear();
        int outputs = g.OutputPixels * g.Channels;
        for (int j = r0 * outputs, end = r1 * outputs; j < end; j++)
        {
            dx[argmax[j]] += dy[j];
        }
    }
}
