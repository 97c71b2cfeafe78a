namespace FuncReg;

/// <summary>
/// Keras's <c>ExponentialDecay</c>, counted in epochs: <c>lr = r₀·DecayRate^(epoch / DecayEpochs)</c>, with the
/// exponent rounded down to a whole number when <see cref="Staircase"/> is set.
/// </summary>
public sealed record ExponentialDecay : LearningRateSchedule
{
    /// <param name="initialLearningRate">r₀ &gt; 0, the rate at epoch 0.</param>
    /// <param name="decayEpochs">Epochs over which the rate is multiplied by <paramref name="decayRate"/>, ≥ 1.</param>
    /// <param name="decayRate">In (0, 1).</param>
    public ExponentialDecay(double initialLearningRate, int decayEpochs, double decayRate)
        : base(initialLearningRate)
    {
        DecayEpochs = Guard.Positive(decayEpochs, nameof(decayEpochs));
        DecayRate = decayRate > 0 && decayRate < 1 ? decayRate : throw new ArgumentOutOfRangeException(nameof(decayRate), decayRate, $"decayRate must be in (0, 1), got {decayRate}.");
    }

    public int DecayEpochs { get; }

    public double DecayRate { get; }

    /// <summary>Decay in whole steps of <see cref="DecayEpochs"/> (Keras <c>staircase</c>).</summary>
    public bool Staircase { get; init; }

    protected override double Rate(int epoch)
    {
        double exponent = Staircase ? epoch / DecayEpochs : (double)epoch / DecayEpochs;
        return InitialLearningRate * Math.Pow(DecayRate, exponent);
    }

    internal override IEnumerable<(string Name, double? Value)> Describe() =>
    [
        ("exponential_decay.initial_learning_rate", InitialLearningRate),
        ("exponential_decay.decay_epochs", DecayEpochs),
        ("exponential_decay.decay_rate", DecayRate),
        ("exponential_decay.staircase", Staircase ? 1 : 0),
    ];
}
