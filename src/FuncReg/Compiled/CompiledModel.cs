using FuncReg.Kernels;

namespace FuncReg;

/// <summary>A parameter of a <see cref="CompiledModel"/>: values, gradient, optimizer slots, penalty and constraint.</summary>
internal sealed class CompiledParameter
{
    public CompiledParameter(string name, int[] shape, ParameterRole role, Regularizer? regularizer, Constraint? constraint)
    {
        int length = shape.Aggregate(1, (a, b) => a * b);
        Values = new float[length];
        Gradient = new float[length];
        Public = new Parameter(name, shape, role, Values);
        Regularizer = regularizer is { IsZero: false } ? regularizer : null;
        L1 = (float)(Regularizer?.L1Factor ?? 0);
        L2 = (float)(Regularizer?.L2Factor ?? 0);
        Constraint = constraint;
        Rows = shape.Length == 2 ? shape[0] : 1;
        Columns = shape.Length == 2 ? shape[1] : shape[0];
    }

    public float[] Values { get; }

    public float[] Gradient { get; }

    public float[][] Slots { get; set; } = [];

    public Parameter Public { get; }

    public Regularizer? Regularizer { get; }

    public float L1 { get; }

    public float L2 { get; }

    public Constraint? Constraint { get; }

    public int Rows { get; }

    public int Columns { get; }

    public int PenaltyIndex { get; set; } = -1;
}

/// <summary>
/// A <see cref="Sequential"/> compiled to a fixed plan of fused, allocation-free steps: dense layers run on
/// the packed GEMM with bias, activation and a following dropout mask fused into its epilogue; the
/// activation derivative and mask are applied in one pass before the backward GEMMs; the penalty gradient,
/// clipping, weight decay and the optimizer rule run in one pass per parameter. Buffers are allocated for
/// the largest batch seen and reused, so a steady-state <see cref="TrainStep"/> allocates nothing.
/// Same parameters, names, initialization and random streams as <see cref="ReferenceModel"/>; results agree
/// with it within float rounding, and are bit-identical for any thread count.
/// </summary>
public sealed class CompiledModel : IModel, IDisposable
{
    private readonly CompiledStep[] steps;
    private readonly CompiledParameter[] parameters;
    private readonly CompiledParameter[] trainable;
    private readonly (CompiledParameter? Param, DenseStep? Layer)[] penaltySources;
    private readonly GemmContext gemm;
    private readonly Head head;
    private Optimizer optimizer = new Adam();
    private Parameter[] optimizerState = [];
    private float[] outputGradient = [];
    private int capacity;

