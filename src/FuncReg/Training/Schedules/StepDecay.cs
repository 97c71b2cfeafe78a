namespace FuncReg;

/// <summary>
/// Step decay (PyTorch's <c>StepLR</c>; Keras's <c>ExponentialDecay</c> with <c>staircase=True</c> and rate = factor):
/// <c>lr = r₀·Factor^⌊epoch / StepEpochs⌋</c> — the rate is multiplied by <see cref="Factor"/> every
/// <see cref="StepEpochs"/> epochs.
/// </summary>
public sealed record StepDecay : LearningRateSchedule
{
    /// <param name="initialLearningRate">r₀ &gt; 0, the rate of epochs 0 … StepEpochs − 1.</param>
    /// <param name="stepEpochs">Epochs between two drops, ≥ 1.</param>
    /// <param name="factor">Multiplier per drop, in (0, 1).</param>
    public StepDecay(double initialLearningRate, int stepEpochs, double factor)
        : base(initialLearningRate)
    {
        StepEpochs = Guard.Positive(stepEpochs, nameof(stepEpochs));
        Factor = factor > 0 && factor < 1 ? factor : throw new ArgumentOutOfRangeException(nameof(factor), factor, $"factor must be in (0, 1), got {factor}.");
    }

    public int StepEpochs { get; }

    public double Factor { get; }

    protected override double Rate(int epoch) => InitialLearningRate * Math.Pow(Factor, epoch / StepEpochs);

    internal override IEnumerable<(string Name, double? Value)> Describe() =>
    [
        ("step_decay.initial_learning_rate", InitialLearningRate),
        ("step_decay.step_epochs", StepEpochs),
        ("step_decay.factor", Factor),
    ];
}
