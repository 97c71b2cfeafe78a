namespace FuncReg.Tests;

public class FitTests
{
    private static readonly Dataset Blobs = TestData.Blobs(features: 2, classes: 2, perClass: 30);

    private static Sequential Penalized() => Sequential.Of(
        2,
        new Dense(8, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-2), ActivityRegularizer = Regularizer.L1(1e-3) },
        new Dense(2, Activation.Softmax) { KernelRegularizer = Regularizer.L1(1e-2) });

    [Fact]
    public void History_has_one_log_per_epoch_with_the_documented_keys()
    {
        var model = Reference.Build(Penalized(), seed: 3);
        History h = model.Fit(Blobs, new FitOptions { Epochs = 3, BatchSize = 16, Optimizer = new SGD(0.05) });

        Assert.Equal(3, h.Epochs.Count);
        Assert.Null(h.StopReason);
        Assert.Null(h.RestoredEpoch);
        Assert.Equal(["dense_0.kernel", "dense_0.activity", "dense_1.kernel"], model.PenaltyNames);
        for (int e = 0; e < 3; e++)
        {
            EpochLog log = h.Epochs[e];
            Assert.Equal(e, log.Epoch);
            Assert.Equal(
                new[] { "accuracy", "data_loss", "learning_rate", "loss", "penalty/dense_0.activity", "penalty/dense_0.kernel", "penalty/dense_1.kernel", "penalty_loss" },
                log.Metrics.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(["dense_0.kernel", "dense_0.activity", "dense_1.kernel"], log.Penalties.Keys);
            Assert.All(log.Penalties.Values, v => Assert.True(v > 0));
            Assert.Equal(log.DataLoss + log.Penalties.Values.Sum(), log.Loss, 12);
            Assert.Equal(log.Loss, log.Metrics["loss"]);
            Assert.Equal(log.Penalties.Values.Sum(), log.Metrics["penalty_loss"], 12);
            Assert.Equal(0.05, log.LearningRate);
            Assert.InRange(log.Accuracy!.Value, 0, 1);
            Assert.True(log.Seconds >= 0);
            Assert.Null(log.ValLoss);
            Assert.Null(log.ValAccuracy);
            Assert.Null(log.Get("val_loss"));
        }
        Assert.Equal(h.Epochs.Select(e => e.Loss), h.Series("loss"));
        Assert.All(h.Series("val_loss"), v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void Penalty_terms_are_keras_sums_not_divided_by_the_batch()
    {
        // One full-batch epoch: the logged kernel penalties are those of the initial weights.
        Sequential spec = Penalized();
        var model = Reference.Build(spec, seed: 3);
        var fresh = Reference.Build(spec, seed: 3);
        History h = model.Fit(Blobs, new FitOptions { Epochs = 1, BatchSize = Blobs.Count, Optimizer = new SGD(0.05) });
        float[] k0 = fresh.Parameters.Single(p => p.Name == "dense_0.kernel").Values.ToArray();
        float[] k1 = fresh.Parameters.Single(p => p.Name == "dense_1.kernel").Values.ToArray();
        Assert.Equal(1e-2 * k0.Sum(w => (double)w * w), h.Epochs[0].Penalties["dense_0.kernel"], 9);
        Assert.Equal(1e-2 * k1.Sum(w => Math.Abs((double)w)), h.Epochs[0].Penalties["dense_1.kernel"], 9);

        Evaluation ev = model.Evaluate(Blobs);
        float[] now = model.Parameters.Single(p => p.Name == "dense_0.kernel").Values.ToArray();
        Assert.Equal(1e-2 * now.Sum(w => (double)w * w), ev.Penalties["dense_0.kernel"], 9);
        Assert.Equal(ev.DataLoss + ev.Penalties.Values.Sum(), ev.Loss, 12);
        Assert.Equal(Blobs.Count, ev.Count);
    }

    [Fact]
    public void Validation_entries_appear_only_with_validation_data()
    {
        Dataset validation = TestData.Blobs(features: 2, classes: 2, perClass: 10, seed: 1);
        var model = Reference.Build(Penalized(), seed: 3);
        History h = model.Fit(Blobs, new FitOptions { Epochs = 2, BatchSize = 16, Validation = validation, ValidationBatchSize = 7 });
        foreach (EpochLog log in h.Epochs)
        {
            foreach (string key in new[] { "val_loss", "val_data_loss", "val_penalty_loss", "val_accuracy" })
            {
                Assert.True(log.Metrics.ContainsKey(key), key);
            }
            Assert.Equal(log.ValDataLoss!.Value + log.ValPenalties!.Values.Sum(), log.ValLoss!.Value, 12);
            Assert.Equal(["dense_0.kernel", "dense_0.activity", "dense_1.kernel"], log.ValPenalties.Keys);
        }
        Evaluation after = model.Evaluate(validation, batchSize: 7);
        Assert.Equal(after.Loss, h.Epochs[^1].ValLoss!.Value, 12);
        Assert.Equal(after.Accuracy, h.Epochs[^1].ValAccuracy);
    }

    [Fact]
    public void Validation_split_holds_out_the_last_samples_before_shuffling()
    {
        var model = new ScriptedModel();
        History h = model.Fit(TestData.Indexed(10), new FitOptions { Epochs = 3, BatchSize = 3, ValidationSplit = 0.2, Shuffle = true });

        Assert.Equal(3, h.Epochs.Count);
        Assert.Equal(9, model.TrainedFeatures.Count); // 8 samples in batches of 3, 3 epochs
        var epochs = model.TrainedFeatures.Chunk(3).Select(c => c.SelectMany(f => f).ToArray()).ToArray();
        Assert.All(epochs, e => Assert.Equal(Enumerable.Range(0, 8).Select(i => (float)i), e.Order()));
        Assert.Contains(epochs, e => !e.SequenceEqual(Enumerable.Range(0, 8).Select(i => (float)i))); // shuffled
        Assert.All(model.EvaluatedFeatures, f => Assert.Equal([8f, 9f], f));
        Assert.Equal(3, model.EvaluatedFeatures.Count);
    }

    [Fact]
    public void Validation_split_on_a_real_model_sees_only_the_distinct_tail()
    {
        // The first 80 samples are class 0, the last 20 class 1: trained on the first part only, the model
        // predicts class 0 everywhere, so validation accuracy is exactly 0 while training accuracy reaches 1.
        var rng = new System.Random(5);
        float[] x = [.. Enumerable.Range(0, 200).Select(_ => (float)rng.NextDouble())];
        int[] y = [.. Enumerable.Range(0, 100).Select(i => i < 80 ? 0 : 1)];
        var data = Dataset.From(x, y, [2]);
        var model = Reference.Build(TestData.SmallClassifier(), seed: 2);
        var progress = new RecordingProgress<TrainingProgress>();
        History h = model.Fit(data, new FitOptions { Epochs = 5, BatchSize = 10, ValidationSplit = 0.2, Optimizer = new Adam(0.05), Progress = progress });
        Assert.All(progress.Reports, r => Assert.Equal(8, r.Batches));
        Assert.Equal(1.0, h.Epochs[^1].Accuracy);
        Assert.All(h.Epochs, e => Assert.Equal(0.0, e.ValAccuracy));
    }

    [Fact]
    public void Progress_receives_every_batch_and_every_epoch_in_order()
    {
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        var progress = new RecordingProgress<TrainingProgress>();
        History h = model.Fit(Blobs, new FitOptions { Epochs = 2, BatchSize = 25, Progress = progress }); // 60 samples: 3 batches

        Assert.Equal(8, progress.Reports.Count);
        for (int e = 0; e < 2; e++)
        {
            var reports = progress.Reports.Skip(e * 4).Take(4).ToArray();
            Assert.All(reports, r => Assert.Equal((e, 2, 3), (r.Epoch, r.Epochs, r.Batches)));
            Assert.Equal([1, 2, 3, 3], reports.Select(r => r.Batch));
            Assert.All(reports[..3], r => Assert.Null(r.Log));
            Assert.Same(h.Epochs[e], reports[3].Log);
            Assert.Equal(h.Epochs[e].Loss, reports[3].Loss);
            Assert.Equal(h.Epochs[e].Loss, reports[2].Loss, 9); // running mean after the last batch
            Assert.All(reports, r => Assert.True(double.IsFinite(r.Loss) && r.Loss > 0));
        }
    }

    [Fact]
    public void Sgd_on_football2d_reduces_the_loss()
    {
        var (train, test) = Datasets.Football2D();
        Assert.Equal((211, 200), (train.Count, test.Count));
        Sequential spec = Sequential.Of(
            2,
            new Dense(20, Activation.Relu) { KernelInitializer = Initializer.HeNormal },
            new Dense(3, Activation.Relu) { KernelInitializer = Initializer.HeNormal },
            new Dense(1, Activation.Sigmoid) { KernelInitializer = Initializer.HeNormal });
        Assert.Equal(Loss.BinaryCrossEntropy, spec.Loss);
        var model = Reference.Build(spec, seed: 3);
        double before = model.Evaluate(train).Loss;
        History h = model.Fit(train, new FitOptions { Epochs = 300, BatchSize = 32, Optimizer = new SGD(0.1) });
        double[] loss = h.Series("loss");
        Assert.True(loss[^1] < 0.8 * loss[0], $"loss {loss[0]} → {loss[^1]}");
        Assert.True(model.Evaluate(train).Loss < 0.8 * before);
        Assert.True(model.Evaluate(test).Accuracy > 0.8, $"test accuracy {model.Evaluate(test).Accuracy}");
    }

    [Fact]
    public void Fitting_twice_with_an_equal_optimizer_continues_training()
    {
        Sequential spec = Sequential.Of(2, new Dense(8, Activation.Relu), new Dropout(0.2), new Dense(2, Activation.Softmax));
        var once = Reference.Build(spec, seed: 7);
        once.Fit(Blobs, new FitOptions { Epochs = 4, BatchSize = 16, Shuffle = false, Optimizer = new Adam(0.01) });

        var twice = Reference.Build(spec, seed: 7);
        twice.Fit(Blobs, new FitOptions { Epochs = 2, BatchSize = 16, Shuffle = false, Optimizer = new Adam(0.01) });
        float[][] moments = [.. twice.OptimizerState.Select(p => p.Values.ToArray())];
        Assert.Contains(moments, m => m.Any(v => v != 0));
        Assert.Equal(8, twice.OptimizerIterations);
        twice.Fit(Blobs, new FitOptions { Epochs = 2, BatchSize = 16, Shuffle = false, Optimizer = new Adam(0.01) }); // a new but equal Adam
        Assert.Equal(16, twice.OptimizerIterations);
        Assert.Equal(16, twice.Step);

        Assert.True(TestData.SameBits(once.GetWeights(), twice.GetWeights()), "Fit(2) + Fit(2) differs from Fit(4)");

        twice.Fit(Blobs, new FitOptions { Epochs = 1, BatchSize = 16, Shuffle = false, Optimizer = new Adam(0.02) });
        Assert.Equal(4, twice.OptimizerIterations); // a different optimizer starts from fresh moments
        Assert.Equal(0.02, twice.LearningRate);
    }

    [Fact]
    public void Resuming_with_initial_epoch_matches_one_long_run_with_shuffling()
    {
        Sequential spec = Sequential.Of(2, new Dense(8, Activation.Relu), new Dropout(0.2), new Dense(2, Activation.Softmax));
        var once = Reference.Build(spec, seed: 7);
        History full = once.Fit(Blobs, new FitOptions { Epochs = 4, BatchSize = 16, Optimizer = new Adam(0.01) });

        var resumed = Reference.Build(spec, seed: 7);
        resumed.Fit(Blobs, new FitOptions { Epochs = 2, BatchSize = 16, Optimizer = new Adam(0.01) });
        History rest = resumed.Fit(Blobs, new FitOptions { Epochs = 4, InitialEpoch = 2, BatchSize = 16, Optimizer = new Adam(0.01) });

        Assert.Equal([2, 3], rest.Epochs.Select(e => e.Epoch));
        Assert.Equal(full.Epochs[3].Loss, rest.Epochs[1].Loss);
        Assert.True(TestData.SameBits(once.GetWeights(), resumed.GetWeights()));
    }

    [Fact]
    public void Design_example_scaled_down_trains()
    {
        // DESIGN §3's FashionMlp with 16 inputs, 32/16 hidden units and 4 classes instead of 784/256/128/10.
        Sequential spec = Sequential.Of(
            16,
            new Dense(32, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-4) },
            new Dropout(0.3),
            new Dense(16, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-4), KernelConstraint = new MaxNorm(3) },
            new Dropout(0.3),
            new Dense(4, Activation.Softmax));
        Assert.Equal(Loss.CategoricalCrossEntropy, spec.Loss);
        Dataset train = TestData.Blobs(features: 16, classes: 4, perClass: 100, seed: 11, spread: 1.0f);
        Dataset test = TestData.Blobs(features: 16, classes: 4, perClass: 25, seed: 11, spread: 1.0f);

        var model = Reference.Build(spec, seed: 42);
        Assert.Equal(
            ["dense_0.kernel", "dense_0.bias", "dense_2.kernel", "dense_2.bias", "dense_4.kernel", "dense_4.bias"],
            model.Parameters.Select(p => p.Name));
        Assert.Equal([16, 32], model.Parameters[0].Shape);
        Assert.Equal([32, 16], model.Parameters[2].Shape);
        Assert.All(model.Parameters.Where(p => p.Role == ParameterRole.Bias), p => Assert.All(p.Values.ToArray(), v => Assert.Equal(0f, v)));

        History history = model.Fit(train, new FitOptions
        {
            Epochs = 20,
            BatchSize = 32,
            Optimizer = new Adam(1e-2),
            Validation = test,
            Callbacks = [new EarlyStopping { Monitor = "val_loss", Patience = 5, RestoreBestWeights = true }],
        });

        Assert.InRange(history.Epochs.Count, 1, 20);
        Assert.NotNull(history.RestoredEpoch);
        Evaluation e = model.Evaluate(test);
        Assert.True(e.Accuracy > 0.9, $"test accuracy {e.Accuracy}");
        Assert.True(e.Loss < history.Epochs[0].ValLoss);

        float[] p = model.Predict(test.Features);
        Assert.Equal(test.Count * 4, p.Length);
        for (int r = 0; r < test.Count; r++)
        {
            Assert.Equal(1.0, p.AsSpan(r * 4, 4).ToArray().Sum(), 5);
        }
        Assert.Equal(p, model.Predict(test)); // inference is deterministic: no dropout

        Parameter k = model.Parameters[2];
        for (int j = 0; j < 16; j++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, 32).Sum(i => (double)k.Values[(i * 16) + j] * k.Values[(i * 16) + j]));
            Assert.True(norm <= 3 + 1e-4, $"column {j} has norm {norm} > 3");
        }
    }

    [Fact]
    public void Keras_l2_equals_coupled_weight_decay_of_twice_lambda_under_sgd()
    {
        const double lambda = 0.05;
        Sequential plain = Sequential.Of(2, new Dense(4, Activation.Tanh), new Dense(2, Activation.Softmax));
        Sequential l2 = Sequential.Of(
            2,
            new Dense(4, Activation.Tanh) { KernelRegularizer = Regularizer.L2(lambda) },
            new Dense(2, Activation.Softmax) { KernelRegularizer = Regularizer.L2(lambda) });
        var a = Reference.Build(l2, seed: 4);
        var b = Reference.Build(plain, seed: 4);
        a.Fit(Blobs, new FitOptions { Epochs = 3, BatchSize = 20, Optimizer = new SGD(0.1) });
        b.Fit(Blobs, new FitOptions { Epochs = 3, BatchSize = 20, Optimizer = new SGD(0.1) { CoupledWeightDecay = 2 * lambda } });
        float[][] wa = a.GetWeights(), wb = b.GetWeights();
        for (int i = 0; i < wa.Length; i++)
        {
            for (int j = 0; j < wa[i].Length; j++)
            {
                Assert.Equal(wa[i][j], wb[i][j], 5);
            }
        }
    }
}
