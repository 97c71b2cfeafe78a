namespace FuncReg;

/// <summary>A checkpoint read and verified, ready to be applied by <see cref="Trainer.Fit"/>.</summary>
internal sealed class TrainingCheckpoint
{
    /// <summary>The directory holding the three files.</summary>
    public required string Directory { get; init; }

    /// <summary>The sequence number (<c>checkpoint-N</c>); null for a checkpoint of the earlier single-directory layout.</summary>
    public required long? Sequence { get; init; }

    public required string ManifestPath { get; init; }

    public required string WeightsPath { get; init; }

    public required string StatePath { get; init; }

    public required string Model { get; init; }

    public required long Seed { get; init; }

    public required string Optimizer { get; init; }

    public required long Step { get; init; }

    public required long OptimizerIterations { get; init; }

    public required double LearningRate { get; init; }

    public required int BatchSize { get; init; }

    public required int TrainCount { get; init; }

    public required bool Shuffle { get; init; }

    public required FitPosition Position { get; init; }

    public required string? StopReason { get; init; }

    public required IReadOnlyList<EpochLog> History { get; init; }

    public required IReadOnlyDictionary<string, NamedTensor> Weights { get; init; }

    public required IReadOnlyDictionary<string, NamedTensor> Moments { get; init; }

    public required IReadOnlyList<string> CallbackTypes { get; init; }

    public required IReadOnlyList<CallbackState> CallbackStates { get; init; }

    /// <summary>A checkpoint taken mid-epoch continues only with the same batches: same data size, batch size and shuffling.</summary>
    public void CheckPosition(int trainCount, int batchSize, bool shuffle)
    {
        if (Position.Batch > 0 && (trainCount != TrainCount || batchSize != BatchSize || shuffle != Shuffle))
        {
            throw new CheckpointFormatException(
                $"{ManifestPath}: the checkpoint stopped in the middle of epoch {Position.Epoch} (before batch {Position.Batch}) of {TrainCount} training samples in batches of {BatchSize}, shuffle {Shuffle}; "
                + $"this Fit has {trainCount} samples, batches of {batchSize}, shuffle {shuffle}. Resume with the same data and options.")
            { Path = ManifestPath };
        }
    }

    /// <summary>
    /// Loads everything into the model, the callbacks, the history and the loop position (after <see cref="Checkpoint.Read"/>
    /// checked it all). The callbacks read their state first, each checking its own values, and must keep every saved
    /// key (a key no callback writes is refused): a refusal leaves the model's weights, moments and counters untouched.
    /// </summary>
    public void Apply(IModel model, IReadOnlyList<Callback> callbacks, History history, FitPosition position)
    {
        for (int i = 0; i < callbacks.Count; i++)
        {
            CallbackState saved = CallbackStates[i];
            callbacks[i].ReadState(saved);
            var kept = new CallbackState(saved.Owner);
            callbacks[i].WriteState(kept);
            string? unknown = saved.Values.Keys.FirstOrDefault(k => !kept.Values.ContainsKey(k)) is { } v ? $"values.{v}"
                : saved.Arrays.Keys.FirstOrDefault(k => !kept.Arrays.ContainsKey(k)) is { } a ? $"arrays.{a}" : null;
            if (unknown is not null)
            {
                throw new CheckpointFormatException($"{saved.Owner}: $.payload.callbacks[{i}].{unknown}: {CallbackTypes[i]} keeps no state of that name.") { Path = ManifestPath };
            }
        }
        foreach (Parameter p in model.Parameters)
        {
            Weights[p.Name].Values.CopyTo(p.Values);
        }
        foreach (Parameter p in model.OptimizerState)
        {
            Moments[p.Name].Values.CopyTo(p.Values);
        }
        model.Step = Step;
        model.OptimizerIterations = OptimizerIterations;
        model.LearningRate = LearningRate;
        foreach (EpochLog log in History)
        {
            history.Add(log);
        }
        position.Epoch = Position.Epoch;
        position.Batch = Position.Batch;
        position.DataSum = Position.DataSum;
        position.CorrectSum = Position.CorrectSum;
        Position.PenaltySums.CopyTo(position.PenaltySums, 0);
        position.Seen = Position.Seen;
        position.Seconds = Position.Seconds;
        position.LearningRate = Position.LearningRate;
    }
}
