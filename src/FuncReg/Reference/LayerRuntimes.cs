using System.Numerics;

namespace FuncReg;

/// <summary>What a forward pass is for.</summary>
public readonly record struct ForwardContext(bool Training, bool UpdateStatistics, long Seed, long Step);

/// <summary>A layer of the reference interpreter: allocating, plain, the specification.</summary>
internal abstract class LayerRuntime<T>
    where T : IFloatingPointIeee754<T>
{
    protected LayerRuntime(int index, string name, int inputs)
    {
        Index = index;
        Name = name;
        Inputs = inputs;
    }

    public int Index { get; }

    public string Name { get; }

    public int Inputs { get; }

    public virtual int Outputs => Inputs;

    public List<ParamTensor<T>> Parameters { get; } = [];

    /// <summary>Activity penalty on this layer's output, if any.</summary>
    public virtual Regularizer? Activity => null;

    /// <summary>Pre-activation of the last forward pass, for layers that have one.</summary>
    public virtual T[]? PreActivation => null;

    /// <summary>Output of the last forward pass, for layers with an activity penalty.</summary>
    public virtual T[] LastOutput => [];

    /// <summary>When set, <see cref="Backward"/> receives ∂L/∂(pre-activation) (fused loss head).</summary>
    public bool FusedOutput { get; set; }

    public abstract T[] Forward(T[] x, int n, ForwardContext ctx);

    /// <summary>Given ∂L/∂y, accumulates parameter gradients and returns ∂L/∂x.</summary>
    public abstract T[] Backward(T[] dy, int n);

    protected ParamTensor<T> Add(string suffix, int[] shape, ParameterRole role, Regularizer? reg = null, Constraint? constraint = null)
    {
        var p = new ParamTensor<T>($"{Name}.{suffix}", shape, role, reg, constraint);
        Parameters.Add(p);
        return p;
    }
}

internal sealed class DenseRuntime<T> : LayerRuntime<T>
    where T : IFloatingPointIeee754<T>
{
    private readonly Dense spec;
    private readonly ParamTensor<T> kernel;
    private readonly ParamTensor<T>? bias;
    private T[] x = [], z = [], y = [];

    public DenseRuntime(int index, string name, int inputs, Dense spec)
        : base(index, name, inputs)
    {
        this.spec = spec;
        kernel = Add("kernel", [inputs, spec.Units], ParameterRole.Kernel, spec.KernelRegularizer, spec.KernelConstraint);
        bias = spec.UseBias ? Add("bias", [spec.Units], ParameterRole.Bias, spec.BiasRegularizer, spec.BiasConstraint) : null;
    }

    public override int Outputs => spec.Units;

    public override Regularizer? Activity => spec.ActivityRegularizer is { IsZero: false } r ? r : null;

    public override T[]? PreActivation => z;

    public override T[] LastOutput => y;

    public void Initialize(long seed, int firstIndex)
    {
        Initializers.Fill<T>(spec.KernelInitializer, kernel.Values, Inputs, spec.Units, seed, firstIndex);
        if (bias is not null)
        {
            Initializers.Fill<T>(spec.BiasInitializer, bias.Values, Inputs, spec.Units, seed, firstIndex + 1);
        }
    }

    public override T[] Forward(T[] x, int n, ForwardContext ctx)
    {
        this.x = x;
        z = new T[n * spec.Units];
        y = new T[n * spec.Units];
        DenseOps.Forward<T>(x, kernel.Values, bias is null ? default : bias.Values, z, n, Inputs, spec.Units);
        ActivationFunctions.Forward<T>(spec.Activation, spec.EffectiveAlpha, z, y, spec.Units);
        return y;
    }

    public override T[] Backward(T[] dy, int n)
    {
        T[] dz;
        if (FusedOutput)
        {
            dz = dy;
        }
        else
        {
            if (Activity is { } act)
            {
                dy = (T[])dy.Clone();
                act.AddGradient<T>(y, dy, 1.0 / n);
            }
            dz = new T[dy.Length];
            ActivationFunctions.Backward<T>(spec.Activation, spec.EffectiveAlpha, z, y, dy, dz, spec.Units);
        }
        var dx = new T[n * Inputs];
        DenseOps.Backward<T>(x, kernel.Values, dz, kernel.Grad, bias is null ? default : bias.Grad, dx, n, Inputs, spec.Units);
        return dx;
    }
}

