namespace FuncReg;

/// <summary>
/// Where and how often <see cref="Trainer.Fit"/> writes a training checkpoint (see <see cref="Checkpoint"/>): after
/// every <see cref="EveryEpochs"/>-th epoch, after the last epoch run (also when a callback stopped training), and
/// when <see cref="FitOptions.CancellationToken"/> is cancelled. Each write adds a <c>checkpoint-N</c> subdirectory to
/// <see cref="Directory"/> in one atomic step, then removes all but the newest <see cref="Keep"/>.
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

    /// <summary>Checkpoints kept (≥ 1): older ones are deleted once a new one is safely on disk. Default 2.</summary>
    public int Keep { get; init => field = Guard.Positive(value, nameof(Keep)); } = DefaultKeep;

    /// <summary>The default of <see cref="Keep"/>: the newest checkpoint and one before it.</summary>
    public const int DefaultKeep = 2;
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
