namespace FuncReg.CrashHost;

/// <summary>
/// The training the kill test interrupts, shared by the child process and the test: 5 epochs of a small dropout
/// network with Adam, kept best weights and a plateau schedule, a checkpoint after every epoch (Keep 2), and a
/// Ctrl-C-like cancellation in epoch 2 before batch 2 (a mid-epoch checkpoint) followed by a resume in a new model.
/// Six checkpoint writes in all; the result equals <see cref="Uninterrupted"/> bit for bit.
/// </summary>
public static class CrashScenario
{
    public const int Epochs = 5;

    public static (Dataset Train, Dataset Validation) Data()
    {
        var rng = new Random(7);
        int n = 48, features = 5;
        var x = new float[n * features];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 3;
            for (int j = 0; j < features; j++)
            {
                x[(i * features) + j] = ((y[i] - 1) * (j % 2 == 0 ? 1 : -1)) + (float)(rng.NextDouble() - 0.5);
            }
        }
        return Dataset.From(x, y, [features]).SplitLast(0.25);
    }

    public static IModel Build() => new CompiledModel(
        Sequential.Of(5, new Dense(10, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-3) }, new Dropout(0.2), new Dense(3, Activation.Softmax)), seed: 21);

    /// <summary>Fresh callbacks on every call (they hold state).</summary>
    public static FitOptions Options(Dataset validation) => new()
    {
        Epochs = Epochs,
        BatchSize = 5,
        Optimizer = new Adam(0.01),
        Validation = validation,
        Callbacks = [new EarlyStopping { Monitor = "val_loss", Patience = 10, RestoreBestWeights = true }, new ReduceLROnPlateau { Monitor = "val_loss", Patience = 1 }],
    };

    /// <summary>The weights at the end of an uninterrupted run.</summary>
    public static float[][] Uninterrupted()
    {
        var (train, validation) = Data();
        IModel model = Build();
        model.Fit(train, Options(validation));
        return model.GetWeights();
    }

    /// <summary>The interrupted run the child process makes: cancel in epoch 2, then resume in a new model; its final weights.</summary>
    public static float[][] Interrupted(string directory)
    {
        var (train, validation) = Data();
        using (var cts = new CancellationTokenSource())
        {
            History first = Build().Fit(train, Options(validation) with
            {
                Checkpoint = new CheckpointOptions(directory),
                CancellationToken = cts.Token,
                Progress = new CancelAt(cts, epoch: 2, batch: 2),
            });
            if (!first.Cancelled)
            {
                throw new InvalidOperationException("the scenario's cancellation did not happen");
            }
        }
        IModel second = Build();
        second.Fit(train, Options(validation) with { Checkpoint = new CheckpointOptions(directory), ResumeFrom = directory });
        return second.GetWeights();
    }

    /// <summary>Resumes from whatever <paramref name="directory"/> holds (or starts afresh when it holds no checkpoint) and trains to the end; the final weights.</summary>
    public static float[][] Finish(string directory)
    {
        var (train, validation) = Data();
        IModel model = Build();
        model.Fit(train, Options(validation) with
        {
            Checkpoint = new CheckpointOptions(directory),
            ResumeFrom = Checkpoint.Latest(directory) is null ? null : directory,
        });
        return model.GetWeights();
    }

    private sealed class CancelAt(CancellationTokenSource source, int epoch, int batch) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Log is null && value.Epoch == epoch && value.Batch == batch)
            {
                source.Cancel();
            }
        }
    }
}
