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
}

/// <summary>Whether a smaller or a larger monitored value is better.</summary>
public enum MonitorMode
{
    /// <summary>Max for names containing "acc", min otherwise (Keras's rule).</summary>
    Auto,
    Min,
    Max,
}

internal static class Monitor
{
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
