namespace FuncReg;

/// <summary>
/// One epoch's record. Training values are means over the epoch's batches weighted by batch size, taken
/// with training behaviour (dropout on), as Keras reports them; validation values are computed after the
/// epoch in inference mode. <c>loss</c> = data loss + every penalty term, for both.
/// </summary>
public sealed record EpochLog
{
    public required int Epoch { get; init; }

    public required double DataLoss { get; init; }

    /// <summary>Each penalty term by name (<c>dense_0.kernel</c>, <c>dense_0.activity</c>…).</summary>
    public required IReadOnlyDictionary<string, double> Penalties { get; init; }

    public double PenaltyLoss => Penalties.Values.Sum();

    public double Loss => DataLoss + PenaltyLoss;

    /// <summary>Accuracy for classification losses, null for regression.</summary>
    public double? Accuracy { get; init; }

    public double? ValDataLoss { get; init; }

    public IReadOnlyDictionary<string, double>? ValPenalties { get; init; }

    public double? ValLoss => ValDataLoss is { } d ? d + (ValPenalties?.Values.Sum() ?? 0) : null;

    public double? ValAccuracy { get; init; }

    /// <summary>Learning rate used during the epoch.</summary>
    public required double LearningRate { get; init; }

    public required double Seconds { get; init; }

    /// <summary>
    /// The Keras-named scalars: <c>loss</c>, <c>data_loss</c>, <c>penalty_loss</c>, <c>accuracy</c>, the same with
    /// <c>val_</c>, <c>learning_rate</c>, and <c>penalty/{term}</c>. Callbacks monitor these names.
    /// </summary>
    public IReadOnlyDictionary<string, double> Metrics
    {
        get
        {
            var m = new Dictionary<string, double>
            {
                ["loss"] = Loss,
                ["data_loss"] = DataLoss,
                ["penalty_loss"] = PenaltyLoss,
                ["learning_rate"] = LearningRate,
            };
            if (Accuracy is { } a)
            {
                m["accuracy"] = a;
            }
            foreach (var (k, v) in Penalties)
            {
                m[$"penalty/{k}"] = v;
            }
            if (ValDataLoss is { } vd)
            {
                m["val_loss"] = ValLoss!.Value;
                m["val_data_loss"] = vd;
                m["val_penalty_loss"] = ValLoss.Value - vd;
            }
            if (ValAccuracy is { } va)
            {
                m["val_accuracy"] = va;
            }
            return m;
        }
    }

    /// <summary>Value of a named metric, or null when this epoch does not have it.</summary>
    public double? Get(string name) => Metrics.TryGetValue(name, out double v) ? v : null;
}

/// <summary>What <see cref="Trainer.Fit"/> returns: one <see cref="EpochLog"/> per epoch run, and why it stopped.</summary>
public sealed class History
{
    private readonly List<EpochLog> epochs = [];

    public IReadOnlyList<EpochLog> Epochs => epochs;

    /// <summary>Why training ended before the last planned epoch (null when every epoch ran).</summary>
    public string? StopReason { get; internal set; }

    /// <summary>True when <see cref="FitOptions.CancellationToken"/> ended training (see <see cref="StopReason"/>).</summary>
    public bool Cancelled { get; internal set; }

    /// <summary>Epoch whose weights the model holds at the end, when a callback restored best weights.</summary>
    public int? RestoredEpoch { get; internal set; }

    /// <summary>One metric across epochs (NaN where an epoch lacks it).</summary>
    public double[] Series(string name) => [.. epochs.Select(e => e.Get(name) ?? double.NaN)];

    internal void Add(EpochLog log) => epochs.Add(log);
}
