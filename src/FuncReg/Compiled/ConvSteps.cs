using FuncReg.Kernels;

namespace FuncReg;

/// <summary>
/// Conv2D as a GEMM on the im2col matrix [n·oh·ow, kh·kw·cin] of the batch, never materialized: the dense forward
/// pass on it (<see cref="DenseKernels.Forward"/>: NN GEMM with bias + activation in the epilogue, output
/// [n·oh·ow, filters] = the NHWC output). Backward: <c>dz = dy·f′(z)</c>, <c>dK = colsᵀ·dz</c> (TN GEMM),
/// <c>db = Σ dz</c>, <c>dx = col2im(dz·Kᵀ)</c> a few samples at a time; the GEMMs build the im2col rows while packing.
/// A 1×1 kernel with stride 1 reads the input in place (im2col would copy it). The passes are <see cref="ConvKernels"/>.
/// </summary>
internal sealed class ConvStep : CompiledStep
{
    private readonly Conv2D spec;
    private readonly FusedParameter kernel;
    private readonly FusedParameter? bias;
    private readonly float alpha;
    private readonly Regularizer? activity;
    private readonly ConvWorkspace workspace;
    private float[] z = [], dz = [], activityGradient = [];

    public ConvStep(Window2D window, Conv2D spec, FusedParameter kernel, FusedParameter? bias)
        : base(window.InputSize, window.OutputPixels * spec.Filters)
    {
        this.spec = spec;
        this.kernel = kernel;
        this.bias = bias;
        alpha = (float)spec.EffectiveAlpha;
        activity = spec.ActivityRegularizer is { IsZero: false } r ? r : null;
        workspace = new ConvWorkspace(window, spec.Filters);
    }

    public Regularizer? Activity => activity;

    public override float[]? PreActivation => z;

    public override void Resize(int capacity)
    {
        base.Resize(capacity);
        workspace.Allocate(capacity);
        // a linear conv (as before batch norm) writes its output in place: the epilogue allows y = C when unmasked
        z = spec.Activation == Activation.Linear && activity is null ? Output : new float[capacity * Outputs];
        dz = new float[capacity * Outputs];
        activityGradient = activity is null ? [] : new float[capacity * Outputs];
    }

    public override void Forward(ReadOnlySpan<float> x, int n, bool training, long seed, long step, GemmContext gemm) =>
        ConvKernels.Conv2DForward(gemm, workspace, x, kernel.Values, bias?.Values, z, Output, spec.Activation, alpha, n);

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm) =>
        ConvKernels.Conv2DBackward(gemm, workspace, x, dy, kernel.Values, kernel.Gradient, bias?.Gradient, z, Output, dz, needInputGradient ? InputGradient : null, activityGradient, activity, spec.Activation, alpha, FusedOutput, n);
}

/// <summary>MaxPooling2D (the argmax of each window kept for the backward pass) or AveragePooling2D.</summary>
internal sealed class PoolingStep : CompiledStep
{
    private readonly Window2D g;
    private readonly bool max;
    private readonly ConvWorkspace workspace;
    private int[] argmax = [];

    public PoolingStep(Window2D g, bool max)
        : base(g.InputSize, g.OutputPixels * g.Channels)
    {
        this.g = g;
        this.max = max;
        workspace = new ConvWorkspace(g);
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
            ConvKernels.MaxPool2DForward(gemm, workspace, x, Output, argmax, n);
        }
        else
        {
            ConvKernels.AveragePool2DForward(x, Output, n, g);
        }
    }

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm)
    {
        if (max)
        {
            ConvKernels.MaxPool2DBackward(gemm, workspace, dy, argmax, InputGradient, n);
        }
        else
        {
            ConvKernels.AveragePool2DBackward(dy, InputGradient, n, g);
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
        ConvKernels.GlobalAveragePool2DForward(x, Output, n, positions, channels);

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm) =>
        ConvKernels.GlobalAveragePool2DBackward(dy, InputGradient, n, positions, channels);
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
        ConvKernels.SpatialDropout2DForward(spec.Rate, layerIndex, seed, step, training, x, mask, Output, n, positions, channels);
    }

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm) =>
        ConvKernels.SpatialDropout2DBackward(active, dy, mask, InputGradient, n, positions, channels);
}
