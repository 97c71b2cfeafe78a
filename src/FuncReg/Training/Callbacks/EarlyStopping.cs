namespace FuncReg;

/// <summary>
/// Keras 3's <c>EarlyStopping</c>, argument for argument, plus Lightning's stopping and divergence
/// thresholds. At each epoch end from <see cref="StartFromEpoch"/> on, with value v of <see cref="Monitor"/>:
/// <list type="number">
/// <item>if weights are to be restored and none are kept yet, keep the current ones;</item>
/// <item><c>wait ← wait + 1</c>;</item>
/// <item>v improves on the best when <c>v + MinDelta &lt; best</c> (min mode) or <c>v − MinDelta &gt; best</c>
/// (max mode), or when there is no best yet. Then best ← v, the weights are kept, and wait ← 0 —
/// but only if v also improves on <see cref="Baseline"/> (when given);</item>
/// <item>otherwise, if <c>wait ≥ Patience</c> and the epoch is not the first, training stops.</item>
/// </list>
/// When <see cref="RestoreBestWeights"/> is set, the kept weights are put back at the end of training,
/// whether training stopped early or ran every epoch.
/// </summary>
public sealed class EarlyStopping : Callback
{
    private float[][]? bestWeights;

    public string Monitor { get; init; } = "val_loss";

    /// <summary>Smallest change that counts as an improvement, ≥ 0.</summary>
    public double MinDelta { get; init => field = Guard.NonNegative(Math.Abs(value), nameof(MinDelta)); }

    /// <summary>Epochs without improvement before stopping, ≥ 0.</summary>
    public int Patience { get; init => field = Guard.NonNegative(value, nameof(Patience)); }

    public MonitorMode Mode { get; init; }

    /// <summary>Value the monitor must beat for the patience counter to reset.</summary>
    public double? Baseline { get; init; }

    public bool RestoreBestWeights { get; init; }

    /// <summary>Epochs to wait before monitoring starts (warm-up).</summary>
    public int StartFromEpoch { get; init => field = Guard.NonNegative(value, nameof(StartFromEpoch)); }

    /// <summary>Stop at once when the monitor reaches this value (at or below in min mode, at or above in max mode).</summary>
    public double? StoppingThreshold { get; init; }

    /// <summary>Stop at once when the monitor is worse than this value (above in min mode, below in max mode).</summary>
    public double? DivergenceThreshold { get; init; }

    /// <summary>Stop at once when the monitor is NaN or ±∞ (default on).</summary>
    public bool CheckFinite { get; init; } = true;

    /// <summary>Epochs since the last improvement.</summary>
    public int Wait { get; private set; }

    /// <summary>Best value seen, or null.</summary>
    public double? Best { get; private set; }

    public int BestEpoch { get; private set; }

    /// <summary>Epoch at which this callback stopped training (0 if it did not).</summary>
    public int StoppedEpoch { get; private set; }

    public override void OnTrainBegin(TrainingContext context)
    {
        MonitorRules.RequireAvailable(Monitor, context, nameof(EarlyStopping));
        Wait = 0;
        StoppedEpoch = 0;
        Best = null;
        BestEpoch = 0;
        bestWeights = null;
    }

    public override void OnEpochEnd(TrainingContext context, EpochLog log)
    {
        double? value = log.Get(Monitor);
        if (value is null)
        {
            throw new InvalidOperationException($"EarlyStopping monitors '{Monitor}', which this training does not log; available: {string.Join(", ", log.Metrics.Keys)}. Give validation data for val_* metrics.");
        }
        int epoch = log.Epoch;
        if (epoch < StartFromEpoch)
        {
            return;
        }
        double current = value.Value;
        bool max = MonitorRules.Maximize(Monitor, Mode);
        if (CheckFinite && !double.IsFinite(current))
        {
            Stop(context, epoch, $"EarlyStopping: {Monitor} = {current} is not finite at epoch {epoch}.");
            return;
        }
        if (RestoreBestWeights && bestWeights is null)
        {
            bestWeights = context.Model.GetWeights();
            BestEpoch = epoch;
        }
        Wait++;
        if (IsImprovement(current, Best, max))
        {
            Best = current;
            BestEpoch = epoch;
            if (RestoreBestWeights)
            {
                bestWeights = context.Model.GetWeights();
            }
            if (Baseline is null || IsImprovement(current, Baseline, max))
            {
                Wait = 0;
            }
        }
        else if (Wait >= Patience && epoch > 0)
        {
            Stop(context, epoch, $"EarlyStopping: {Monitor} did not improve on {Best:G6} (epoch {BestEpoch}) for {Wait} epochs (patience {Patience}).");
            return;
        }
        if (StoppingThreshold is { } st && (max ? current >= st : current <= st))
        {
            Stop(context, epoch, $"EarlyStopping: {Monitor} = {current:G6} reached the stopping threshold {st}.");
        }
        else if (DivergenceThreshold is { } dt && (max ? current < dt : current > dt))
        {
            Stop(context, epoch, $"EarlyStopping: {Monitor} = {current:G6} is past the divergence threshold {dt}.");
        }
    }

    public override void OnTrainEnd(TrainingContext context)
    {
        if (RestoreBestWeights && bestWeights is not null)
        {
            context.Model.SetWeights(bestWeights);
            context.History.RestoredEpoch = BestEpoch;
        }
    }

    /// <summary>Saves wait, best, best epoch, stopped epoch and the kept weights.</summary>
    public override void WriteState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("wait", Wait);
        state.Set("best", Best);
        state.Set("best_epoch", BestEpoch);
        state.Set("stopped_epoch", StoppedEpoch);
        state.SetArrays("best_weights", bestWeights);
    }

    /// <summary>
    /// Restores what <see cref="WriteState"/> saved, checked: wait, best epoch and stopped epoch are whole numbers ≥ 0
    /// (0 is also "none"), best is a number or null (finite when <see cref="CheckFinite"/>, which never keeps another),
    /// and with no best yet nothing has been waited for.
    /// </summary>
    public override void ReadState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int wait = state.GetInt32("wait", 0, int.MaxValue), bestEpoch = state.GetInt32("best_epoch", 0, int.MaxValue), stopped = state.GetInt32("stopped_epoch", 0, int.MaxValue);
        double? best = CheckFinite ? state.GetFiniteOrNull("best") : state.GetDouble("best");
        if (best is null && wait != 0)
        {
            throw state.Invalid("wait", wait, "0 while no best value is kept (the first monitored epoch sets one)");
        }
        Wait = wait;
        Best = best;
        BestEpoch = bestEpoch;
        StoppedEpoch = stopped;
        bestWeights = state.GetArrays("best_weights");
    }

    private bool IsImprovement(double current, double? reference, bool max)
    {
        if (reference is not { } r)
        {
            return true;
        }
        return max ? current - MinDelta > r : current + MinDelta < r;
    }

    private void Stop(TrainingContext context, int epoch, string reason)
    {
        StoppedEpoch = epoch;
        context.RequestStop(reason);
    }
}
