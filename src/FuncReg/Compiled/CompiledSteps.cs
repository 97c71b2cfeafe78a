using FuncReg.Kernels;

namespace FuncReg;

/// <summary>One fused step of a <see cref="CompiledModel"/>'s plan; buffers sized for the capacity, reused every pass.</summary>
internal abstract class CompiledStep
{
    protected CompiledStep(int inputs, int outputs)
    {
        Inputs = inputs;
        Outputs = outputs;
    }

    public int Inputs { get; }

    public int Outputs { get; }

    /// <summary>Output of the last forward pass, [capacity, Outputs].</summary>
    public float[] Output { get; protected set; } = [];

    /// <summary>∂L/∂input written by the last backward pass, [capacity, Inputs].</summary>
    public float[] InputGradient { get; protected set; } = [];

    /// <summary>When set, the backward pass receives ∂L/∂(pre-activation) (fused loss head).</summary>
    public bool FusedOutput { get; set; }

    /// <summary>Pre-activation of the last pass, for the fused loss head.</summary>
    public virtual float[]? PreActivation => null;

    public virtual void Resize(int capacity)
    {
        Output = new float[capacity * Outputs];
        InputGradient = new float[capacity * Inputs];
    }

    public abstract void Forward(ReadOnlySpan<float> x, int n, bool training, long seed, long step, GemmContext gemm);

    /// <summary>Given ∂L/∂output (length n·Outputs), accumulates nothing: writes parameter gradients and <see cref="InputGradient"/>.</summary>
    public abstract void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm);
}

/// <summary>
/// Dense layer, with the dropout of an immediately following Dropout layer fused in: forward is one GEMM
/// whose epilogue adds the bias, applies the activation and the mask; backward forms
/// <c>dz = dy·m·f′(z)</c> in one pass, then <c>dW = xᵀ·dz</c> (TN GEMM), <c>db = Σ dz</c> and <c>dx = dz·Wᵀ</c> (NT GEMM).
/// </summary>
internal sealed class DenseStep(int inputs, Dense spec, CompiledParameter kernel, CompiledParameter? bias, Dropout? dropout, int dropoutLayer)
    : CompiledStep(inputs, spec.Units)
{
    private readonly float alpha = (float)spec.EffectiveAlpha;
    private readonly bool keepActivations = dropout is not null && spec.Activation is Activation.Sigmoid or Activation.Tanh or Activation.Elu;
    private float[] z = [], a = [], mask = [], dz = [];
    private bool masked;

    public Dense Spec { get; } = spec;

    public override float[]? PreActivation => z;

    public override void Resize(int capacity)
    {
        base.Resize(capacity);
        z = new float[capacity * Outputs];
        a = keepActivations ? new float[capacity * Outputs] : [];
        mask = dropout is not null ? new float[capacity * Outputs] : [];
        dz = new float[capacity * Outputs];
    }

    public override void Forward(ReadOnlySpan<float> x, int n, bool training, long seed, long step, GemmContext gemm)
    {
        int size = n * Outputs;
        masked = training && dropout is not null && dropout.Rate > 0;
        if (masked)
        {
            NoiseOps.DropoutMask<float>(dropout!.Rate, CounterRandom.Key(seed, RandomStreams.Layer(dropoutLayer), step), mask.AsSpan(0, size));
        }
        if (Spec.Activation == Activation.Softmax)
        {
            Gemm.Multiply(GemmLayout.NN, x, kernel.Values, z, n, Outputs, Inputs, new DenseEpilogue(bias?.Values, null, z, null, Activation.Linear, 0f, Outputs), context: gemm);
            ActivationFunctions.Softmax<float>(z.AsSpan(0, size), Output.AsSpan(0, size), Outputs);
            return;
        }
        var epilogue = new DenseEpilogue(bias?.Values, keepActivations && masked ? a : null, Output, masked ? mask : null, Spec.Activation, alpha, Outputs);
        Gemm.Multiply(GemmLayout.NN, x, kernel.Values, z, n, Outputs, Inputs, epilogue, context: gemm);
    }

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm)
    {
        int size = n * Outputs;
        Span<float> d = dz.AsSpan(0, size);
        if (FusedOutput)
        {
            dy[..size].CopyTo(d);
        }
        else
        {
            if (Spec.ActivityRegularizer is { IsZero: false } act)
            {
                // ∂(Ω(y)/n)/∂y added to dy: the output gradient is not ours to modify, so stage it in dz first.
                dy[..size].CopyTo(d);
                act.AddGradient<float>(Output.AsSpan(0, size), d, 1.0 / n);
                dy = d;
            }
            if (Spec.Activation == Activation.Softmax)
            {
                ActivationFunctions.Backward<float>(Activation.Softmax, 0, z.AsSpan(0, size), Output.AsSpan(0, size), dy[..size], d, Outputs);
            }
            else
            {
                ReadOnlySpan<float> aSpan = keepActivations && masked ? a.AsSpan(0, size) : Output.AsSpan(0, size);
                ActivationKernels.Backward(Spec.Activation, alpha, z.AsSpan(0, size), aSpan, masked ? mask.AsSpan(0, size) : default, dy[..size], d);
            }
        }
        Gemm.Multiply(GemmLayout.TN, x, d, kernel.Gradient, Inputs, Outputs, n, context: gemm);
        if (bias is not null)
        {
            ReductionKernels.ColumnSums(d, n, Outputs, bias.Gradient);
        }
        if (needInputGradient)
        {
            Gemm.Multiply(GemmLayout.NT, d, kernel.Values, InputGradient, n, Inputs, Outputs, context: gemm);
        }
    }
}

