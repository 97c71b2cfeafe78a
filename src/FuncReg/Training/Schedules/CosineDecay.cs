namespace FuncReg;

/// <summary>
/// Keras's <c>CosineDecay</c> (SGDR without restarts, with optional linear warm-up), counted in epochs. With
/// r₀ = <see cref="LearningRateSchedule.InitialLearningRate"/>, D = <see cref="DecayEpochs"/>, α = <see cref="Alpha"/>:
/// <list type="bullet">
/// <item>without <see cref="WarmupTarget"/>: with s = min(epoch, D),
/// <c>lr = r₀·((1 − α)·½·(1 + cos(π·s/D)) + α)</c> — r₀ at epoch 0, falling to α·r₀ at epoch D and staying there;</item>
/// <item>with <see cref="WarmupTarget"/> r̂ and W = <see cref="WarmupEpochs"/>: with e = min(epoch, W + D), epochs
/// e &lt; W warm up linearly, <c>lr = r₀ + (r̂ − r₀)·e/W</c>; from epoch W on, <c>lr = r̂·((1 − α)·½·(1 + cos(π·(e − W)/D)) + α)</c>
/// — r̂ at epoch W, α·r̂ from epoch W + D on.</item>
/// </list>
/// After the warm-up the rate never increases. Keras's defaults: α = 0, no warm-up. Since a learning rate must be
/// &gt; 0, α = 0 is only usable while epoch &lt; W + D (a <see cref="LearningRateScheduler"/> reports the epoch otherwise).
/// </summary>
public sealed record CosineDecay : LearningRateSchedule
{
    /// <param name="initialLearningRate">r₀ &gt; 0: the rate at epoch 0 (the warm-up's start when <see cref="WarmupTarget"/> is set).</param>
    /// <param name="decayEpochs">D ≥ 1: epochs over which the cosine falls from its peak to α·peak.</param>
    public CosineDecay(double initialLearningRate, int decayEpochs)
        : base(initialLearningRate) =>
        DecayEpochs = Guard.Positive(decayEpochs, nameof(decayEpochs));

    public int DecayEpochs { get; }

    /// <summary>α ∈ [0, 1]: the final rate as a fraction of the peak (Keras <c>alpha</c>).</summary>
    public double Alpha { get; init => field = Guard.UnitInterval(value, nameof(Alpha)); }

    /// <summary>r̂ &gt; 0: the rate the warm-up reaches at epoch <see cref="WarmupEpochs"/> and the cosine starts from; null for no warm-up.</summary>
    public double? WarmupTarget { get; init => field = value is { } v ? Guard.Positive(v, nameof(WarmupTarget)) : null; }

    /// <summary>W ≥ 0: epochs of linear warm-up; needs <see cref="WarmupTarget"/> when &gt; 0.</summary>
    public int WarmupEpochs { get; init => field = Guard.NonNegative(value, nameof(WarmupEpochs)); }

    /// <summary>Throws when <see cref="WarmupEpochs"/> &gt; 0 without a <see cref="WarmupTarget"/> (Keras would silently ignore the warm-up).</summary>
    public override void Validate()
    {
        if (WarmupEpochs > 0 && WarmupTarget is null)
        {
            throw new ArgumentException($"WarmupEpochs is {WarmupEpochs} but WarmupTarget is not set: give the rate the warm-up should reach, or set WarmupEpochs to 0.", nameof(WarmupTarget));
        }
    }

    protected override double Rate(int epoch)
    {
        if (WarmupTarget is not { } target)
        {
            return Decayed(Math.Min(epoch, DecayEpochs), InitialLearningRate);
        }
        int e = (int)Math.Min((long)epoch, (long)WarmupEpochs + DecayEpochs);
        return e < WarmupEpochs
            ? InitialLearningRate + ((target - InitialLearningRate) * e / WarmupEpochs)
            : Decayed(e - WarmupEpochs, target);
    }

    internal override IEnumerable<(string Name, double? Value)> Describe() =>
    [
        ("cosine_decay.initial_learning_rate", InitialLearningRate),
        ("cosine_decay.decay_epochs", DecayEpochs),
        ("cosine_decay.alpha", Alpha),
        ("cosine_decay.warmup_target", WarmupTarget),
        ("cosine_decay.warmup_epochs", WarmupEpochs),
    ];

    private double Decayed(int step, double peak)
    {
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * step / DecayEpochs));
        return peak * (((1 - Alpha) * cosine) + Alpha);
    }
}
