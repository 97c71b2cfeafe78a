using FuncReg.Kernels;

namespace FuncReg;

/// <summary>
/// Conv2D as a GEMM: the dense forward pass on the im2col matrix [n·oh·ow, kh·kw·cin] of the batch
/// (<see cref="DenseKernels.Forward"/>: NN GEMM with bias + activation in the epilogue, output [n·oh·ow, filters] = the
/// NHWC output), whose rows the GEMM builds from the images block by block while packing. Backward: <c>dz = dy·f′(z)</c>,
/// <c>dK = colsᵀ·dz</c> (TN GEMM, the columns again built while packing), <c>db = Σ dz</c>, then
/// <c>dx = col2im(dz·Kᵀ)</c> a few samples at a time (<see cref="ConvInputGradient"/>).
/// A 1×1 kernel with stride 1 reads the input in place (im2col would copy it).
/// </summary>
internal sealed unsafe class ConvStep : CompiledStep
{
    private ConvInputGradient? inputGradient;
    private readonly Window2D g;
    private readonly Conv2D spec;
    private readonly FusedParameter kernel;
    private readonly FusedParameter? bias;
    private readonly float alpha;
    private readonly Regularizer? activity;
    private readonly bool pointwise;
    private float[] z = [], dz = [], activityGradient = [];

    public ConvStep(Window2D window, Conv2D spec, FusedParameter kernel, FusedParameter? bias)
        : base(window.InputSize, window.OutputPixels * spec.Filters)
    {
        g = window;
        this.spec = spec;
        this.kernel = kernel;
        this.bias = bias;
        alpha = (float)spec.EffectiveAlpha;
        activity = spec.ActivityRegularizer is { IsZero: false } r ? r : null;
        pointwise = g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideHeight == 1 && g.StrideWidth == 1;
    }

    public Regularizer? Activity => activity;

    public override float[]? PreActivation => z;

    public override void Resize(int capacity)
    {
        base.Resize(capacity);
        inputGradient = pointwise ? null : new ConvInputGradient(g, spec.Filters, Environment.ProcessorCount);
        // a linear conv (as before batch norm) writes its output in place: the epilogue allows y = C when unmasked
        z = spec.Activation == Activation.Linear && activity is null ? Output : new float[capacity * Outputs];
        dz = new float[capacity * Outputs];
        activityGradient = activity is null ? [] : new float[capacity * Outputs];
    }

    public override void Forward(ReadOnlySpan<float> x, int n, bool training, long seed, long step, GemmContext gemm)
    {
        int rows = n * g.OutputPixels;
        // the GEMM reads the im2col rows of x block by block (no column buffer) unless the kernel is pointwise
        DenseKernels.Forward(gemm, x[..(n * Inputs)], kernel.Values, bias?.Values, z, null, Output, null, spec.Activation, alpha, rows, g.PatchSize, spec.Filters, pointwise ? null : g);
    }

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm)
    {
        int rows = n * g.OutputPixels, size = n * Outputs;
        if (activity is not null)
        {
            Span<float> d = activityGradient.AsSpan(0, size);
            dy[..size].CopyTo(d);
            activity.AddGradient<float>(Output.AsSpan(0, size), d, 1.0 / n);
            dy = d;
        }
        DenseKernels.Backward(gemm, x[..(n * Inputs)], kernel.Values, kernel.Gradient, bias?.Gradient, z, null, Output, null, dy, dz, needInputGradient && pointwise ? InputGradient : null, spec.Activation, alpha, null, FusedOutput, rows, g.PatchSize, spec.Filters, pointwise ? null : g);
        if (needInputGradient && !pointwise)
        {
            // dx = col2im(dz·Kᵀ) a few samples at a time, the column gradient kept in cache
            inputGradient!.Run(gemm, dz, kernel.Values, InputGradient, n);
        }
    }
}

