namespace FuncReg;

/// <summary>
/// Keras's <c>ModelCheckpoint</c> (weights only): after an epoch whose monitored value improves (or after
/// every epoch without <see cref="SaveBestOnly"/>), writes the model's parameters as safetensors, atomically
/// (temporary file, then rename). A non-finite value never counts as an improvement, so a diverged run
/// leaves the last good file intact. <c>{epoch}</c> in the path is replaced by the epoch number.
/// </summary>
public sealed class ModelCheckpoint(string path) : Callback
{
    private double? best;

    public string Path { get; } = string.IsNullOrWhiteSpace(path) ? throw new ArgumentException("checkpoint path is empty", nameof(path)) : path;

    public string Monitor { get; init; } = "val_loss";

    public MonitorMode Mode { get; init; }

    public bool SaveBestOnly { get; init; } = true;

    /// <summary>Epoch of the last file written, or null.</summary>
    public int? LastSavedEpoch { get; private set; }

    public override void OnTrainBegin(TrainingContext context)
    {
        if (SaveBestOnly)
        {
            MonitorRules.RequireAvailable(Monitor, context, nameof(ModelCheckpoint));
        }
        best = null;
    }

    public override void OnEpochEnd(TrainingContext context, EpochLog log)
    {
        string file = Path.Replace("{epoch}", log.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        if (!SaveBestOnly)
        {
            Save(context, file, log.Epoch);
            return;
        }
        double current = log.Get(Monitor)
            ?? throw new InvalidOperationException($"ModelCheckpoint monitors '{Monitor}', which this training does not log; available: {string.Join(", ", log.Metrics.Keys)}.");
        if (!double.IsFinite(current))
        {
            return;
        }
        bool max = MonitorRules.Maximize(Monitor, Mode);
        if (best is not { } b || (max ? current > b : current < b))
        {
            best = current;
            Save(context, file, log.Epoch);
        }
    }

    /// <summary>Saves the best value and the epoch of the last file written.</summary>
    public override void WriteState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("best", best);
        state.Set("last_saved_epoch", LastSavedEpoch);
    }

    /// <summary>Restores the best value (finite or null: only finite values are kept) and the last saved epoch (≥ 0 or null).</summary>
    public override void ReadState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        double? b = state.GetFiniteOrNull("best");
        int? last = state.GetInt32OrNull("last_saved_epoch", 0, int.MaxValue);
        best = b;
        LastSavedEpoch = last;
    }

    private void Save(TrainingContext context, string file, int epoch)
    {
        SafeTensors.Save(context.Model, file, new Dictionary<string, string> { ["epoch"] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        LastSavedEpoch = epoch;
    }
}
