namespace FuncReg.Tests;

/// <summary>The README's "Use it" example, as written there, must compile and train.</summary>
public sealed class ReadmeExampleTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("funcreg-readme").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ReadmeExampleTrainsAndRoundTrips()
    {
        string cwd = Environment.CurrentDirectory;
        Environment.CurrentDirectory = dir;
        try
        {
            // --- README begin (keep in sync with README.md "Use it") ---
            var (train, test) = Datasets.Football2D();

            Sequential spec = Sequential.Of(2,
                new Dense(20, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-3), KernelConstraint = new MaxNorm(3) },
                new Dropout(0.2),
                new Dense(3, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-3) },
                new Dense(1, Activation.Sigmoid));

            IModel model = Reference.Build(spec, seed: 42);
            History history = model.Fit(train, new FitOptions
            {
                Epochs = 500,
                BatchSize = 64,
                Optimizer = new Adam(1e-2),
                ValidationSplit = 0.2,
                Callbacks = [new EarlyStopping { Monitor = "val_loss", Patience = 50, RestoreBestWeights = true },
                             new ModelCheckpoint("best.safetensors")],
            });
            Evaluation e = model.Evaluate(test);
            float[] p = model.Predict(test);
            model.Save("net.safetensors"); model.Load("net.safetensors");
            // --- README end ---

            Assert.Equal(Loss.BinaryCrossEntropy, spec.Loss);
            Assert.True(history.Epochs.Count is > 1 and <= 500);
            Assert.Equal(["dense_0.kernel", "dense_2.kernel"], model.PenaltyNames);
            Assert.True(e.Accuracy > 0.85, $"test accuracy {e.Accuracy}");
            Assert.Equal(test.Count, p.Length);
            Assert.True(File.Exists(Path.Combine(dir, "best.safetensors")));
            Assert.Equal("dense_0.kernel", model.Parameters[0].Name);
            Assert.Equal([2, 20], model.Parameters[0].Shape);
        }
        finally
        {
            Environment.CurrentDirectory = cwd;
        }
    }
    [Fact]
    public void ReadmeScheduleExampleTrainsWithTheScheduledRates()
    {
        var (train, _) = Datasets.Football2D();
        IModel model = Reference.Build(Sequential.Of(2, new Dense(8, Activation.Relu), new Dense(1, Activation.Sigmoid)), seed: 1);
        // --- README begin (keep in sync with README.md "Learning-rate schedules") ---
        var cosine = new CosineDecay(1e-4, decayEpochs: 58) { WarmupTarget = 1e-3, WarmupEpochs = 2, Alpha = 0.01 };
        model.Fit(train, new FitOptions { Epochs = 60, Optimizer = new Adam(1e-3), Callbacks = [new LearningRateScheduler(cosine)] });
        double lr = cosine.At(30);                                         // the rate of epoch 30
        new LearningRateScheduler(new StepDecay(1e-3, stepEpochs: 10, factor: 0.5));
        new LearningRateScheduler(new ExponentialDecay(1e-3, decayEpochs: 1, decayRate: 0.9) { Staircase = false });
        new LearningRateScheduler((epoch, lr) => epoch < 10 ? lr : lr * 0.95);    // any function of (epoch, live rate)
        // --- README end ---
        Assert.Equal(1e-3 * ((0.99 * 0.5 * (1 + Math.Cos(Math.PI * 28 / 58))) + 0.01), lr);
        Assert.Equal(1e-3 * ((0.99 * 0.5 * (1 + Math.Cos(Math.PI * 57 / 58))) + 0.01), model.LearningRate); // the last epoch, 59 = W + 57
    }
}