/// <summary>MaxPooling2D (the argmax of each window kept for the backward pass) or AveragePooling2D.</summary>
internal sealed unsafe class PoolingStep : CompiledStep
{
    private readonly Window2D g;
    private readonly bool max;
    private readonly Action<int, int> forward, backward;
    private int[] argmax = [];
    private float* source;
    private int samples;

    public PoolingStep(Window2D g, bool max)
        : base(g.InputSize, g.OutputPixels * g.Channels)
    {
        this.g = g;
        this.max = max;
        forward = (part, parts) =>
        {
            (int r0, int r1) = GemmContext.Share(part, parts, samples);
            ImageKernels.MaxPoolForward(new ReadOnlySpan<float>(source, samples * Inputs), Output, argmax, r0, r1, this.g);
        };
        backward = (part, parts) =>
        {
            (int r0, int r1) = GemmContext.Share(part, parts, samples);
            ImageKernels.MaxPoolBackward(new ReadOnlySpan<float>(source, samples * Outputs), argmax, InputGradient, r0, r1, this.g);
        };
    }

    public override void Resize(int capacity)
    {
        base.Resize(capacity);
        argmax = max ? new int[capacity * Outputs] : [];
    }

    public override void Forward(ReadOnlySpan<float> x, int n, bool training, long seed, long step, GemmContext gemm)
    {
        if (max)
        {
            fixed (float* p = x)
            {
                source = p;
                samples = n;
                gemm.For(forward);
                source = null;
            }
        }
        else
        {
            PoolingOps.AverageForward(x, Output, n, g);
        }
    }

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm)
    {
        if (max)
        {
            fixed (float* p = dy)
            {
                source = p;
                samples = n;
                gemm.For(backward);
                source = null;
            }
        }
        else
        {
            PoolingOps.AverageBackward(dy, InputGradient, n, g);
        }
    }
}

/// <summary>GlobalAveragePooling2D: [h, w, c] → [c].</summary>
internal sealed class GlobalAveragePoolingStep : CompiledStep
{
    private readonly int positions, channels;

    public GlobalAveragePoolingStep(int positions, int channels)
        : base(positions * channels, channels)
    {
        this.positions = positions;
        this.channels = channels;
    }

    public override void Forward(ReadOnlySpan<float> x, int n, bool training, long seed, long step, GemmContext gemm) =>
        PoolingOps.GlobalAverageForward(x, Output, n, positions, channels);

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm) =>
        PoolingOps.GlobalAverageBackward(dy, InputGradient, n, positions, channels);
}

/// <summary>SpatialDropout2D: one mask entry per (sample, channel) from the layer's stream, identity at inference.</summary>
internal sealed class SpatialDropoutStep : CompiledStep
{
    private readonly int positions, channels, layerIndex;
    private readonly SpatialDropout2D spec;
    private float[] mask = [];
    private bool active;

    public SpatialDropoutStep(int positions, int channels, SpatialDropout2D spec, int layerIndex)
        : base(positions * channels, positions * channels)
    {
        this.positions = positions;
        this.channels = channels;
        this.spec = spec;
        this.layerIndex = layerIndex;
    }

    public override void Resize(int capacity)
    {
        base.Resize(capacity);
        mask = new float[capacity * channels];
    }

    public override void Forward(ReadOnlySpan<float> x, int n, bool training, long seed, long step, GemmContext gemm)
    {
        active = training;
        if (!training)
        {
            x[..(n * Inputs)].CopyTo(Output);
            return;
        }
        Span<float> m = mask.AsSpan(0, n * channels);
        NoiseOps.DropoutMask(spec.Rate, CounterRandom.Key(seed, RandomStreams.Layer(layerIndex), step), m);
        PoolingOps.ChannelMask<float>(x, m, Output, n, positions, channels);
    }

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm)
    {
        if (!active)
        {
            dy[..(n * Inputs)].CopyTo(InputGradient);
            return;
        }
        PoolingOps.ChannelMask<float>(dy, mask.AsSpan(0, n * channels), InputGradient, n, positions, channels);
    }
}
