using System.Numerics;

namespace FuncReg.Kernels;

/// <summary>
/// Batch normalization of channels-last data over all its rows (n·h·w positions of `channels` values), as
/// <see cref="NormalizationOps.BatchForwardTraining{T}"/> and <see cref="NormalizationOps.BatchBackwardTraining{T}"/>,
/// vectorized across channels and split over the GEMM threads. Sums are taken per block of <see cref="Block"/> rows
/// in float, then added block by block in double on one thread: a fixed order, so results do not depend on the
/// thread count. Buffers for up to <c>rows</c> rows are allocated once; steady-state passes allocate nothing.
/// </summary>
public sealed unsafe class ChannelBatchNorm
{
    /// <summary>Rows of one partial sum.</summary>
    public const int Block = 64;

    private readonly int channels;
    private readonly float[] partialsA, partialsB, p, q, constant, center;
    private readonly double[] totalA, totalB;
    private readonly Action<int, int> sumsPass, normalizePass, gradientSumsPass, gradientPass;

    // Operands of the pass in flight (pinned by the caller for its duration).
    private float* x, xhat, y, dy, dx, gamma, beta, mean, invStd, activated;
    private int rows;
    private bool squares, relu;

    public ChannelBatchNorm(int channels, int maxRows)
    {
        this.channels = channels;
        int blocks = (maxRows + Block - 1) / Block;
        partialsA = new float[blocks * channels];
        partialsB = new float[blocks * channels];
        p = new float[channels];
        q = new float[channels];
        constant = new float[channels];
        center = new float[channels];
        totalA = new double[channels];
        totalB = new double[channels];
        sumsPass = SumsPass;
        normalizePass = NormalizePass;
        gradientSumsPass = GradientSumsPass;
        gradientPass = GradientPass;
    }

    /// <summary>
    /// Training forward: mean, biased variance (two passes), <c>x̂ = (x − m)·invStd</c>, <c>y = γ·x̂ + β</c>; with
    /// <paramref name="relu"/>, <paramref name="output"/> receives <c>relu(y)</c> instead (a ReLU layer after the batch
    /// norm fused into its normalize pass, bit-identical to applying it separately).
    /// </summary>
    public void Forward(GemmContext context, ReadOnlySpan<float> input, ReadOnlySpan<float> g, ReadOnlySpan<float> b, double epsilon, Span<float> normalized, Span<float> output, Span<float> batchMean, Span<float> batchVariance, Span<float> batchInvStd, int n, bool relu = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        int size = n * channels;
        if (input.Length < size || normalized.Length < size || output.Length < size)
        {
            throw new ArgumentException($"the batch norm buffers must hold {n} rows of {channels} channels", nameof(output));
        }
        int blocks = (n + Block - 1) / Block;
        fixed (float* px = input, ph = normalized, py = output, pg = g, pb = b, pm = batchMean, pi = batchInvStd)
        {
            x = px;
            xhat = ph;
            y = py;
            gamma = pg;
            beta = pb;
            mean = pm;
            invStd = pi;
            rows = n;
            this.relu = relu;
            try
            {
                squares = false;
                context.For(sumsPass);
                Reduce(partialsA, blocks, totalA);
                for (int c = 0; c < channels; c++)
                {
                    batchMean[c] = (float)(totalA[c] / n);
                    center[c] = batchMean[c];
                }
                squares = true;
                context.For(sumsPass);
                Reduce(partialsA, blocks, totalA);
                for (int c = 0; c < channels; c++)
                {
                    float v = (float)(totalA[c] / n);
                    batchVariance[c] = v;
                    batchInvStd[c] = 1f / MathF.Sqrt(v + (float)epsilon);
                }
                context.For(normalizePass);
            }
            finally
            {
                x = xhat = y = gamma = beta = mean = invStd = null;
                this.relu = false;
            }
        }
    }

