namespace FuncReg.Tests.Checkpoints;

/// <summary>A temporary directory deleted after the test, and the shared training setup of the checkpoint tests.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "funcreg-test-" + Guid.NewGuid().ToString("N"));

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>An <see cref="IProgress{T}"/> that cancels a token once training reaches a given epoch and batch.</summary>
internal sealed class CancelAt(CancellationTokenSource source, int epoch, int batch) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        if (value.Log is null && value.Epoch == epoch && value.Batch == batch)
        {
            source.Cancel();
        }
    }
}

internal static class CheckpointSetup
{
    /// <summary>4×4×1 "images" of 3 classes (blobs reshaped), so the image augmentations apply.</summary>
    public static (Dataset Train, Dataset Validation) Data()
    {
        Dataset blobs = TestData.Blobs(features: 16, classes: 3, perClass: 20, seed: 5, spread: 1.5f);
        Dataset images = Dataset.From(blobs.Features.ToArray(), blobs.Labels.ToArray(), [4, 4, 1]);
        return images.SplitLast(0.25);
    }

    /// <summary>Dropout, an L2 penalty and a max-norm constraint: every random stream and the update's extras are used.</summary>
    public static Sequential Spec { get; } = Sequential.Of(
        16,
        new Dense(12, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-3), KernelConstraint = new MaxNorm(3) },
        new Dropout(0.25),
        new Dense(3, Activation.Softmax));

    public static IModel Build(string engine, long seed = 11) => engine == "compiled" ? new CompiledModel(Spec, seed) : Reference.Build(Spec, seed);

    /// <summary>Fresh callbacks each call (they are stateful): early stopping with restore, and a plateau schedule.</summary>
    public static FitOptions Options(Dataset validation, int epochs = 8, bool mixup = false) => new()
    {
        Epochs = epochs,
        BatchSize = 7,
        Optimizer = new Adam(0.02),
        Validation = validation,
        Augmentation = new FuncReg.Augmentation { HorizontalFlip = true, RotationRange = 15, WidthShiftRange = 1, GaussianNoise = 0.05, MixupAlpha = mixup ? 0.3 : 0 },
        Callbacks =
        [
            new EarlyStopping { Monitor = "val_loss", Patience = 3, RestoreBestWeights = true },
            new ReduceLROnPlateau { Monitor = "val_loss", Patience = 1, Factor = 0.5 },
        ],
    };

    /// <summary>The history without the timings, for exact comparison.</summary>
    public static string[] Logs(History h) =>
        [.. h.Epochs.Select(e => string.Join(";", e.Metrics.Where(m => m.Key != "seconds").OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value:R}")))];
}
