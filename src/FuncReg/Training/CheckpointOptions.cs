namespace FuncReg;

/// <summary>
/// Where and how often <see cref="Trainer.Fit"/> writes a training checkpoint (see <see cref="Checkpoint"/>): after
/// every <see cref="EveryEpochs"/>-th epoch, after the last epoch run (also when a callback stopped training), and
/// when <see cref="FitOptions.CancellationToken"/> is cancelled. Each write replaces the previous checkpoint atomically.
/// </summary>
public sealed record CheckpointOptions
{
    /// <summary>Checkpoints go to <paramref name="directory"/> (created when missing).</summary>
    public CheckpointOptions(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = directory;
    }

    /// <summary>The checkpoint directory.</summary>
    public string Directory { get; }

    /// <summary>Write after every N-th epoch (N ≥ 1; 1 = every epoch).</summary>
    public int EveryEpochs { get; init => field = Guard.Positive(value, nameof(EveryEpochs)); } = 1;
}

/// <summary>The position of a running <see cref="Trainer.Fit"/> within its epochs: what a mid-epoch checkpoint keeps.</summary>
internal sealed class FitPosition(int penaltyTerms)
{
    /// <summary>Epoch in progress (or next to start when <see cref="Batch"/> is 0).</summary>
    public int Epoch { get; set; }

    /// <summary>Next batch of <see cref="Epoch"/> to run; 0 at an epoch boundary.</summary>
    public int Batch { get; set; }

    public double DataSum { get; set; }

    public double CorrectSum { get; set; }

    public double[] PenaltySums { get; } = new double[penaltyTerms];

    public int Seen { get; set; }

    /// <summary>Seconds already spent in <see cref="Epoch"/> before an interruption.</summary>
    public double Seconds { get; set; }

    /// <summary>Learning rate at the start of <see cref="Epoch"/> (the one its log reports).</summary>
    public double LearningRate { get; set; }

    public void StartEpoch(double learningRate)
    {
        Batch = 0;
        DataSum = 0;
        CorrectSum = 0;
        Array.Clear(PenaltySums);
        Seen = 0;
        Seconds = 0;
        LearningRate = learningRate;
    }
}
