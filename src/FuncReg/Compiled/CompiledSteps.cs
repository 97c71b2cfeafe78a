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
/// Dense layer, with the dropout of an immediately following Dropout layer fused in
/// (<see cref="DenseKernels"/>: one GEMM with bias, activation and mask in its epilogue; one pass for
/// <c>dy·m·f′(z)</c> before the backward GEMMs).
/// </summary>
internal sealed class DenseStep(int inputs, Dense spec, FusedParameter kernel, FusedParameter? bias, Dropout? dropout, int dropoutLayer)
    : CompiledStep(inputs, spec.Units)
{
    private readonly float alpha = (float)spec.EffectiveAlpha;
    private readonly bool keepActivations = dropout is not null && spec.Activation is Activation.Sigmoid or Activation.Tanh or Activation.Elu;
    private readonly Regularizer? activity = spec.ActivityRegularizer is { IsZero: false } r ? r : null;
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
        masked = training && dropout is not null && dropout.Rate > 0;
        if (masked)
        {
            NoiseOps.DropoutMask<float>(dropout!.Rate, CounterRandom.Key(seed, RandomStreams.Layer(dropoutLayer), step), mask.AsSpan(0, n * Outputs));
        }
        DenseKernels.Forward(gemm, x, kernel.Values, bias?.Values, z, masked && keepActivations ? a : null, Output, masked ? mask : null, Spec.Activation, alpha, n, Inputs, Outputs);
    }

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm) =>
        DenseKernels.Backward(gemm, x, kernel.Values, kernel.Gradient, bias?.Gradient, z, masked && keepActivations ? a : null, Output, masked ? mask : null, dy, dz, needInputGradient ? InputGradient : null, Spec.Activation, alpha, activity, FusedOutput, n, Inputs, Outputs);
}

/// <summary>A stand-alone activation layer (its element-wise passes split over the GEMM threads when long, see <see cref="ActivationKernels"/>).</summary>
internal sealed class ActivationStep : CompiledStep
{
    private readonly ActivationLayer spec;
    private readonly float alpha;
    private float[] z = [];

    public ActivationStep(int inputs, ActivationLayer spec)
        : base(inputs, inputs)
    {
        this.spec = spec;
        alpha = (float)spec.EffectiveAlpha;
    }

    /// <summary>
    /// Whether the pre-activation is copied for <see cref="PreActivation"/> (the last step's logits); otherwise the
    /// backward pass reads it from the input, which the previous step keeps until then.
    /// </summary>
    public bool KeepPreActivation { get; set; } = true;

    public override float[]? PreActivation => KeepPreActivation ? z : null;

    /// <summary>The activation function.</summary>
    public Activation Function => spec.Function;

    /// <summary>
    /// The channel batch norm right before this ReLU that runs it inside its own passes in training
    /// (<see cref="BatchNormStep.FuseRelu"/>); this step then does nothing in training and runs itself in inference.
    /// </summary>
    public BatchNormStep? FusedInto { get; set; }

    public override void Resize(int capacity)
    {
        base.Resize(capacity);
        z = KeepPreActivation || spec.Function == Activation.Softmax ? new float[capacity * Inputs] : [];
    }

    public override void Forward(ReadOnlySpan<float> x, int n, bool training, long seed, long step, GemmContext gemm)
    {
        int size = n * Inputs;
        if (FusedInto is { Training: true })
        {
            return; // the batch norm wrote relu(y) into Output in its normalize pass
        }
        if (spec.Function == Activation.Softmax)
        {
            x[..size].CopyTo(z);
            ActivationFunctions.Softmax<float>(z.AsSpan(0, size), Output.AsSpan(0, size), Inputs);
        }
        else
        {
            if (KeepPreActivation)
            {
                x[..size].CopyTo(z);
            }
            ActivationKernels.Forward(gemm, spec.Function, alpha, x[..size], Output.AsSpan(0, size));
        }
    }

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm)
    {
        int size = n * Inputs;
        if (FusedInto is { Training: true })
        {
            return; // the batch norm applies relu′ to dy in its gradient passes
        }
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
            ReadOnlySpan<float> pre = KeepPreActivation ? z.AsSpan(0, size) : x[..size];
            ActivationKernels.Backward(gemm, spec.Function, alpha, pre, Output.AsSpan(0, size), default, dy[..size], InputGradient.AsSpan(0, size));
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
        if (training)
        {
            NoiseKernels.Forward(spec, layerIndex, seed, step, x[..size], noise, Output);
        }
        else
        {
            x[..size].CopyTo(Output);
        }
    }

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm)
    {
        int size = n * Inputs;
        if (active)
        {
            NoiseKernels.Backward(spec, dy[..size], noise, InputGradient);
        }
        else
        {
            dy[..size].CopyTo(InputGradient);
        }
    }
}

/// <summary>Batch normalization over the feature axis.</summary>
internal sealed class BatchNormStep : CompiledStep
{
    private readonly BatchNormalization spec;
    private readonly FusedParameter? gamma, beta;
    private readonly FusedParameter movingMean, movingVariance;
    private readonly float[] ones, zeros, mean, variance, invStd;
    private readonly int channels, positions;
    private ChannelBatchNorm? channelNorm;
    private float[] xhat = [];
    private bool training;
    private ActivationStep? relu;
    private CompiledStep? reluGradient;