    /// <summary>
    /// Training backward: <c>dx = invStd/N·(N·γ·dy − γ·Σdy − x̂·γ·Σ(dy·x̂))</c>, <c>dγ += Σ dy·x̂</c>, <c>dβ += Σ dy</c>
    /// (either may be empty). With <paramref name="reluOutput"/> (the output of a fused ReLU, see <see cref="Forward"/>),
    /// <paramref name="outputGradient"/> is the ReLU's and the batch norm's own is <c>dy·[relu(y) &gt; 0]</c>, applied in
    /// both passes instead of a separate one (bit-identical).
    /// </summary>
    public void Backward(GemmContext context, ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> normalized, ReadOnlySpan<float> g, ReadOnlySpan<float> batchInvStd, Span<float> inputGradient, Span<float> dgamma, Span<float> dbeta, int n, ReadOnlySpan<float> reluOutput = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        int size = n * channels;
        if (outputGradient.Length < size || normalized.Length < size || inputGradient.Length < size || (!reluOutput.IsEmpty && reluOutput.Length < size))
        {
            throw new ArgumentException($"the batch norm buffers must hold {n} rows of {channels} channels", nameof(inputGradient));
        }
        int blocks = (n + Block - 1) / Block;
        fixed (float* pd = outputGradient, ph = normalized, po = inputGradient, pa = reluOutput)
        {
            dy = pd;
            xhat = ph;
            dx = po;
            activated = pa;
            rows = n;
            try
            {
                context.For(gradientSumsPass);
                Reduce(partialsA, blocks, totalA);
                Reduce(partialsB, blocks, totalB);
                for (int c = 0; c < channels; c++)
                {
                    if (!dgamma.IsEmpty)
                    {
                        dgamma[c] += (float)totalB[c];
                    }
                    if (!dbeta.IsEmpty)
                    {
                        dbeta[c] += (float)totalA[c];
                    }
                    float gc = g[c], scale = batchInvStd[c] / n;
                    p[c] = scale * n * gc;
                    q[c] = -scale * (gc * (float)totalB[c]);
                    constant[c] = -scale * (gc * (float)totalA[c]);
                }
                context.For(gradientPass);
            }
            finally
            {
                dy = xhat = dx = activated = null;
            }
        }
    }

    /// <summary>Row r of the fused ReLU's output, or empty when no ReLU is fused.</summary>
    private ReadOnlySpan<float> Activated(int r) => activated is null ? default : new ReadOnlySpan<float>(activated + ((long)r * channels), channels);

    private void Reduce(float[] partials, int blocks, double[] total)
    {
        Array.Clear(total);
        for (int b = 0; b < blocks; b++)
        {
            for (int c = 0; c < channels; c++)
            {
                total[c] += partials[(b * channels) + c];
            }
        }
    }

    private void SumsPass(int part, int parts)
    {
        int blocks = (rows + Block - 1) / Block;
        (int b0, int b1) = GemmContext.Share(part, parts, blocks);
        var input = new ReadOnlySpan<float>(x, rows * channels);
        for (int b = b0; b < b1; b++)
        {
            Span<float> acc = partialsA.AsSpan(b * channels, channels);
            acc.Clear();
            for (int r = b * Block, end = Math.Min(rows, r + Block); r < end; r++)
            {
                ReadOnlySpan<float> xr = input.Slice(r * channels, channels);
                int c = 0;
                if (Vector.IsHardwareAccelerated)
                {
                    for (; c <= channels - Vector<float>.Count; c += Vector<float>.Count)
                    {
                        var v = new Vector<float>(xr[c..]);
                        if (squares)
                        {
                            v -= new Vector<float>(center.AsSpan(c));
                            v *= v;
                        }
                        (new Vector<float>(acc[c..]) + v).CopyTo(acc[c..]);
                    }
                }
                for (; c < channels; c++)
                {
                    float v = squares ? xr[c] - center[c] : xr[c];
                    acc[c] += squares ? v * v : v;
                }
            }
        }
    }

