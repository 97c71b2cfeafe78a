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

/// <summary>
/// Thrown when a weights or checkpoint file is malformed, truncated, fails its checksum or does not fit the model;
/// the message names the file and the problem. Nothing has been loaded into the model when it is thrown.
/// </summary>
public sealed class CheckpointFormatException(string message, Exception? inner = null) : FormatException(message, inner)
{
    /// <summary>The offending file, when known.</summary>
    public string? Path { get; init; }
}

/// <summary>
/// Thrown by the data loaders (IDX, CSV) when a file's content is not what its format promises: a wrong magic
/// number, a truncated file, counts that disagree, a label out of range, a cell that is not a finite number.
/// The message names the file, where the problem is (<see cref="Offset"/> for binary files, <see cref="Line"/>
/// for text) and what was expected. Loaders read everything before building a data set, so nothing partial
/// is returned.
/// </summary>
public sealed class DataFormatException : FormatException
{
    public DataFormatException(string path, string message, long? offset = null, long? line = null, Exception? inner = null)
        : base(Compose(path, message, offset, line), inner)
    {
        Path = path;
        Offset = offset;
        Line = line;
    }

    /// <summary>The file that is malformed.</summary>
    public string Path { get; }

    /// <summary>Byte offset in the (decompressed) file where the problem was found, for binary formats.</summary>
    public long? Offset { get; }

    /// <summary>One-based line of the problem, for text formats.</summary>
    public long? Line { get; }

    private static string Compose(string path, string message, long? offset, long? line) =>
        (offset, line) switch
        {
            ({ } o, _) => $"{path}: at byte offset {o}: {message}",
            (_, { } l) => $"{path}: line {l}: {message}",
            _ => $"{path}: {message}",
        };
}

/// <summary>
/// Thrown when a model's parameters or optimizer moments hold NaN or ±∞ although the loss may still look finite (a ReLU
/// turns NaN pre-activations into 0): by <c>Fit</c> at the end of the epoch in which it happened (no file of that model is
/// written and no callback sees its weights), and before any file is written by <c>Save</c>, <see cref="ModelCheckpoint"/>
/// or a training checkpoint. Names the first such tensor and index.
/// </summary>
public sealed class NonFiniteStateException(string message, string tensor, int index) : InvalidOperationException(message)
{
    /// <summary>The first tensor found holding a non-finite value (<c>dense_0.kernel</c>, <c>dense_0.kernel/slot1</c>…).</summary>
    public string Tensor { get; } = tensor;

    /// <summary>Flat index of the first non-finite value in <see cref="Tensor"/>.</summary>
    public int Index { get; } = index;
}