internal sealed class ActivationRuntime<T>(int index, string name, int inputs, ActivationLayer spec) : LayerRuntime<T>(index, name, inputs)
    where T : IFloatingPointIeee754<T>
{
    private T[] z = [], y = [];

    public override T[]? PreActivation => z;

    public override T[] Forward(T[] x, int n, ForwardContext ctx)
    {
        z = x;
        y = new T[x.Length];
        ActivationFunctions.Forward<T>(spec.Function, spec.EffectiveAlpha, x, y, Inputs);
        return y;
    }

    public override T[] Backward(T[] dy, int n)
    {
        if (FusedOutput)
        {
            return dy;
        }
        var dz = new T[dy.Length];
        ActivationFunctions.Backward<T>(spec.Function, spec.EffectiveAlpha, z, y, dy, dz, Inputs);
        return dz;
    }
}

/// <summary>Dropout, Gaussian dropout and Gaussian noise: y = x·m or y = x + ε with noise from the layer's stream.</summary>
internal sealed class NoiseRuntime<T>(int index, string name, int inputs, Layer spec) : LayerRuntime<T>(index, name, inputs)
    where T : IFloatingPointIeee754<T>
{
    private T[]? factors;

    public override T[] Forward(T[] x, int n, ForwardContext ctx)
    {
        factors = null;
        if (!ctx.Training)
        {
            return x;
        }
        ulong key = CounterRandom.Key(ctx.Seed, RandomStreams.Layer(Index), ctx.Step);
        var noise = new T[x.Length];
        var y = new T[x.Length];
        switch (spec)
        {
            case Dropout d:
                NoiseOps.DropoutMask<T>(d.Rate, key, noise);
                break;
            case GaussianDropout g:
                NoiseOps.GaussianDropoutFactors<T>(g.Rate, key, noise);
                break;
            case GaussianNoise g:
                NoiseOps.GaussianNoiseOffsets<T>(g.Stddev, key, noise);
                for (int i = 0; i < x.Length; i++)
                {
                    y[i] = x[i] + noise[i];
                }
                return y;
            default:
                throw new InvalidOperationException($"{spec.GetType().Name} is not a noise layer");
        }
        factors = noise;
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = x[i] * noise[i];
        }
        return y;
    }

    public override T[] Backward(T[] dy, int n)
    {
        if (factors is null)
        {
            return dy;
        }
        var dx = new T[dy.Length];
        for (int i = 0; i < dy.Length; i++)
        {
            dx[i] = dy[i] * factors[i];
        }
        return dx;
    }
}

