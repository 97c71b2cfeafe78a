namespace FuncReg;

/// <summary>The reference interpreter as an <see cref="IModel"/>, in float. Built by <see cref="Reference.Build"/>.</summary>
public sealed class ReferenceModel : IModel
{
    private readonly ReferenceNet<float> net;
    private Optimizer optimizer = new Adam();
    private Parameter[] optimizerState = [];

    public ReferenceModel(Sequential spec, long seed)
    {
        net = new ReferenceNet<float>(spec, seed);
        Parameters = [.. net.Parameters.Select(p => new Parameter(p.Name, p.Shape, p.Role, p.Values))];
        Optimizer = optimizer;
    }

    public Sequential Spec => net.Spec;

    public long Seed => net.Seed;

    public int InputSize => net.Inputs;

    public int OutputSize => net.Outputs;

    public IReadOnlyList<Parameter> Parameters { get; }

    public IReadOnlyList<string> PenaltyNames => net.PenaltyNames;

    /// <summary>The interpreter underneath.</summary>
    public ReferenceNet<float> Net => net;

    public Optimizer Optimizer
    {
        get => optimizer;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            net.ResetOptimizer(value);
            optimizer = value;
            LearningRate = value.LearningRate;
            optimizerState = [.. net.Parameters.Zip(net.OptimizerSlots).SelectMany(pair =>
                pair.Second.Slots.Select((s, k) => new Parameter($"{pair.First.Name}/slot{k}", pair.First.Shape, pair.First.Role, s)))];
        }
    }

    public double LearningRate
    {
        get;
        set => field = Guard.Positive(value, nameof(LearningRate));
    }

    public long Step { get; set; }

    public IReadOnlyList<Parameter> OptimizerState => optimizerState;

    public long OptimizerIterations
    {
        get => net.Iterations;
        set => net.Iterations = value;
    }

    public StepResult TrainStep(in Batch batch, Span<double> penalties)
    {
        LossBreakdown b = net.Loss(batch.Features, Targets(batch), batch.Count, new ForwardContext(true, true, Seed, Step), penalties, gradients: true);
        net.ApplyGradients(optimizer, LearningRate);
        Step++;
        return new StepResult(b.DataLoss, b.PenaltyLoss, b.Correct, b.Count);
    }

    public StepResult EvaluateBatch(in Batch batch, Span<double> penalties)
    {
        LossBreakdown b = net.Loss(batch.Features, Targets(batch), batch.Count, new ForwardContext(false, false, Seed, Step), penalties, gradients: false);
        return new StepResult(b.DataLoss, b.PenaltyLoss, b.Correct, b.Count);
    }

    public void Predict(ReadOnlySpan<float> x, Span<float> output)
    {
        int n = x.Length / InputSize;
        if (output.Length != n * OutputSize)
        {
            throw new ShapeMismatchException($"output has {output.Length} values; {n} samples × {OutputSize} outputs need {n * OutputSize}.", nameof(output));
        }
        net.Forward(x, n, new ForwardContext(false, false, Seed, Step)).CopyTo(output);
    }

    private static Targets<float> Targets(in Batch batch) => new(batch.Labels, batch.Targets);
}
