namespace FuncReg;

/// <summary>Options of <see cref="Trainer.Fit"/>; Keras's <c>fit</c> arguments with the optimizer added.</summary>
public sealed record FitOptions
{
    /// <summary>Epochs to run (≥ 1), counting from <see cref="InitialEpoch"/>'s start: the last epoch index is Epochs − 1.</summary>
    public int Epochs { get; init => field = Guard.Positive(value, nameof(Epochs)); } = 1;

    /// <summary>Samples per step (≥ 1); the last batch of an epoch may be smaller.</summary>
    public int BatchSize { get; init => field = Guard.Positive(value, nameof(BatchSize)); } = 32;

    /// <summary>The optimizer; a model keeps its moments across calls to Fit as long as the optimizer is equal.</summary>
    public Optimizer Optimizer { get; init; } = new Adam();

    /// <summary>Shuffle the training samples each epoch (stream <see cref="RandomStreams.Shuffle"/>, step = epoch).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Data evaluated after each epoch in inference mode (the <c>val_*</c> entries).</summary>
    public Dataset? Validation { get; init; }

    /// <summary>
    /// Fraction in (0, 1) of the training data held out as validation: the last samples, split off before
    /// anything else touches the data (as Keras). Not allowed together with <see cref="Validation"/>.
    /// </summary>
    public double ValidationSplit { get; init => field = Guard.Rate(value, nameof(ValidationSplit)); }

    public IReadOnlyList<Callback> Callbacks { get; init; } = [];

    /// <summary>Receives a report after every batch and every epoch.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Epoch to start from (for resuming); epochs before it are not run.</summary>
    public int InitialEpoch { get; init => field = Guard.NonNegative(value, nameof(InitialEpoch)); }

    /// <summary>
    /// Random augmentation of the training batches (never of validation data); null or the default record changes
    /// nothing. Image options need training samples of shape [height, width, channels].
    /// </summary>
    public Augmentation? Augmentation { get; init; }

    /// <summary>Write a training checkpoint (see <see cref="FuncReg.Checkpoint"/>) every N epochs, at the end and on cancellation.</summary>
    public CheckpointOptions? Checkpoint { get; init; }

    /// <summary>
    /// Continue from the newest checkpoint in this checkpoint directory (or from the <c>checkpoint-N</c> directory given,
    /// or a directory of the earlier single-checkpoint layout; see <see cref="FuncReg.Checkpoint"/>): weights, optimizer moments, counters, learning rate, position
    /// (also mid-epoch), history and callback state are restored, so the run ends bit-identical to one that was never
    /// interrupted. The model must be equal (same spec and seed), and the optimizer and callbacks the same as when it was
    /// written. <see cref="InitialEpoch"/> is ignored.
    /// </summary>
    public string? ResumeFrom { get; init; }

    /// <summary>
    /// When cancelled, <see cref="Trainer.Fit"/> finishes the batch in progress, writes a checkpoint when
    /// <see cref="Checkpoint"/> is set, and returns with <see cref="History.Cancelled"/> and <see cref="History.StopReason"/>
    /// set. Callbacks' <see cref="Callback.OnTrainEnd"/> does not run then (no best weights are restored), so the model holds
    /// the state the checkpoint continues from.
    /// </summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Batch size used for validation; defaults to <see cref="BatchSize"/>.</summary>
    public int? ValidationBatchSize { get; init => field = value is { } v ? Guard.Positive(v, nameof(ValidationBatchSize)) : null; }
}

/// <summary>A progress report: during an epoch (<see cref="Epoch"/> set, <see cref="Log"/> null) or at its end.</summary>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">Running mean total loss of this epoch.</param>
/// <param name="Log">The epoch's log once it has ended.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, EpochLog? Log);
