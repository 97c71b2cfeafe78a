using FuncReg.Kernels;

namespace FuncReg;

/// <summary>A parameter of a <see cref="FusedModel"/>: values, gradient, optimizer slots, penalty and constraint.</summary>
public sealed class FusedParameter
{
    internal FusedParameter(string name, int[] shape, ParameterRole role, Regularizer? regularizer, Constraint? constraint)
    {
        int length = shape.Aggregate(1, (a, b) => checked(a * b));
        Values = new float[length];
        Gradient = new float[length];
        Public = new Parameter(name, shape, role, Values);
        Regularizer = regularizer is { IsZero: false } ? regularizer : null;
        L1 = (float)(Regularizer?.L1Factor ?? 0);
        L2 = (float)(Regularizer?.L2Factor ?? 0);
        Constraint = constraint;
        Rows = shape.Length >= 2 ? length / shape[^1] : 1;
        Columns = shape[^1];
    }

    /// <summary>The values (live storage).</summary>
    public float[] Values { get; }

    /// <summary>∂(total loss − weight penalties)/∂value, written by the backward pass; the penalty gradient is added during the update.</summary>
    public float[] Gradient { get; }

    internal float[][] Slots { get; set; } = [];

    internal Parameter Public { get; }

    internal Regularizer? Regularizer { get; }

    internal float L1 { get; }

    internal float L2 { get; }

    internal Constraint? Constraint { get; }

    internal int Rows { get; }

    internal int Columns { get; }

    internal int PenaltyIndex { get; set; } = -1;
}

/// <summary>
/// The shared half of every fused model — the run-time compiled <see cref="CompiledModel"/> and the classes
/// the source generator emits: parameter registry (Keras names, same order and initialization streams as
/// the reference), the loss head (softmax/sigmoid fused with cross-entropy), the one-pass
/// penalty + clipping + decay + update over each parameter, constraints, argument checks and a workspace
/// sized by the largest batch. A subclass supplies the forward and backward passes.
/// A steady-state <see cref="TrainStep"/> allocates nothing.
/// </summary>
public abstract class FusedModel : IModel, IDisposable
{
    private readonly List<FusedParameter> parameters = [];
    private readonly List<string> penaltyNames = [];
    private FusedParameter[] trainable = [];
    private Parameter[] publicParameters = [];
    private Optimizer optimizer = new Adam();
    private Parameter[] optimizerState = [];
    private float[] outputGradient = [];
    private LossHead head;
    private int capacity;
    private readonly int outputSize;