    /// <summary>Compiles <paramref name="spec"/>; <paramref name="threads"/> GEMM threads (results do not depend on it).</summary>
    public CompiledModel(Sequential spec, long seed = 0, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Guard.Positive(threads);
        Spec = spec;
        Seed = seed;
        gemm = new GemmContext(threads);
        var stepList = new List<CompiledStep>();
        var paramList = new List<CompiledParameter>();
        var penalties = new List<(CompiledParameter?, DenseStep?)>();
        var names = new List<string>();
        int features = spec.Inputs;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            string name = spec.LayerName(i);
            CompiledParameter Add(string suffix, int[] shape, ParameterRole role, Regularizer? reg = null, Constraint? constraint = null)
            {
                var p = new CompiledParameter($"{name}.{suffix}", shape, role, reg, constraint);
                paramList.Add(p);
                if (p.Regularizer is not null)
                {
                    p.PenaltyIndex = penalties.Count;
                    penalties.Add((p, null));
                    names.Add(p.Public.Name);
                }
                return p;
            }
            CompiledStep step;
            switch (spec.Layers[i])
            {
                case Dense d:
                    {
                        int first = paramList.Count;
                        CompiledParameter kernel = Add("kernel", [features, d.Units], ParameterRole.Kernel, d.KernelRegularizer, d.KernelConstraint);
                        CompiledParameter? bias = d.UseBias ? Add("bias", [d.Units], ParameterRole.Bias, d.BiasRegularizer, d.BiasConstraint) : null;
                        Initializers.Fill<float>(d.KernelInitializer, kernel.Values, features, d.Units, seed, first);
                        if (bias is not null)
                        {
                            Initializers.Fill<float>(d.BiasInitializer, bias.Values, features, d.Units, seed, first + 1);
                        }
                        bool fuseDropout = i + 1 < spec.Layers.Count - 1 && spec.Layers[i + 1] is Dropout && d.ActivityRegularizer is not { IsZero: false } && d.Activation != Activation.Softmax;
                        var dense = new DenseStep(features, d, kernel, bias, fuseDropout ? (Dropout)spec.Layers[i + 1] : null, i + 1);
                        if (d.ActivityRegularizer is { IsZero: false })
                        {
                            penalties.Add((null, dense));
                            names.Add($"{name}.activity");
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
                        CompiledParameter? gamma = b.Scale ? Add("gamma", [features], ParameterRole.Gamma, b.GammaRegularizer) : null;
                        CompiledParameter? beta = b.Center ? Add("beta", [features], ParameterRole.Beta, b.BetaRegularizer) : null;
                        gamma?.Values.AsSpan().Fill(1f);
                        CompiledParameter mean = Add("moving_mean", [features], ParameterRole.MovingMean);
                        CompiledParameter variance = Add("moving_variance", [features], ParameterRole.MovingVariance);
                        variance.Values.AsSpan().Fill(1f);
                        step = new BatchNormStep(features, b, gamma, beta, mean, variance);
                        break;
                    }
                case LayerNormalization l:
                    {
                        CompiledParameter? gamma = l.Scale ? Add("gamma", [features], ParameterRole.Gamma) : null;
                        CompiledParameter? beta = l.Center ? Add("beta", [features], ParameterRole.Beta) : null;
                        gamma?.Values.AsSpan().Fill(1f);
                        step = new LayerNormStep(features, l, gamma, beta);
                        break;
                    }
                default:
                    throw new NotSupportedException($"layer {name} ({spec.Layers[i].GetType().Name}) cannot be compiled");
            }
            stepList.Add(step);
            features = step.Outputs;
        }
        steps = [.. stepList];
        parameters = [.. paramList];
        trainable = [.. paramList.Where(p => p.Public.Trainable)];
        penaltySources = [.. penalties];
        PenaltyNames = [.. names];
        Parameters = [.. parameters.Select(p => p.Public)];
        OutputSize = features;
        Activation lastActivation = spec.Layers[^1] switch
        {
            Dense d => d.Activation,
            ActivationLayer a => a.Function,
            _ => Activation.Linear,
        };
        CompiledStep last = steps[^1];
        bool fusable = last.PreActivation is not null && spec.Layers[^1] is not Dense { ActivityRegularizer.IsZero: false };
        head = (spec.Loss, lastActivation, spec.FromLogits) switch
        {
            (Loss.CategoricalCrossEntropy, Activation.Softmax, _) when fusable => Head.SoftmaxLogits,
            (Loss.CategoricalCrossEntropy, Activation.Linear, true) when fusable => Head.SoftmaxLogits,
            (Loss.BinaryCrossEntropy, Activation.Sigmoid, _) when fusable => Head.SigmoidLogits,
            (Loss.BinaryCrossEntropy, Activation.Linear, true) when fusable => Head.SigmoidLogits,
            _ => Head.Generic,
        };
        if (spec.FromLogits && head == Head.Generic && spec.Loss != Loss.MeanSquaredError)
        {
            throw new ArgumentException("FromLogits needs the last layer to be a Dense or Activation layer without an activity regularizer.", nameof(spec));
        }
        last.FusedOutput = head != Head.Generic;
        Optimizer = optimizer;
        Resize(32);
    }

    private enum Head
    {
        Generic,
        SoftmaxLogits,
        SigmoidLogits,
    }

    public Sequential Spec { get; }

    public long Seed { get; }

    public int InputSize => Spec.Inputs;

    public int OutputSize { get; }

    public IReadOnlyList<Parameter> Parameters { get; }

    public IReadOnlyList<string> PenaltyNames { get; }

    /// <summary>GEMM threads.</summary>
    public int Threads => gemm.ThreadCount;

