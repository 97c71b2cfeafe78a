namespace FuncReg;

/// <summary>
/// A <see cref="Sequential"/> compiled at run time to a fixed plan of fused, allocation-free steps — the
/// engine for models built from records (<see cref="Sequential.Of(int, Layer[])"/>); attribute-declared
/// models get the same passes emitted as straight-line code by the source generator. Dense layers (and Conv2D,
/// through im2col) run on
/// the packed GEMM with bias, activation and a following dropout mask fused into its epilogue; the
/// activation derivative and mask are applied in one pass before the backward GEMMs; penalty gradient,
/// clipping, weight decay, update rule and constraint run in one pass per parameter (<see cref="FusedModel"/>).
/// Same parameters, names, initialization and random streams as <see cref="ReferenceModel"/>; results agree
/// with it within float rounding and are bit-identical for any thread count.
/// </summary>
public sealed class CompiledModel : FusedModel
{
    private readonly CompiledStep[] steps;
    private readonly (CompiledStep Step, Regularizer Regularizer, int Index)[] activity;

    /// <summary>Compiles <paramref name="spec"/>; <paramref name="threads"/> GEMM threads (results do not depend on it).</summary>
    public CompiledModel(Sequential spec, long seed = 0, int threads = 1)
        : base(spec, seed, threads)
    {
        var stepList = new List<CompiledStep>();
        var activityList = new List<(CompiledStep, Regularizer, int)>();
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            string name = spec.LayerName(i);
            IReadOnlyList<int> shape = spec.ShapeAt(i);
            int features = spec.ShapeOf(i);
            CompiledStep step;
            switch (spec.Layers[i])
            {
                case Dense d:
                    {
                        FusedParameter kernel = AddParameter($"{name}.kernel", [features, d.Units], ParameterRole.Kernel, d.KernelRegularizer, d.KernelConstraint, d.KernelInitializer, features, d.Units);
                        FusedParameter? bias = d.UseBias ? AddParameter($"{name}.bias", [d.Units], ParameterRole.Bias, d.BiasRegularizer, d.BiasConstraint, d.BiasInitializer, features, d.Units) : null;
                        bool fuseDropout = i + 1 < spec.Layers.Count - 1 && spec.Layers[i + 1] is Dropout && d.ActivityRegularizer is not { IsZero: false } && d.Activation != Activation.Softmax;
                        var dense = new DenseStep(features, d, kernel, bias, fuseDropout ? (Dropout)spec.Layers[i + 1] : null, i + 1);
                        if (d.ActivityRegularizer is { IsZero: false })
                        {
                            activityList.Add((dense, d.ActivityRegularizer, AddActivityPenalty(name)));
                        }
                        step = dense;
                        if (fuseDropout)
                        {
                            i++;
                        }
                        break;
                    }
                case ActivationLayer a:
                    step = new ActivationStep(features, a);
                    break;
                case Dropout or GaussianDropout or GaussianNoise:
                    step = new NoiseStep(features, spec.Layers[i], i);
                    break;
                case BatchNormalization b:
                    {
                        FusedParameter? gamma = b.Scale ? AddParameter($"{name}.gamma", [shape[^1]], ParameterRole.Gamma, b.GammaRegularizer, initializer: Initializer.Ones) : null;
                        FusedParameter? beta = b.Center ? AddParameter($"{name}.beta", [shape[^1]], ParameterRole.Beta, b.BetaRegularizer) : null;
                        FusedParameter mean = AddParameter($"{name}.moving_mean", [shape[^1]], ParameterRole.MovingMean);
                        FusedParameter variance = AddParameter($"{name}.moving_variance", [shape[^1]], ParameterRole.MovingVariance, initializer: Initializer.Ones);
                        step = new BatchNormStep(features, shape[^1], b, gamma, beta, mean, variance);
                        break;
                    }
                case LayerNormalization l:
                    {
                        FusedParameter? gamma = l.Scale ? AddParameter($"{name}.gamma", [shape[^1]], ParameterRole.Gamma, initializer: Initializer.Ones) : null;
                        FusedParameter? beta = l.Center ? AddParameter($"{name}.beta", [shape[^1]], ParameterRole.Beta) : null;
                        step = new LayerNormStep(features, shape[^1], l, gamma, beta);
                        break;
                    }
                case Conv2D c:
                    {
                        Window2D window = c.WindowOver(shape);
                        int area = c.KernelSize.Height * c.KernelSize.Width;
                        int fanIn = area * shape[2], fanOut = area * c.Filters;
                        FusedParameter kernel = AddParameter($"{name}.kernel", [c.KernelSize.Height, c.KernelSize.Width, shape[2], c.Filters], ParameterRole.Kernel, c.KernelRegularizer, c.KernelConstraint, c.KernelInitializer, fanIn, fanOut);
                        FusedParameter? bias = c.UseBias ? AddParameter($"{name}.bias", [c.Filters], ParameterRole.Bias, c.BiasRegularizer, c.BiasConstraint, c.BiasInitializer, fanIn, fanOut) : null;
                        var conv = new ConvStep(window, c, kernel, bias);
                        if (conv.Activity is { } r)
                        {
                            activityList.Add((conv, r, AddActivityPenalty(name)));
                        }
                        step = conv;
                        break;
                    }
                case Pooling2D p:
                    step = new PoolingStep(p.WindowOver(shape), p is MaxPooling2D);
                    break;
                case GlobalAveragePooling2D:
                    step = new GlobalAveragePoolingStep(shape[0] * shape[1], shape[2]);
                    break;
                case SpatialDropout2D sd:
                    step = new SpatialDropoutStep(shape[0] * shape[1], shape[2], sd, i);
                    break;
                case Flatten:
                    continue; // row-major channels-last data is already flat: the next step reads it as is
                default:
                    throw new NotSupportedException($"layer {name} ({spec.Layers[i].GetType().Name}) cannot be compiled");
            }
            stepList.Add(step);
        }
        if (stepList.Count == 0)
        {
            stepList.Add(new ActivationStep(spec.Inputs, new ActivationLayer(Activation.Linear)));
        }
        steps = [.. stepList];
        foreach (CompiledStep s in steps[..^1])
        {
            if (s is ActivationStep a)
            {
                a.KeepPreActivation = false; // only the last step's pre-activation (the logits) is read after its pass
            }
        }
        for (int k = 0; k + 2 < steps.Length; k++)
        {
            if (steps[k] is BatchNormStep { Channels: true } bn && steps[k + 1] is ActivationStep { Function: Activation.Relu } relu)
            {
                bn.FuseRelu(relu, steps[k + 2]);
            }
        }
        activity = [.. activityList];
        CompleteRegistration();
        steps[^1].FusedOutput = Head != LossHead.Generic;
    }

    protected override float[] Outputs => steps[^1].Output;

    protected override float[] Logits => steps[^1].PreActivation ?? steps[^1].Output;

    protected override void Allocate(int rows)
    {
        foreach (CompiledStep s in steps)
        {
            s.Resize(rows);
        }
    }

    protected override void Forward(ReadOnlySpan<float> x, int n, bool training)
    {
        for (int i = 0; i < steps.Length; i++)
        {
            steps[i].Forward(i == 0 ? x : steps[i - 1].Output, n, training, Seed, Step, GemmContext);
        }
    }

    protected override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> outputGradient, int n)
    {
        for (int i = steps.Length - 1; i >= 0; i--)
        {
            ReadOnlySpan<float> input = i == 0 ? x : steps[i - 1].Output;
            ReadOnlySpan<float> dy = i == steps.Length - 1 ? outputGradient : steps[i + 1].InputGradient;
            steps[i].Backward(input, dy, n, needInputGradient: i > 0, GemmContext);
        }
    }

    protected override double ActivityPenalties(int n, Span<double> penalties)
    {
        double total = 0;
        foreach (var (step, regularizer, index) in activity)
        {
            total += ActivityPenalty(regularizer, step.Output.AsSpan(0, n * step.Outputs), n, index, penalties);
        }
        return total;
    }
}