internal sealed class BatchNormRuntime<T> : LayerRuntime<T>
    where T : IFloatingPointIeee754<T>
{
    private readonly BatchNormalization spec;
    private readonly ParamTensor<T> gamma, beta, movingMean, movingVariance;
    private readonly T[] fixedGamma, fixedBeta;
    private readonly int channels, positions;
    private T[] x = [], xhat = [], invStd = [];
    private bool training;

    /// <summary>Normalizes the last axis (<paramref name="channels"/> features); the other inputs/channels positions per sample count as extra rows.</summary>
    public BatchNormRuntime(int index, string name, int inputs, int channels, BatchNormalization spec)
        : base(index, name, inputs)
    {
        this.spec = spec;
        this.channels = channels;
        positions = inputs / channels;
        gamma = Add("gamma", [channels], ParameterRole.Gamma, spec.GammaRegularizer);
        beta = Add("beta", [channels], ParameterRole.Beta, spec.BetaRegularizer);
        movingMean = Add("moving_mean", [channels], ParameterRole.MovingMean);
        movingVariance = Add("moving_variance", [channels], ParameterRole.MovingVariance);
        gamma.Values.AsSpan().Fill(T.One);
        movingVariance.Values.AsSpan().Fill(T.One);
        fixedGamma = Enumerable.Repeat(T.One, channels).ToArray();
        fixedBeta = new T[channels];
        if (!spec.Scale)
        {
            Parameters.Remove(gamma);
        }
        if (!spec.Center)
        {
            Parameters.Remove(beta);
        }
    }

    private T[] Gamma => spec.Scale ? gamma.Values : fixedGamma;

    private T[] Beta => spec.Center ? beta.Values : fixedBeta;

    public override T[] Forward(T[] x, int n, ForwardContext ctx)
    {
        this.x = x;
        training = ctx.Training;
        var y = new T[x.Length];
        if (!ctx.Training)
        {
            NormalizationOps.BatchForwardInference<T>(x, Gamma, Beta, movingMean.Values, movingVariance.Values, spec.Epsilon, y, n * positions, channels);
            return y;
        }
        xhat = new T[x.Length];
        invStd = new T[channels];
        var mean = new T[channels];
        var variance = new T[channels];
        NormalizationOps.BatchForwardTraining<T>(x, Gamma, Beta, spec.Epsilon, xhat, y, mean, variance, invStd, n * positions, channels);
        if (ctx.UpdateStatistics)
        {
            NormalizationOps.UpdateRunning<T>(movingMean.Values, mean, spec.Momentum);
            NormalizationOps.UpdateRunning<T>(movingVariance.Values, variance, spec.Momentum);
        }
        return y;
    }

    public override T[] Backward(T[] dy, int n)
    {
        var dx = new T[dy.Length];
        Span<T> dg = spec.Scale ? gamma.Grad : default, db = spec.Center ? beta.Grad : default;
        if (training)
        {
            NormalizationOps.BatchBackwardTraining<T>(dy, xhat, Gamma, invStd, dx, dg, db, n * positions, channels);
        }
        else
        {
            NormalizationOps.BatchBackwardInference<T>(x, dy, Gamma, movingMean.Values, movingVariance.Values, spec.Epsilon, dx, dg, db, n * positions, channels);
        }
        return dx;
    }
}

internal sealed class LayerNormRuntime<T> : LayerRuntime<T>
    where T : IFloatingPointIeee754<T>
{
    private readonly LayerNormalization spec;
    private readonly ParamTensor<T> gamma, beta;
    private readonly T[] fixedGamma, fixedBeta;
    private readonly int channels, positions;
    private T[] xhat = [], invStd = [];

    /// <summary>Normalizes the last axis (<paramref name="channels"/> features) at each of the inputs/channels positions.</summary>
    public LayerNormRuntime(int index, string name, int inputs, int channels, LayerNormalization spec)
        : base(index, name, inputs)
    {
        this.spec = spec;
        this.channels = channels;
        positions = inputs / channels;
        gamma = Add("gamma", [channels], ParameterRole.Gamma);
        beta = Add("beta", [channels], ParameterRole.Beta);
        gamma.Values.AsSpan().Fill(T.One);
        fixedGamma = Enumerable.Repeat(T.One, channels).ToArray();
        fixedBeta = new T[channels];
        if (!spec.Scale)
        {
            Parameters.Remove(gamma);
        }
        if (!spec.Center)
        {
            Parameters.Remove(beta);
        }
    }

    private T[] Gamma => spec.Scale ? gamma.Values : fixedGamma;

    private T[] Beta => spec.Center ? beta.Values : fixedBeta;

    public override T[] Forward(T[] x, int n, ForwardContext ctx)
    {
        var y = new T[x.Length];
        xhat = new T[x.Length];
        invStd = new T[n * positions];
        NormalizationOps.LayerForward<T>(x, Gamma, Beta, spec.Epsilon, xhat, y, invStd, n * positions, channels);
        return y;
    }

    public override T[] Backward(T[] dy, int n)
    {
        var dx = new T[dy.Length];
        NormalizationOps.LayerBackward<T>(dy, xhat, Gamma, invStd, dx, spec.Scale ? gamma.Grad : default, spec.Center ? beta.Grad : default, n * positions, channels);
        return dx;
    }
}
