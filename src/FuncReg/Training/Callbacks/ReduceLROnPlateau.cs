namespace FuncReg;

/// <summary>
/// Keras's <c>ReduceLROnPlateau</c>: after <see cref="Patience"/> epochs without an improvement of more than
/// <see cref="MinDelta"/>, <c>lr ← max(lr·Factor, MinLearningRate)</c>, then <see cref="Cooldown"/> epochs
/// in which waiting does not count.
/// </summary>
public sealed class ReduceLROnPlateau : Callback
{
    private int wait, cooldownCounter;
    private double? best;

    public string Monitor { get; init; } = "val_loss";

    /// <summary>Multiplier in (0, 1); Keras default 0.1.</summary>
    public double Factor
    {
        get;
        init => field = value > 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Factor), value, "Factor must be in (0, 1).");
    } = 0.1;

    public int Patience { get; init => field = Guard.NonNegative(value, nameof(Patience)); } = 10;

    public MonitorMode Mode { get; init; }

    public double MinDelta { get; init => field = Guard.NonNegative(value, nameof(MinDelta)); } = 1e-4;

    public int Cooldown { get; init => field = Guard.NonNegative(value, nameof(Cooldown)); }

    public double MinLearningRate { get; init => field = Guard.NonNegative(value, nameof(MinLearningRate)); }

    public override void OnTrainBegin(TrainingContext context)
    {
        MonitorRules.RequireAvailable(Monitor, context, nameof(ReduceLROnPlateau));
        wait = 0;
        cooldownCounter = 0;
        best = null;
    }

    public override void OnEpochEnd(TrainingContext context, EpochLog log)
    {
        double current = log.Get(Monitor)
            ?? throw new InvalidOperationException($"ReduceLROnPlateau monitors '{Monitor}', which this training does not log; available: {string.Join(", ", log.Metrics.Keys)}.");
        bool max = MonitorRules.Maximize(Monitor, Mode);
        if (cooldownCounter > 0)
        {
            cooldownCounter--;
            wait = 0;
        }
        bool improved = best is not { } b || (max ? current > b + MinDelta : current < b - MinDelta);
        if (improved)
        {
            best = current;
            wait = 0;
        }
        else if (cooldownCounter <= 0)
        {
            wait++;
            if (wait >= Patience)
            {
                double lr = context.Model.LearningRate;
                if (lr > MinLearningRate)
                {
                    context.Model.LearningRate = Math.Max(lr * Factor, MinLearningRate);
                    cooldownCounter = Cooldown;
                    wait = 0;
                }
            }
        }
    }

    /// <summary>Saves wait, the cooldown counter and the best value.</summary>
    public override void WriteState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("wait", wait);
        state.Set("cooldown", cooldownCounter);
        state.Set("best", best);
    }

    /// <summary>
    /// Restores wait and the cooldown counter (whole numbers ≥ 0) and the best value: a number or null — NaN or ±∞ too,
    /// which the first epoch keeps when its monitored value was not finite.
    /// </summary>
    public override void ReadState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int w = state.GetInt32("wait", 0, int.MaxValue), c = state.GetInt32("cooldown", 0, int.MaxValue);
        best = state.GetDouble("best");
        wait = w;
        cooldownCounter = c;
    }
}
