namespace FuncReg.Cli.Report;

/// <summary>What one technique of a comparison measured: the table row plus what the report draws.</summary>
internal sealed record TechniqueResult
{
    /// <summary>Short key used on the command line (<c>l2</c>, <c>early-stopping</c>…).</summary>
    public required string Key { get; init; }

    /// <summary>Display name with its hyperparameters (<c>L2 (1e-4)</c>).</summary>
    public required string Name { get; init; }

    public required double TrainAccuracy { get; init; }

    public required double ValAccuracy { get; init; }

    public required double TestAccuracy { get; init; }

    /// <summary>Generalization gap: train − test accuracy.</summary>
    public double Gap => TrainAccuracy - TestAccuracy;

    /// <summary>1-based epoch with the lowest validation loss (the restored one when early stopping restored weights).</summary>
    public required int BestEpoch { get; init; }

    public required int EpochsRun { get; init; }

    /// <summary>Share of kernel weights with |w| &lt; 1e-3.</summary>
    public required double NearZero { get; init; }

    /// <summary>Seconds spent in Fit.</summary>
    public required double Seconds { get; init; }

    /// <summary>Training loss (data + penalties, dropout on) per epoch.</summary>
    public required double[] Loss { get; init; }

    /// <summary>Validation loss (data + penalties, inference mode) per epoch.</summary>
    public required double[] ValLoss { get; init; }

    /// <summary>Every kernel weight of the trained model.</summary>
    public required float[] KernelWeights { get; init; }

    /// <summary>Class-1 probability over a grid, for 2-D inputs with one sigmoid output; null otherwise.</summary>
    public ProbabilityGrid? Boundary { get; init; }
}