    /// <summary>Starts a model of <paramref name="spec"/>; the subclass registers its parameters, then calls <see cref="CompleteRegistration"/>.</summary>
    protected FusedModel(Sequential spec, long seed, int threads)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Guard.Positive(threads);
        Spec = spec;
        Seed = seed;
        // Sequential computes its output width by walking the layers; a step reads it several times.
        outputSize = spec.Outputs;
        GemmContext = new GemmContext(threads);
    }

    public Sequential Spec { get; }

    public long Seed { get; }

    public int InputSize => Spec.Inputs;

    public int OutputSize => outputSize;

    public IReadOnlyList<Parameter> Parameters => publicParameters;

    public IReadOnlyList<string> PenaltyNames => penaltyNames;

    /// <summary>GEMM threads (results do not depend on it).</summary>
    public int Threads => GemmContext.ThreadCount;

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
            foreach (FusedParameter p in parameters)
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

    /// <summary>Workspace and threads of the GEMM calls.</summary>
    protected GemmContext GemmContext { get; }

    /// <summary>The loss head chosen for <see cref="Spec"/> (see <see cref="ModelRules.HeadOf"/>).</summary>
    protected LossHead Head => head;

    /// <summary>Rows the buffers currently hold.</summary>
    protected int Capacity => capacity;

    /// <summary>Registers the next parameter (layer order, as the reference) and initializes it.</summary>
    protected FusedParameter AddParameter(string name, int[] shape, ParameterRole role, Regularizer? regularizer = null, Constraint? constraint = null, Initializer initializer = Initializer.Zeros, int fanIn = 1, int fanOut = 1)
    {
        var p = new FusedParameter(name, shape, role, regularizer, constraint);
        Initializers.Fill<float>(initializer, p.Values, fanIn, fanOut, Seed, parameters.Count);
        parameters.Add(p);
        if (p.Regularizer is not null)
        {
            p.PenaltyIndex = penaltyNames.Count;
            penaltyNames.Add(name);
        }
        return p;
    }

    /// <summary>Registers an activity penalty term (after its layer's parameters); returns its index.</summary>
    protected int AddActivityPenalty(string layerName)
    {
        penaltyNames.Add($"{layerName}.activity");
        return penaltyNames.Count - 1;
    }

    /// <summary>Ends registration: optimizer slots, public lists, loss head.</summary>
    protected void CompleteRegistration()
    {
        ModelRules.CheckFromLogits(Spec);
        head = ModelRules.HeadOf(Spec);
        trainable = [.. parameters.Where(p => p.Public.Trainable)];
        publicParameters = [.. parameters.Select(p => p.Public)];
        Optimizer = optimizer;
    }

    /// <summary>(Re)allocates every buffer for <paramref name="rows"/> samples.</summary>
    protected abstract void Allocate(int rows);

    /// <summary>Forward pass over n samples; training turns noise on and batch statistics (and their running update) on.</summary>
    protected abstract void Forward(ReadOnlySpan<float> x, int n, bool training);

    /// <summary>Backward pass: from ∂L/∂output (∂L/∂logits under a fused head) to every parameter's <see cref="FusedParameter.Gradient"/>.</summary>
    protected abstract void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> outputGradient, int n);

    /// <summary>The model's outputs of the last forward pass, [capacity, outputs].</summary>
    protected abstract float[] Outputs { get; }

    /// <summary>The last layer's pre-activation of the last forward pass (used by the fused loss heads).</summary>
    protected abstract float[] Logits { get; }

    /// <summary>Activity penalties of the last forward pass, written at their indices; returns their sum.</summary>
    protected virtual double ActivityPenalties(int n, Span<double> penalties) => 0;

    /// <summary>The first <paramref name="length"/> values of a buffer (generated code's slicing helper).</summary>
    protected static Span<float> Take(float[] buffer, int length)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        return buffer.AsSpan(0, length);
    }

    /// <summary>Zeroes <paramref name="gradient"/> and returns it, for kernels that accumulate into a gradient.</summary>
    protected static Span<float> Cleared(float[] gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        gradient.AsSpan().Clear();
        return gradient;
    }

    /// <summary>Writes one activity penalty <c>Ω(y)/n</c> at <paramref name="index"/> and returns it.</summary>
    protected static double ActivityPenalty(Regularizer regularizer, ReadOnlySpan<float> output, int n, int index, Span<double> penalties)
    {
        ArgumentNullException.ThrowIfNull(regularizer);
        double v = regularizer.Penalty(output) / n;
        if (index < penalties.Length)
        {
            penalties[index] = v;
        }
        return v;
    }

    public StepResult TrainStep(in Batch batch, Span<double> penalties)
    {
        int n = batch.Count;
        CheckBatch(batch);
        EnsureCapacity(n);
        Forward(batch.Features, n, training: true);
        (double data, double correct) = LossAndOutputGradient(new Targets<float>(batch.Labels, batch.Targets), n, gradients: true);
        double activity = ActivityPenalties(n, penalties);
        Backward(batch.Features, outputGradient.AsSpan(0, n * OutputSize), n);
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
        foreach (FusedParameter p in parameters)
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
        EnsureCapacity(Math.Min(n, 256));
        int chunk = Math.Max(capacity, 1);
        for (int start = 0; start < n; start += chunk)
        {
            int count = Math.Min(chunk, n - start);
            Forward(x.Slice(start * InputSize, count * InputSize), count, training: false);
            Outputs.AsSpan(0, count * OutputSize).CopyTo(output.Slice(start * OutputSize));
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            GemmContext.Dispose();
        }
    }

    private (double Data, double Correct) LossAndOutputGradient(Targets<float> targets, int n, bool gradients)
    {
        int size = n * OutputSize;
        Span<float> grad = gradients ? outputGradient.AsSpan(0, size) : default;
        ReadOnlySpan<float> output = Outputs.AsSpan(0, size);
        double smoothing = Spec.LabelSmoothing;
        double data = head switch
        {
            LossHead.SoftmaxLogits => LossFunctions.SoftmaxCrossEntropy<float>(Logits.AsSpan(0, size), targets, OutputSize, smoothing, grad),
            LossHead.SigmoidLogits => LossFunctions.SigmoidBinaryCrossEntropy<float>(Logits.AsSpan(0, size), targets, OutputSize, smoothing, grad),
            _ => Spec.Loss switch
            {
                Loss.CategoricalCrossEntropy => LossFunctions.CategoricalCrossEntropy(output, targets, OutputSize, smoothing, grad),
                Loss.BinaryCrossEntropy => LossFunctions.BinaryCrossEntropy(output, targets, OutputSize, smoothing, grad),
                _ => LossFunctions.MeanSquaredError(output, targets, OutputSize, grad),
            },
        };
        return (data, LossFunctions.CorrectCount(Spec.Loss, output, targets, OutputSize, Spec.FromLogits));
    }

    private double Update(Span<double> penalties)
    {
        OptimizerIterations++;
        UpdateRule rule = UpdateRule.Create(optimizer, LearningRate, OptimizerIterations);
        double globalScale = 1.0;
        if (optimizer.GlobalClipNorm is { } gc)
        {
            double sq = 0;
            foreach (FusedParameter p in trainable)
            {
                sq += FusedUpdate.TotalGradientSquaredNorm(p.Values, p.Gradient, p.L1, p.L2);
            }
            globalScale = OptimizerOps.ClipScale(Math.Sqrt(sq), gc);
        }
        double total = 0;
        foreach (FusedParameter p in trainable)
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
            capacity = n;
            Allocate(n);
            outputGradient = new float[n * OutputSize];
        }
    }

    private void CheckBatch(in Batch batch) =>
        ModelRules.CheckBatch(Spec, OutputSize, batch.Count, batch.Features.Length, batch.Labels, batch.Targets.Length);
}
