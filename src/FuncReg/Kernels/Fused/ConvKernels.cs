namespace FuncReg.Kernels;

/// <summary>
/// The fused passes of the image layers (<see cref="Conv2D"/>, <see cref="MaxPooling2D"/>, <see cref="AveragePooling2D"/>,
/// <see cref="GlobalAveragePooling2D"/>, <see cref="SpatialDropout2D"/>), called by the compiled engine's steps and by
/// generated models. Data is channels last (NHWC) and row-major: a batch of n samples of a window's input is
/// [n, h, w, c], its output [n, oh, ow, c] (or [n, oh, ow, filters]). Buffers are at least n samples long.
/// Passes that run split over the GEMM threads (the input gradient, max pooling) take the layer's
/// <see cref="ConvWorkspace"/>; every split is by whole samples, so results do not depend on the thread count.
/// </summary>
public static class ConvKernels
{
    /// <summary>
    /// Whether a convolution reads its input in place instead of through im2col: a 1×1 kernel with stride 1 (its
    /// im2col matrix [n·h·w, c] is the input itself).
    /// </summary>
    public static bool IsPointwise(in Window2D g) => g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideHeight == 1 && g.StrideWidth == 1;

    /// <summary>
    /// Conv2D forward as a GEMM: the dense forward pass on the im2col matrix [n·oh·ow, kh·kw·cin] of the batch
    /// (<see cref="DenseKernels.Forward"/>: one NN GEMM with <c>z = cols·K + b</c> and <c>y = f(z)</c> written by its
    /// epilogue), whose [n·oh·ow, filters] output is the NHWC output. The GEMM builds the im2col rows from the images block
    /// by block while packing, so the column matrix is never materialized; a pointwise kernel reads x in place.
    /// <paramref name="z"/> may be <paramref name="y"/> for a linear activation (the epilogue writes y = z in place).
    /// </summary>
    public static void Conv2DForward(GemmContext context, ConvWorkspace workspace, ReadOnlySpan<float> x, float[] kernel, float[]? bias, float[] z, float[] y, Activation activation, float alpha, int n)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        Window2D g = workspace.Window;
        int rows = n * g.OutputPixels;
        DenseKernels.Forward(context, x[..(n * g.InputSize)], kernel, bias, z, null, y, null, activation, alpha, rows, g.PatchSize, workspace.Filters, IsPointwise(g) ? null : g);
    }

    /// <summary>
    /// Backward of <see cref="Conv2DForward"/>: the activity penalty's gradient <c>∂(Ω(y)/n)/∂y</c> added to dy first (into
    /// <paramref name="activityGradient"/>, needed when <paramref name="activity"/> is given); then <c>dz = dy·f′(z)</c> (or
    /// <c>dz = dy</c> when <paramref name="fromLogits"/>; when f is linear dy is used in place and <paramref name="dz"/> is not
    /// written), <c>dK = colsᵀ·dz</c> (TN GEMM, the im2col rows again built
    /// while packing), <c>db = Σ dz</c> and, when <paramref name="dx"/> is given, <c>dx = col2im(dz·Kᵀ)</c> computed a few
    /// samples at a time in a per-thread, cache-sized scratch of the workspace (bit-identical for any thread count).
    /// </summary>
    public static void Conv2DBackward(GemmContext context, ConvWorkspace workspace, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, float[] kernel, float[] kernelGradient, float[]? biasGradient, float[] z, float[] y, float[] dz, float[]? dx, float[]? activityGradient, Regularizer? activity, Activation activation, float alpha, bool fromLogits, int n)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(context);
        Window2D g = workspace.Window;
        int filters = workspace.Filters;
        bool pointwise = IsPointwise(g);
        int rows = n * g.OutputPixels, size = rows * filters;
        if (activity is not null)
        {
            ArgumentNullException.ThrowIfNull(activityGradient);
            Span<float> d = activityGradient.AsSpan(0, size);
            dy[..size].CopyTo(d);
            activity.AddGradient<float>(y.AsSpan(0, size), d, 1.0 / n);
            dy = d;
        }
        ReadOnlySpan<float> gradient = DenseKernels.Backward(context, x[..(n * g.InputSize)], kernel, kernelGradient, biasGradient, z, null, y, null, dy, dz, pointwise ? dx : null, activation, alpha, null, fromLogits, rows, g.PatchSize, filters, pointwise ? null : g, gradientInPlace: true);
        if (dx is not null && !pointwise)
        {
            workspace.InputGradient(context).Run(context, gradient, kernel, dx, n);
        }
    }

    /// <summary>
    /// MaxPooling2D forward, split over the threads by samples: <c>y = max</c> over each window's positions inside the
    /// input, and <paramref name="argmax"/> = the flat input index of the first (row-major) maximum, for the backward pass.
    /// </summary>
    public static void MaxPool2DForward(GemmContext context, ConvWorkspace workspace, ReadOnlySpan<float> x, float[] y, int[] argmax, int n)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        workspace.MaxPoolForward(context, x, y, argmax, n);
    }

    /// <summary>MaxPooling2D backward, split over the threads by samples: dx is cleared, then <c>dx[argmax[j]] += dy[j]</c>.</summary>
    public static void MaxPool2DBackward(GemmContext context, ConvWorkspace workspace, ReadOnlySpan<float> dy, int[] argmax, float[] dx, int n)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        workspace.MaxPoolBackward(context, dy, argmax, dx, n);
    }

    /// <summary>AveragePooling2D forward: <c>y</c> = the mean over each window's positions inside the input (padding not counted).</summary>
    public static void AveragePool2DForward(ReadOnlySpan<float> x, float[] y, int n, in Window2D g) => PoolingOps.AverageForward(x, y, n, g);

    /// <summary>AveragePooling2D backward: each output's gradient spread evenly over its window's positions inside the input.</summary>
    public static void AveragePool2DBackward(ReadOnlySpan<float> dy, float[] dx, int n, in Window2D g) => PoolingOps.AverageBackward(dy, dx, n, g);

    /// <summary>GlobalAveragePooling2D forward: [n, h·w, c] → [n, c], <c>y[r, c] = (1/(h·w))·Σ x[r, ·, c]</c>.</summary>
    public static void GlobalAveragePool2DForward(ReadOnlySpan<float> x, float[] y, int n, int positions, int channels) =>
        PoolingOps.GlobalAverageForward(x, y, n, positions, channels);

    /// <summary>GlobalAveragePooling2D backward: <c>dx[r, p, c] = dy[r, c]/(h·w)</c>.</summary>
    public static void GlobalAveragePool2DBackward(ReadOnlySpan<float> dy, float[] dx, int n, int positions, int channels) =>
        PoolingOps.GlobalAverageBackward(dy, dx, n, positions, channels);

    /// <summary>
    /// SpatialDropout2D forward. In training: one mask entry per (sample, channel), <c>m[r, c] = [u ≥ rate]/(1 − rate)</c>
    /// from the layer's random stream at this step (<see cref="NoiseOps.DropoutMask{T}"/> keyed by
    /// (seed, layer <paramref name="layerIndex"/>, step)), written to <paramref name="mask"/>, and <c>y = x·m[r, c]</c>;
    /// at inference <c>y = x</c>.
    /// </summary>
    public static void SpatialDropout2DForward(double rate, int layerIndex, long seed, long step, bool training, ReadOnlySpan<float> x, float[] mask, float[] y, int n, int positions, int channels)
    {
        if (!training)
        {
            x[..(n * positions * channels)].CopyTo(y);
            return;
        }
        Span<float> m = mask.AsSpan(0, n * channels);
        NoiseOps.DropoutMask(rate, CounterRandom.Key(seed, RandomStreams.Layer(layerIndex), step), m);
        PoolingOps.ChannelMask<float>(x, m, y, n, positions, channels);
    }

    /// <summary>Backward of <see cref="SpatialDropout2DForward"/>: <c>dx = dy·m[r, c]</c> after a training pass, <c>dx = dy</c> otherwise.</summary>
    public static void SpatialDropout2DBackward(bool training, ReadOnlySpan<float> dy, float[] mask, float[] dx, int n, int positions, int channels)
    {
        if (!training)
        {
            dy[..(n * positions * channels)].CopyTo(dx);
            return;
        }
        PoolingOps.ChannelMask<float>(dy, mask.AsSpan(0, n * channels), dx, n, positions, channels);
    }
}

