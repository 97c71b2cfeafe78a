namespace FuncReg;

/// <summary>
/// A learning rate as a function of the zero-based epoch, as Keras's <c>LearningRateSchedule</c> but counted in
/// epochs rather than optimizer steps. Records hold hyperparameters only and compute with <see cref="At"/>; a
/// <see cref="LearningRateScheduler"/> applies one at the start of every epoch. Every schedule returns a rate
/// computed from its own hyperparameters and the epoch alone, whatever the live rate is. The set is closed (the
/// hyperparameters are saved in checkpoints); for any other rule give <see cref="LearningRateScheduler"/> a function.
/// </summary>
public abstract record LearningRateSchedule
{
    protected LearningRateSchedule(double initialLearningRate) =>
        InitialLearningRate = Guard.Positive(initialLearningRate, nameof(InitialLearningRate));

    /// <summary>The rate at epoch 0, a finite number &gt; 0.</summary>
    public double InitialLearningRate { get; }

    /// <summary>The learning rate of zero-based <paramref name="epoch"/> (≥ 0).</summary>
    public double At(int epoch)
    {
        Guard.NonNegative(epoch, nameof(epoch));
        Validate();
        return Rate(epoch);
    }

    /// <summary>Throws <see cref="ArgumentException"/> when hyperparameters that are fine alone do not fit together. The default checks nothing.</summary>
    public virtual void Validate()
    {
    }

    /// <summary>The formula of the concrete schedule, for an epoch already checked.</summary>
    protected abstract double Rate(int epoch);

    /// <summary>The hyperparameters as named numbers (null for an unset option), saved in checkpoints so that a resume with another schedule is refused.</summary>
    internal abstract IEnumerable<(string Name, double? Value)> Describe();
}
