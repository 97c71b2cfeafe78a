using System.Globalization;

namespace FuncReg;

/// <summary>
/// Keras's <c>LearningRateScheduler</c>: at the start of every epoch, <c>lr ← schedule(epoch, lr)</c>, where epoch is
/// the zero-based epoch index (a Fit with <see cref="FitOptions.InitialEpoch"/> k starts at k) and lr is the live rate. The epoch
/// trains with the new rate, and <see cref="EpochLog.LearningRate"/> records it. The result must be a finite number
/// &gt; 0; anything else throws <see cref="InvalidOperationException"/> naming the epoch before the epoch starts.
/// <para>
/// A built-in <see cref="LearningRateSchedule"/> (<see cref="CosineDecay"/>, <see cref="StepDecay"/>,
/// <see cref="ExponentialDecay"/>) gives the rate from the epoch alone: <c>lr ← schedule.At(epoch)</c>. Any change
/// another callback makes to the rate would be overwritten at the next epoch, so <see cref="Trainer.Fit"/> refuses
/// such a scheduler together with <see cref="ReduceLROnPlateau"/> (an <see cref="ArgumentException"/> before the
/// first step). A function schedule sees the live rate, so it may be combined with <see cref="ReduceLROnPlateau"/>:
/// a reduction made at the end of epoch k is the <c>lr</c> the function receives at epoch k + 1 (for example
/// <c>(e, lr) =&gt; e &lt; 10 ? lr : lr * 0.95</c> keeps every reduction). Two schedulers in one training are refused.
/// </para>
/// <para>
/// Checkpoints: the live rate is saved with every checkpoint, and resuming at an epoch boundary applies the schedule
/// to the saved rate, so a resumed training is bit-identical to an uninterrupted one (a resume in mid-epoch keeps
/// the saved rate). A built-in schedule's hyperparameters are saved as well, and resuming with different ones throws
/// <see cref="CheckpointFormatException"/>; a function cannot be compared and is taken as given.
/// </para>
/// </summary>
public sealed class LearningRateScheduler : Callback
{
    private readonly Func<int, double, double> function;

    /// <summary>A scheduler calling <paramref name="schedule"/>(epoch, live rate) at every epoch's start.</summary>
    public LearningRateScheduler(Func<int, double, double> schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        function = schedule;
    }

    /// <summary>A scheduler setting the rate of every epoch to <paramref name="schedule"/>.<see cref="LearningRateSchedule.At"/>(epoch).</summary>
    public LearningRateScheduler(LearningRateSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        schedule.Validate();
        Schedule = schedule;
        function = (epoch, _) => schedule.At(epoch);
    }

    /// <summary>The built-in schedule, or null for a function schedule.</summary>
    public LearningRateSchedule? Schedule { get; }

    public override void OnTrainBegin(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IReadOnlyList<Callback> callbacks = context.Options.Callbacks;
        if (callbacks.Count(c => c is LearningRateScheduler) > 1)
        {
            throw new ArgumentException("FitOptions.Callbacks has more than one LearningRateScheduler; each would overwrite the other's rate. Keep one.", nameof(FitOptions.Callbacks));
        }
        if (Schedule is not null && callbacks.Any(c => c is ReduceLROnPlateau))
        {
            throw new ArgumentException($"FitOptions.Callbacks has both ReduceLROnPlateau and a LearningRateScheduler with {Schedule.GetType().Name}, which sets every epoch's rate from the epoch alone and would undo each reduction one epoch later. Use one of them, or a function schedule (epoch, lr) => … that builds on the live rate.", nameof(FitOptions.Callbacks));
        }
    }

    public override void OnEpochBegin(TrainingContext context, int epoch)
    {
        ArgumentNullException.ThrowIfNull(context);
        double lr = function(epoch, context.Model.LearningRate);
        if (!(lr > 0) || !double.IsFinite(lr))
        {
            string hint = Schedule is CosineDecay { Alpha: 0 } ? " (CosineDecay with Alpha 0 reaches 0 at the end of its decay: set Alpha > 0 or more DecayEpochs)" : "";
            throw new InvalidOperationException($"The learning-rate schedule gave {lr.ToString(CultureInfo.InvariantCulture)} for epoch {epoch}; a learning rate must be a finite number > 0{hint}.");
        }
        context.Model.LearningRate = lr;
    }

    /// <summary>Saves a built-in schedule's hyperparameters (nothing for a function schedule).</summary>
    public override void WriteState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var (name, value) in Schedule?.Describe() ?? [])
        {
            state.Set(name, value);
        }
    }

    /// <summary>
    /// Checks that the checkpoint was written with the same built-in schedule: every saved hyperparameter is finite or
    /// null (as <see cref="LearningRateSchedule"/>'s records hold them) and equal to this scheduler's.
    /// </summary>
    public override void ReadState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (string key in state.Values.Keys)
        {
            state.GetFiniteOrNull(key);
        }
        var mine = (Schedule?.Describe() ?? []).ToList();
        foreach (var (name, value) in mine)
        {
            if (!state.Values.TryGetValue(name, out double? saved))
            {
                throw state.Error($"the checkpoint was written with another schedule ({Saved(state)}); this scheduler has {Schedule}. Resume with the same schedule.");
            }
            if (saved != value)
            {
                throw state.Error($"the checkpoint was written with {name} = {Show(saved)}; this scheduler has {Show(value)} ({Schedule}). Resume with the same schedule.");
            }
        }
        if (state.Values.Count != mine.Count)
        {
            throw state.Error($"the checkpoint was written with another schedule ({Saved(state)}); this scheduler has {(Schedule?.ToString() ?? "a function schedule")}. Resume with the same schedule.");
        }
    }

    private static string Saved(CallbackState state) =>
        state.Values.Count == 0 ? "a function schedule" : string.Join(", ", state.Values.Select(p => $"{p.Key} = {Show(p.Value)}"));

    private static string Show(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "null";
}