/// <summary>
/// The per-layer state of the <see cref="ConvKernels"/> passes: the window, a convolution's per-thread scratch for its
/// input gradient (made by <see cref="Allocate"/>) and, for the passes that run split over the GEMM threads (max
/// pooling), the cached delegates and the operands of the pass in flight, so that a pass allocates nothing.
/// Create one per layer, once (the compiled engine's steps and generated models each hold theirs); a workspace serves
/// one pass at a time, as a <see cref="GemmContext"/> does.
/// </summary>
public sealed unsafe class ConvWorkspace
{
    private readonly Window2D g;
    private readonly Action<int, int> maxForward, maxBackward;
    private ConvInputGradient? inputGradient;

    // Operands of the pass in flight: the source pinned by the caller for its duration, the other buffers as arrays.
    private float* source;
    private int samples;
    private float[] target = [];
    private int[] argmax = [];

    /// <summary>
    /// A workspace for a layer whose window over its input is <paramref name="window"/>: a Conv2D with
    /// <paramref name="filters"/> ≥ 1 output channels, or a pooling layer (filters 0).
    /// </summary>
    public ConvWorkspace(Window2D window, int filters = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(filters);
        g = window;
        Filters = filters;
        maxForward = (part, parts) =>
        {
            (int r0, int r1) = GemmContext.Share(part, parts, samples);
            ImageKernels.MaxPoolForward(new ReadOnlySpan<float>(source, samples * g.InputSize), target, argmax, r0, r1, g);
        };
        maxBackward = (part, parts) =>
        {
            (int r0, int r1) = GemmContext.Share(part, parts, samples);
            ImageKernels.MaxPoolBackward(new ReadOnlySpan<float>(source, samples * g.OutputPixels * g.Channels), argmax, target, r0, r1, g);
        };
    }