/// <summary>A stand-alone activation layer.</summary>
internal sealed class ActivationStep(int inputs, ActivationLayer spec) : CompiledStep(inputs, inputs)
{
    private readonly float alpha = (float)spec.EffectiveAlpha;
    private float[] z = [];

    public override float[]? PreActivation => z;

    public override void Resize(int capacity)
    {
        base.Resize(capacity);
        z = new float[capacity * Inputs];
    }

    public override void Forward(ReadOnlySpan<float> x, int n, bool training, long seed, long step, GemmContext gemm)
    {
        int size = n * Inputs;
        x[..size].CopyTo(z);
        if (spec.Function == Activation.Softmax)
        {
            ActivationFunctions.Softmax<float>(z.AsSpan(0, size), Output.AsSpan(0, size), Inputs);
        }
        else
        {
            ActivationKernels.Forward(spec.Function, alpha, z.AsSpan(0, size), Output.AsSpan(0, size));
        }
    }

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm)
    {
        int size = n * Inputs;
        if (FusedOutput)
        {
            dy[..size].CopyTo(InputGradient);
        }
        else if (spec.Function == Activation.Softmax)
        {
            ActivationFunctions.Backward<float>(Activation.Softmax, 0, z.AsSpan(0, size), Output.AsSpan(0, size), dy[..size], InputGradient.AsSpan(0, size), Inputs);
        }
        else
        {
            ActivationKernels.Backward(spec.Function, alpha, z.AsSpan(0, size), Output.AsSpan(0, size), default, dy[..size], InputGradient.AsSpan(0, size));
        }
    }
}

/// <summary>Dropout (not fused into a Dense), Gaussian dropout or Gaussian noise.</summary>
internal sealed class NoiseStep(int inputs, Layer spec, int layerIndex) : CompiledStep(inputs, inputs)
{
    private float[] noise = [];
    private bool active;

    public override void Resize(int capacity)
    {
        base.Resize(capacity);
        noise = new float[capacity * Inputs];
    }

    public override void Forward(ReadOnlySpan<float> x, int n, bool training, long seed, long step, GemmContext gemm)
    {
        int size = n * Inputs;
        active = training;
        if (!training)
        {
            x[..size].CopyTo(Output);
            return;
        }
        ulong key = CounterRandom.Key(seed, RandomStreams.Layer(layerIndex), step);
        Span<float> e = noise.AsSpan(0, size);
        switch (spec)
        {
            case Dropout d:
                NoiseOps.DropoutMask(d.Rate, key, e);
                break;
            case GaussianDropout g:
                NoiseOps.GaussianDropoutFactors(g.Rate, key, e);
                break;
            case GaussianNoise g:
                NoiseOps.GaussianNoiseOffsets(g.Stddev, key, e);
                System.Numerics.Tensors.TensorPrimitives.Add(x[..size], e, Output.AsSpan(0, size));
                return;
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(x[..size], e, Output.AsSpan(0, size));
    }

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm)
    {
        int size = n * Inputs;
        if (!active || spec is GaussianNoise)
        {
            dy[..size].CopyTo(InputGradient);
            return;
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(dy[..size], noise.AsSpan(0, size), InputGradient.AsSpan(0, size));
    }
}

/// <summary>Batch normalization over the feature axis.</summary>
internal sealed class BatchNormStep : CompiledStep
{
    private readonly BatchNormalization spec;
    private readonly CompiledParameter? gamma, beta;
    private readonly CompiledParameter movingMean, movingVariance;
    private readonly float[] ones, zeros, mean, variance, invStd;
    private float[] xhat = [];
    private bool training;