    private void NormalizePass(int part, int parts)
    {
        (int r0, int r1) = GemmContext.Share(part, parts, rows);
        var m = new ReadOnlySpan<float>(mean, channels);
        var inv = new ReadOnlySpan<float>(invStd, channels);
        var g = new ReadOnlySpan<float>(gamma, channels);
        var b = new ReadOnlySpan<float>(beta, channels);
        for (int r = r0; r < r1; r++)
        {
            var xr = new ReadOnlySpan<float>(x + ((long)r * channels), channels);
            var hr = new Span<float>(xhat + ((long)r * channels), channels);
            var yr = new Span<float>(y + ((long)r * channels), channels);
            int c = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; c <= channels - Vector<float>.Count; c += Vector<float>.Count)
                {
                    var h = (new Vector<float>(xr[c..]) - new Vector<float>(m[c..])) * new Vector<float>(inv[c..]);
                    h.CopyTo(hr[c..]);
                    var v = (new Vector<float>(g[c..]) * h) + new Vector<float>(b[c..]);
                    if (relu)
                    {
                        v = Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v, Vector<float>.Zero);
                    }
                    v.CopyTo(yr[c..]);
                }
            }
            for (; c < channels; c++)
            {
                float h = (xr[c] - m[c]) * inv[c];
                hr[c] = h;
                float v = (g[c] * h) + b[c];
                yr[c] = relu ? (v > 0 ? v : 0f) : v;
            }
        }
    }

    private void GradientSumsPass(int part, int parts)
    {
        int blocks = (rows + Block - 1) / Block;
        (int b0, int b1) = GemmContext.Share(part, parts, blocks);
        for (int bl = b0; bl < b1; bl++)
        {
            Span<float> a = partialsA.AsSpan(bl * channels, channels), b = partialsB.AsSpan(bl * channels, channels);
            a.Clear();
            b.Clear();
            for (int r = bl * Block, end = Math.Min(rows, r + Block); r < end; r++)
            {
                var d = new ReadOnlySpan<float>(dy + ((long)r * channels), channels);
                var h = new ReadOnlySpan<float>(xhat + ((long)r * channels), channels);
                ReadOnlySpan<float> on = Activated(r);
                int c = 0;
                if (Vector.IsHardwareAccelerated)
                {
                    for (; c <= channels - Vector<float>.Count; c += Vector<float>.Count)
                    {
                        var dv = new Vector<float>(d[c..]);
                        if (!on.IsEmpty)
                        {
                            dv = Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(on[c..]), Vector<float>.Zero), dv, Vector<float>.Zero);
                        }
                        (new Vector<float>(a[c..]) + dv).CopyTo(a[c..]);
                        (new Vector<float>(b[c..]) + (dv * new Vector<float>(h[c..]))).CopyTo(b[c..]);
                    }
                }
                for (; c < channels; c++)
                {
                    float dc = on.IsEmpty || on[c] > 0 ? d[c] : 0f;
                    a[c] += dc;
                    b[c] += dc * h[c];
                }
            }
        }
    }

    private void GradientPass(int part, int parts)
    {
        (int r0, int r1) = GemmContext.Share(part, parts, rows);
        for (int r = r0; r < r1; r++)
        {
            var d = new ReadOnlySpan<float>(dy + ((long)r * channels), channels);
            var h = new ReadOnlySpan<float>(xhat + ((long)r * channels), channels);
            var o = new Span<float>(dx + ((long)r * channels), channels);
            ReadOnlySpan<float> on = Activated(r);
            int c = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; c <= channels - Vector<float>.Count; c += Vector<float>.Count)
                {
                    var dv = new Vector<float>(d[c..]);
                    if (!on.IsEmpty)
                    {
                        dv = Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(on[c..]), Vector<float>.Zero), dv, Vector<float>.Zero);
                    }
                    ((new Vector<float>(p.AsSpan(c)) * dv) + (new Vector<float>(q.AsSpan(c)) * new Vector<float>(h[c..])) + new Vector<float>(constant.AsSpan(c))).CopyTo(o[c..]);
                }
            }
            for (; c < channels; c++)
            {
                float dc = on.IsEmpty || on[c] > 0 ? d[c] : 0f;
                o[c] = (p[c] * dc) + (q[c] * h[c]) + constant[c];
            }
        }
    }
}
