namespace FuncReg;

/// <summary>Thrown when an array's length or a declared shape does not match what the model expects.</summary>
public sealed class ShapeMismatchException(string message, string? paramName = null) : ArgumentException(message, paramName);

/// <summary>
/// Thrown by <c>Fit</c> when the training loss becomes NaN or ±∞ and no <see cref="TerminateOnNaN"/>
/// callback asked for a graceful stop. Checkpoints written before the failure are left untouched.
/// </summary>
public sealed class NonFiniteLossException(string message, int epoch, int batch) : InvalidOperationException(message)
{
    /// <summary>Zero-based epoch in which the loss stopped being finite.</summary>
    public int Epoch { get; } = epoch;

    /// <summary>Zero-based batch index within that epoch.</summary>
    public int Batch { get; } = batch;
}

/// <summary>Thrown when a weights or checkpoint file is malformed, truncated or does not fit the model.</summary>
public sealed class CheckpointFormatException(string message, Exception? inner = null) : FormatException(message, inner);