    /// <summary>The layer's window: input [h, w, c], kernel or pool, strides, output and padding.</summary>
    public Window2D Window => g;

    /// <summary>Output channels of the convolution (0 for a pooling layer).</summary>
    public int Filters { get; }

    /// <summary>
    /// Prepares a convolution for batches of up to <paramref name="capacity"/> samples: the per-thread scratch of its input
    /// gradient (about <see cref="ConvInputGradient.BlockBytes"/> per thread, whatever the batch; none for pooling or a
    /// pointwise convolution). The forward pass and the kernel gradient need no buffer: the GEMM builds the im2col rows
    /// while packing.
    /// </summary>
    public void Allocate(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        inputGradient = Filters == 0 || ConvKernels.IsPointwise(g) ? null : new ConvInputGradient(g, Filters, Environment.ProcessorCount);
    }

    /// <summary>The input-gradient pass, remade (once) when <paramref name="context"/> has more threads than it was prepared for.</summary>
    internal ConvInputGradient InputGradient(GemmContext context)
    {
        if (inputGradient is null || inputGradient.Parts < context.ThreadCount)
        {
            inputGradient = new ConvInputGradient(g, Filters, Math.Max(context.ThreadCount, Environment.ProcessorCount));
        }
        return inputGradient;
    }

    internal void MaxPoolForward(GemmContext context, ReadOnlySpan<float> x, float[] y, int[] indices, int n)
    {
        target = y;
        argmax = indices;
        Run(context, maxForward, x, n);
    }

    internal void MaxPoolBackward(GemmContext context, ReadOnlySpan<float> dy, int[] indices, float[] dx, int n)
    {
        target = dx;
        argmax = indices;
        Run(context, maxBackward, dy, n);
    }

    /// <summary>Pins <paramref name="input"/> as the source of <paramref name="pass"/> and runs it on the threads; clears the operands after.</summary>
    private void Run(GemmContext context, Action<int, int> pass, ReadOnlySpan<float> input, int n)
    {
        fixed (float* p = input)
        {
            source = p;
            samples = n;
            try
            {
                context.For(pass);
            }
            finally
            {
                source = null;
                target = [];
                argmax = [];
            }
        }
    }
}