    /// <summary>Normalizes the last axis (<paramref name="channels"/> features); the inputs/channels positions of a sample count as rows.</summary>
    public BatchNormStep(int inputs, int channels, BatchNormalization spec, FusedParameter? gamma, FusedParameter? beta, FusedParameter movingMean, FusedParameter movingVariance)
        : base(inputs, inputs)
    {
        this.spec = spec;
        this.channels = channels;
        positions = inputs / channels;
        this.gamma = gamma;
        this.beta = beta;
        this.movingMean = movingMean;
        this.movingVariance = movingVariance;
        ones = new float[channels];
        ones.AsSpan().Fill(1f);
        zeros = new float[channels];
        mean = new float[channels];
        variance = new float[channels];
        invStd = new float[channels];
    }

    public override void Resize(int capacity)
    {
        base.Resize(capacity);
        xhat = new float[capacity * Inputs];
        channelNorm = Channels ? new ChannelBatchNorm(channels, capacity * positions) : null;
    }

    /// <summary>Channel batch norm (several positions per sample, as after a Conv2D) runs the vectorized row-major kernels.</summary>
    public bool Channels => positions > 1;

    /// <summary>Whether the last forward pass used batch statistics.</summary>
    public bool Training => training;

    /// <summary>
    /// Runs the ReLU step <paramref name="reluStep"/> that follows this channel batch norm inside its training passes:
    /// the normalize pass writes relu(γ·x̂ + β) into the ReLU's output, and the gradient passes read the ReLU's ∂L/∂output
    /// (<paramref name="next"/>'s input gradient) and apply relu′ to it — bit-identical to the two steps run apart.
    /// </summary>
    public void FuseRelu(ActivationStep reluStep, CompiledStep next)
    {
        if (!Channels || reluStep.Function != Activation.Relu)
        {
            throw new ArgumentException("only a ReLU after a channel batch norm is fused", nameof(reluStep));
        }
        relu = reluStep;
        reluGradient = next;
        reluStep.FusedInto = this;
    }

    public override void Forward(ReadOnlySpan<float> x, int n, bool training, long seed, long step, GemmContext gemm)
    {
        int size = n * Inputs;
        this.training = training;
        float[] g = gamma?.Values ?? ones, b = beta?.Values ?? zeros;
        if (!training)
        {
            NormalizationOps.BatchForwardInference<float>(x[..size], g, b, movingMean.Values, movingVariance.Values, spec.Epsilon, Output.AsSpan(0, size), n * positions, channels);
            return;
        }
        if (Channels)
        {
            float[] output = relu?.Output ?? Output;
            channelNorm!.Forward(gemm, x[..size], g, b, spec.Epsilon, xhat.AsSpan(0, size), output.AsSpan(0, size), mean, variance, invStd, n * positions, relu: relu is not null);
        }
        else
        {
            NormalizationOps.BatchForwardTraining<float>(x[..size], g, b, spec.Epsilon, xhat.AsSpan(0, size), Output.AsSpan(0, size), mean, variance, invStd, n * positions, channels);
        }
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
        if (training && Channels && relu is not null)
        {
            channelNorm!.Backward(gemm, reluGradient!.InputGradient.AsSpan(0, size), xhat.AsSpan(0, size), g, invStd, InputGradient.AsSpan(0, size), dg, db, n * positions, relu.Output.AsSpan(0, size));
        }
        else if (training && Channels)
        {
            channelNorm!.Backward(gemm, dy[..size], xhat.AsSpan(0, size), g, invStd, InputGradient.AsSpan(0, size), dg, db, n * positions);
        }
        else if (training)
        {
            NormalizationOps.BatchBackwardTraining<float>(dy[..size], xhat.AsSpan(0, size), g, invStd, InputGradient.AsSpan(0, size), dg, db, n * positions, channels);
        }
        else
        {
            NormalizationOps.BatchBackwardInference<float>(x[..size], dy[..size], g, movingMean.Values, movingVariance.Values, spec.Epsilon, InputGradient.AsSpan(0, size), dg, db, n * positions, channels);
        }
    }
}

/// <summary>Layer normalization per sample.</summary>
internal sealed class LayerNormStep : CompiledStep
{
    private readonly LayerNormalization spec;
    private readonly FusedParameter? gamma, beta;
    private readonly float[] ones, zeros;
    private readonly int channels, positions;
    private float[] xhat = [], invStd = [];

    /// <summary>Normalizes the last axis (<paramref name="channels"/> features) at each of the inputs/channels positions.</summary>
    public LayerNormStep(int inputs, int channels, LayerNormalization spec, FusedParameter? gamma, FusedParameter? beta)
        : base(inputs, inputs)
    {
        this.spec = spec;
        this.gamma = gamma;
        this.beta = beta;
        this.channels = channels;
        positions = inputs / channels;
        ones = new float[channels];
        ones.AsSpan().Fill(1f);
        zeros = new float[channels];
    }

    public override void Resize(int capacity)
    {
        base.Resize(capacity);
        xhat = new float[capacity * Inputs];
        invStd = new float[capacity * positions];
    }

    public override void Forward(ReadOnlySpan<float> x, int n, bool training, long seed, long step, GemmContext gemm)
    {
        int size = n * Inputs;
        NormalizationOps.LayerForward<float>(x[..size], gamma?.Values ?? ones, beta?.Values ?? zeros, spec.Epsilon, xhat.AsSpan(0, size), Output.AsSpan(0, size), invStd, n * positions, channels);
    }

    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, bool needInputGradient, GemmContext gemm)
    {
        int size = n * Inputs;
        Span<float> dg = gamma is null ? default : gamma.Gradient, db = beta is null ? default : beta.Gradient;
        dg.Clear();
        db.Clear();
        NormalizationOps.LayerBackward<float>(dy[..size], xhat.AsSpan(0, size), gamma?.Values ?? ones, invStd, InputGradient.AsSpan(0, size), dg, db, n * positions, channels);
    }
}