    public Optimizer Optimizer
    {
        get => optimizer;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            optimizer = value;
            LearningRate = value.LearningRate;
            OptimizerIterations = 0;
            var state = new List<Parameter>();
            foreach (CompiledParameter p in parameters)
            {
                p.Slots = p.Public.Trainable ? [.. Enumerable.Range(0, value.SlotCount).Select(_ => new float[p.Values.Length])] : [];
                for (int k = 0; k < p.Slots.Length; k++)
                {
                    state.Add(new Parameter($"{p.Public.Name}/slot{k}", [.. p.Public.Shape], p.Public.Role, p.Slots[k]));
                }
            }
            optimizerState = [.. state];
        }
    }

    public double LearningRate
    {
        get;
        set => field = Guard.Positive(value, nameof(LearningRate));
    }

    public long Step { get; set; }

    public IReadOnlyList<Parameter> OptimizerState => optimizerState;

    public long OptimizerIterations { get; set; }

    public StepResult TrainStep(in Batch batch, Span<double> penalties)
    {
        int n = batch.Count;
        CheckBatch(batch);
        EnsureCapacity(n);
        var targets = new Targets<float>(batch.Labels, batch.Targets);
        Forward(batch.Features, n, training: true);
        (double data, double correct) = LossAndOutputGradient(targets, n, gradients: true);
        double activity = ActivityPenalties(n, penalties);
        for (int i = steps.Length - 1; i >= 0; i--)
        {
            ReadOnlySpan<float> input = i == 0 ? batch.Features : steps[i - 1].Output;
            ReadOnlySpan<float> dy = i == steps.Length - 1 ? outputGradient : steps[i + 1].InputGradient;
            steps[i].Backward(input, dy, n, needInputGradient: i > 0, gemm);
        }
        double weights = Update(penalties);
        Step++;
        return new StepResult(data, weights + activity, correct, n);
    }

    public StepResult EvaluateBatch(in Batch batch, Span<double> penalties)
    {
        int n = batch.Count;
        CheckBatch(batch);
        EnsureCapacity(n);
        Forward(batch.Features, n, training: false);
        (double data, double correct) = LossAndOutputGradient(new Targets<float>(batch.Labels, batch.Targets), n, gradients: false);
        double total = ActivityPenalties(n, penalties);
        foreach (CompiledParameter p in parameters)
        {
            if (p.Regularizer is not null)
            {
                double v = p.Regularizer.Penalty<float>(p.Values);
                total += v;
                if (p.PenaltyIndex < penalties.Length)
                {
                    penalties[p.PenaltyIndex] = v;
                }
            }
        }
        return new StepResult(data, total, correct, n);
    }

    public void Predict(ReadOnlySpan<float> x, Span<float> output)
    {
        int n = x.Length / InputSize;
        if (x.Length != n * InputSize || output.Length != n * OutputSize)
        {
            throw new ShapeMismatchException($"{x.Length} inputs and {output.Length} outputs do not make whole samples of {InputSize} → {OutputSize}.", nameof(output));
        }
        int chunk = Math.Max(capacity, 1);
        for (int start = 0; start < n; start += chunk)
        {
            int count = Math.Min(chunk, n - start);
            Forward(x.Slice(start * InputSize, count * InputSize), count, training: false);
            steps[^1].Output.AsSpan(0, count * OutputSize).CopyTo(output.Slice(start * OutputSize));
        }
    }

    public void Dispose() => gemm.Dispose();

    private void Forward(ReadOnlySpan<float> x, int n, bool training)
    {
        for (int i = 0; i < steps.Length; i++)
        {
            steps[i].Forward(i == 0 ? x : steps[i - 1].Output, n, training, Seed, Step, gemm);
        }
    }

    private (double Data, double Correct) LossAndOutputGradient(Targets<float> targets, int n, bool gradients)
    {
        int size = n * OutputSize;
        Span<float> grad = gradients ? outputGradient.AsSpan(0, size) : default;
        ReadOnlySpan<float> output = steps[^1].Output.AsSpan(0, size);
        double smoothing = Spec.LabelSmoothing;
        double data = head switch
        {
            Head.SoftmaxLogits => LossFunctions.SoftmaxCrossEntropy<float>(steps[^1].PreActivation.AsSpan(0, size), targets, OutputSize, smoothing, grad),
            Head.SigmoidLogits => LossFunctions.SigmoidBinaryCrossEntropy<float>(steps[^1].PreActivation.AsSpan(0, size), targets, OutputSize, smoothing, grad),
            _ => Spec.Loss switch
            {
                Loss.CategoricalCrossEntropy => LossFunctions.CategoricalCrossEntropy(output, targets, OutputSize, smoothing, grad),
                Loss.BinaryCrossEntropy => LossFunctions.BinaryCrossEntropy(output, targets, OutputSize, smoothing, grad),
                _ => LossFunctions.MeanSquaredError(output, targets, OutputSize, grad),
            },
        };
        return (data, LossFunctions.CorrectCount(Spec.Loss, output, targets, OutputSize, Spec.FromLogits));
    }

    private double ActivityPenalties(int n, Span<double> penalties)
    {
        double total = 0;
        for (int i = 0; i < penaltySources.Length; i++)
        {
            if (penaltySources[i].Layer is { } layer)
            {
                double v = layer.Spec.ActivityRegularizer!.Penalty<float>(layer.Output.AsSpan(0, n * layer.Outputs)) / n;
                total += v;
                if (i < penalties.Length)
                {
                    penalties[i] = v;
                }
            }
        }
        return total;
    }

    private double Update(Span<double> penalties)
    {
        OptimizerIterations++;
        UpdateRule rule = UpdateRule.Create(optimizer, LearningRate, OptimizerIterations);
        double globalScale = 1.0;
        if (optimizer.GlobalClipNorm is { } gc)
        {
            double sq = 0;
            foreach (CompiledParameter p in trainable)
            {
                sq += FusedUpdate.TotalGradientSquaredNorm(p.Values, p.Gradient, p.L1, p.L2);
            }
            globalScale = OptimizerOps.ClipScale(Math.Sqrt(sq), gc);
        }
        double total = 0;
        foreach (CompiledParameter p in trainable)
        {
            double scale = globalScale;
            if (optimizer.ClipNorm is { } cn)
            {
                scale *= OptimizerOps.ClipScale(Math.Sqrt(FusedUpdate.TotalGradientSquaredNorm(p.Values, p.Gradient, p.L1, p.L2)), cn);
            }
            bool decays = optimizer.DecayAllParameters || p.Public.Role == ParameterRole.Kernel;
            double penalty = FusedUpdate.Apply(rule, p.Values, p.Gradient, p.Slots, p.L1, p.L2, decays, (float)scale);
            if (p.PenaltyIndex >= 0)
            {
                total += penalty;
                if (p.PenaltyIndex < penalties.Length)
                {
                    penalties[p.PenaltyIndex] = penalty;
                }
            }
            p.Constraint?.Apply<float>(p.Values, p.Rows, p.Columns);
        }
        return total;
    }

    private void EnsureCapacity(int n)
    {
        if (n > capacity)
        {
            Resize(n);
        }
    }

    private void Resize(int n)
    {
        capacity = n;
        foreach (CompiledStep s in steps)
        {
            s.Resize(n);
        }
        outputGradient = new float[n * OutputSize];
    }

    private void CheckBatch(in Batch batch)
    {
        int n = batch.Count;
        if (n <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), n, "batch size must be ≥ 1");
        }
        if (batch.Features.Length != n * InputSize)
        {
            throw new ShapeMismatchException($"features have {batch.Features.Length} values; a batch of {n} samples × {InputSize} features needs {n * InputSize}.", "x");
        }
        if (!batch.Labels.IsEmpty)
        {
            if (batch.Labels.Length != n)
            {
                throw new ShapeMismatchException($"{batch.Labels.Length} labels for {n} samples.", "labels");
            }
            if (Spec.Loss != Loss.MeanSquaredError)
            {
                int classes = Spec.Loss == Loss.CategoricalCrossEntropy ? OutputSize : 2;
                foreach (int label in batch.Labels)
                {
                    if ((uint)label >= (uint)classes)
                    {
                        throw new ArgumentOutOfRangeException("labels", label, $"label {label} is outside [0, {classes - 1}] for a model with {OutputSize} output unit(s) and {Spec.Loss}.");
                    }
                }
            }
            if (Spec.Loss != Loss.CategoricalCrossEntropy && OutputSize != 1)
            {
                throw new ShapeMismatchException($"integer labels need one output unit for {Spec.Loss}, the model has {OutputSize}; give float targets of {OutputSize} values per sample.", "labels");
            }
        }
        else if (batch.Targets.Length != n * OutputSize)
        {
            throw new ShapeMismatchException($"targets have {batch.Targets.Length} values; {n} samples × {OutputSize} outputs need {n * OutputSize}.", "targets");
        }
    }
}