    public BatchNormStep(int inputs, BatchNormalization spec, CompiledParameter? gamma, CompiledParameter? beta, CompiledParameter movingMean, CompiledParameter movingVariance)
        : base(inputs, inputs)
    {
        this.spec = spec;
        this.gamma = gamma;
        this.beta = beta;
        this.movingMean = movingMean;
        this.movingVariance = movingVariance;
        ones = new float[inputs];
        ones.AsSpan().Fill(1f);
        zeros = new float[inputs];
        mean = new float[inputs];
        variance = new float[inputs];
        invStd = new float[inputs];
    }

    public override void Resize(int capacity)
    {
        base.Resize(capacity);
        xhat = new float[capacity * Inputs];
    }

    public override void Forward(ReadOnlySpan<float> x, int n, bool training, long seed, long step, GemmContext gemm)
    {
        int size = n * Inputs;
        this.training = training;
        float[] g = gamma?.Values ?? ones, b = beta?.Values ?? zeros;
        if (!training)
        {
            NormalizationOps.BatchForwardInference<float>(x[..size], g, b, movingMean.Values, movingVariance.Values, spec.Epsilon, Output.AsSpan(0, size), n, Inputs);
            return;
        }
        NormalizationOps.BatchForwardTraining<float>(x[..size], g, b, spec.Epsilon, xhat.AsSpan(0, size), Output.AsSpan(0, size), mean, variance, invStd, n, Inputs);
        NormalizationOps.UpdateRunning<float>(movingMean.Values, mean, spec.Momentum);
        NormalizationOps.UpdateRunning<float>(movingVariance.Values, variance, spec.Momentum);
    }

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm)
    {
        int size = n * Inputs;
        float[] g = gamma?.Values ?? ones;
        Span<float> dg = gamma is null ? default : gamma.Gradient, db = beta is null ? default : beta.Gradient;
        dg.Clear();
        db.Clear();
        if (training)
        {
            NormalizationOps.BatchBackwardTraining<float>(dy[..size], xhat.AsSpan(0, size), g, invStd, InputGradient.AsSpan(0, size), dg, db, n, Inputs);
        }
        else
        {
            NormalizationOps.BatchBackwardInference<float>(x[..size], dy[..size], g, movingMean.Values, movingVariance.Values, spec.Epsilon, InputGradient.AsSpan(0, size), dg, db, n, Inputs);
        }
    }
}

/// <summary>Layer normalization per sample.</summary>
internal sealed class LayerNormStep : CompiledStep
{
    private readonly LayerNormalization spec;
    private readonly CompiledParameter? gamma, beta;
    private readonly float[] ones, zeros;
    private float[] xhat = [], invStd = [];

    public LayerNormStep(int inputs, LayerNormalization spec, CompiledParameter? gamma, CompiledParameter? beta)
        : base(inputs, inputs)
    {
        this.spec = spec;
        this.gamma = gamma;
        this.beta = beta;
        ones = new float[inputs];
        ones.AsSpan().Fill(1f);
        zeros = new float[inputs];
    }

    public override void Resize(int capacity)
    {
        base.Resize(capacity);
        xhat = new float[capacity * Inputs];
        invStd = new float[capacity];
    }

    public override void Forward(ReadOnlySpan<float> x, int n, bool training, long seed, long step, GemmContext gemm)
    {
        int size = n * Inputs;
        NormalizationOps.LayerForward<float>(x[..size], gamma?.Values ?? ones, beta?.Values ?? zeros, spec.Epsilon, xhat.AsSpan(0, size), Output.AsSpan(0, size), invStd, n, Inputs);
    }

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm)
    {
        int size = n * Inputs;
        Span<float> dg = gamma is null ? default : gamma.Gradient, db = beta is null ? default : beta.Gradient;
        dg.Clear();
        db.Clear();
        NormalizationOps.LayerBackward<float>(dy[..size], xhat.AsSpan(0, size), gamma?.Values ?? ones, invStd, InputGradient.AsSpan(0, size), dg, db, n, Inputs);
    }
}
