namespace FuncReg;

/// <summary>
/// One batch: <see cref="Count"/> samples of features (row-major, Count × inputs) and either integer
/// labels (Count) or float targets (Count × outputs).
/// </summary>
public readonly ref struct Batch
{
    public Batch(ReadOnlySpan<float> features, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets, int count)
    {
        Features = features;
        Labels = labels;
        Targets = targets;
        Count = count;
    }

    public ReadOnlySpan<float> Features { get; }

    public ReadOnlySpan<int> Labels { get; }

    public ReadOnlySpan<float> Targets { get; }

    public int Count { get; }
}

/// <summary>What one train or evaluation step measured.</summary>
/// <param name="DataLoss">Mean data loss over the batch.</param>
/// <param name="PenaltyLoss">Sum of all penalty terms.</param>
/// <param name="Correct">Sum over the batch of per-sample accuracy (0 for regression).</param>
/// <param name="Count">Samples in the batch.</param>
public readonly record struct StepResult(double DataLoss, double PenaltyLoss, double Correct, int Count)
{
    public double Loss => DataLoss + PenaltyLoss;
}

/// <summary>A named parameter tensor of a model, in Keras layout; <see cref="Values"/> is live storage.</summary>
public sealed class Parameter
{
    private readonly float[] data;

    public Parameter(string name, int[] shape, ParameterRole role, float[] data)
    {
        Name = name;
        Shape = shape;
        Role = role;
        this.data = data;
    }

    /// <summary>e.g. <c>dense_0.kernel</c>, <c>batch_norm_1.moving_mean</c>.</summary>
    public string Name { get; }

    public IReadOnlyList<int> Shape { get; }

    public ParameterRole Role { get; }

    public bool Trainable => Role is not (ParameterRole.MovingMean or ParameterRole.MovingVariance);

    /// <summary>The values themselves (not a copy).</summary>
    public Span<float> Values => data;

    public int Length => data.Length;
}

/// <summary>
/// The one model interface: implemented by the reference interpreter and by generated models, so
/// <see cref="Trainer"/>, every callback, serialization and the CLI work with both.
/// </summary>
public interface IModel
{
    /// <summary>The model as records.</summary>
    Sequential Spec { get; }

    /// <summary>Seed of every random stream (initialization, shuffling, dropout…).</summary>
    long Seed { get; }

    int InputSize { get; }

    int OutputSize { get; }

    /// <summary>All parameters in layer order, trainable and not (moving statistics).</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Names of the penalty terms, in the order train and evaluation steps report them.</summary>
    IReadOnlyList<string> PenaltyNames { get; }

    /// <summary>The optimizer; setting a different one resets its moments and step count.</summary>
    Optimizer Optimizer { get; set; }

    /// <summary>Live learning rate (callbacks change it).</summary>
    double LearningRate { get; set; }

    /// <summary>Training steps taken: keys the dropout and noise streams.</summary>
    long Step { get; set; }

    /// <summary>Optimizer moments, named <c>{parameter}/slot{k}</c>, for checkpoints.</summary>
    IReadOnlyList<Parameter> OptimizerState { get; }

    /// <summary>Optimizer iterations taken (Adam's t).</summary>
    long OptimizerIterations { get; set; }

    /// <summary>Forward in training mode, backward, one optimizer update, constraints; penalties written per term.</summary>
    StepResult TrainStep(in Batch batch, Span<double> penalties);

    /// <summary>Loss and accuracy in inference mode (no noise, running statistics), no update.</summary>
    StepResult EvaluateBatch(in Batch batch, Span<double> penalties);

    /// <summary>Inference outputs for <c>x.Length / InputSize</c> samples.</summary>
    void Predict(ReadOnlySpan<float> x, Span<float> output);
}
