namespace FuncReg;

/// <summary>Hooks into <see cref="Trainer.Fit"/>, as Keras's <c>Callback</c>. Override what you need.</summary>
public abstract class Callback
{
    public virtual void OnTrainBegin(TrainingContext context)
    {
    }

    public virtual void OnEpochBegin(TrainingContext context, int epoch)
    {
    }

    public virtual void OnBatchEnd(TrainingContext context, int batch, StepResult result)
    {
    }

    public virtual void OnEpochEnd(TrainingContext context, EpochLog log)
    {
    }

    public virtual void OnTrainEnd(TrainingContext context)
    {
    }

    /// <summary>
    /// Saves what this callback has learned so far (counters, best values, kept weights) into a checkpoint;
    /// <see cref="ReadState"/> puts it back when training resumes. The default saves nothing.
    /// </summary>
    public virtual void WriteState(CallbackState state)
    {
    }

    /// <summary>
    /// Restores the state <see cref="WriteState"/> saved; called on resume after <see cref="OnTrainBegin"/>.
    /// A missing entry throws <see cref="CheckpointFormatException"/>.
    /// </summary>
    public virtual void ReadState(CallbackState state)
    {
    }
}

/// <summary>Whether a smaller or a larger monitored value is better.</summary>
public enum MonitorMode
{
    /// <summary>Max for names containing "acc", min otherwise (Keras's rule).</summary>
    Auto,
    Min,
    Max,
}

internal static class MonitorRules
{
    /// <summary>Fails before any training when a <c>val_*</c> metric is monitored but no validation data was given.</summary>
    public static void RequireAvailable(string monitor, TrainingContext context, string callback)
    {
        if (monitor.StartsWith("val_", StringComparison.Ordinal) && context.Options.Validation is null && context.Options.ValidationSplit == 0)
        {
            throw new ArgumentException($"{callback} monitors '{monitor}', but Fit has no validation data: set FitOptions.Validation or ValidationSplit, or monitor a training metric such as 'loss'.", nameof(FitOptions.Validation));
        }
    }

    public static bool Maximize(string monitor, MonitorMode mode) => mode switch
    {
        MonitorMode.Max => true,
        MonitorMode.Min => false,
        _ => monitor.Contains("acc", StringComparison.OrdinalIgnoreCase),
    };
}

/// <summary>Keras's <c>TerminateOnNaN</c>: stops training (instead of throwing) when the loss becomes NaN or ±∞.</summary>
public sealed class TerminateOnNaN : Callback
{
}
