namespace FuncReg.Tests;

public sealed class CallbackTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("funcreg-callbacks-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Fits a <see cref="ScriptedModel"/> for one step per epoch: epoch e logs loss <c>losses[e]</c>.</summary>
    private static (History History, ScriptedModel Model) Run(double[] losses, params Callback[] callbacks) => Run(losses, null, losses.Length, callbacks);

    private static (History History, ScriptedModel Model) Run(double[] losses, double[]? accuracies, int epochs, params Callback[] callbacks)
    {
        var model = new ScriptedModel(losses, accuracies);
        History h = model.Fit(TestData.Indexed(1), new FitOptions { Epochs = epochs, Optimizer = new SGD(1.0), Callbacks = callbacks });
        return (h, model);
    }

    // ---- EarlyStopping ----

    [Theory]
    [InlineData(0, 4)]
    [InlineData(1, 4)]
    [InlineData(2, 5)]
    [InlineData(3, 6)]
    [InlineData(10, 8)]
    public void Early_stopping_stops_when_patience_runs_out(int patience, int epochsRun)
    {
        double[] losses = [5, 4, 3, 3.5, 3.2, 3.1, 3.05, 3.0];
        var es = new EarlyStopping { Monitor = "loss", Patience = patience };
        var (h, _) = Run(losses, es);
        Assert.Equal(epochsRun, h.Epochs.Count);
        Assert.Equal(3, es.Best);
        Assert.Equal(2, es.BestEpoch);
        if (epochsRun < losses.Length)
        {
            Assert.Equal(epochsRun - 1, es.StoppedEpoch);
            Assert.Contains("EarlyStopping", h.StopReason, StringComparison.Ordinal);
            Assert.Contains($"patience {patience}", h.StopReason, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(h.StopReason);
            Assert.Equal(0, es.StoppedEpoch);
        }
    }

    [Fact]
    public void Early_stopping_restores_the_best_weights_when_it_stops()
    {
        var es = new EarlyStopping { Monitor = "loss", Patience = 2, RestoreBestWeights = true };
        var (h, model) = Run([3, 1, 2, 2.5, 2.7, 0.5], es);
        Assert.Equal(4, h.Epochs.Count);
        Assert.Equal(1f, model.Weight); // the weights after epoch 1's step
        Assert.Equal(1, h.RestoredEpoch);

        var (_, kept) = Run([3, 1, 2, 2.5, 2.7, 0.5], new EarlyStopping { Monitor = "loss", Patience = 2 });
        Assert.Equal(3f, kept.Weight); // without restoring, the last weights stay
    }

    [Fact]
    public void Early_stopping_restores_the_best_weights_when_every_epoch_ran()
    {
        var es = new EarlyStopping { Monitor = "loss", Patience = 5, RestoreBestWeights = true };
        var (h, model) = Run([3, 1, 2], es);
        Assert.Equal(3, h.Epochs.Count);
        Assert.Null(h.StopReason);
        Assert.Equal(1f, model.Weight);
        Assert.Equal(1, h.RestoredEpoch);
    }

    [Fact]
    public void Early_stopping_restores_the_best_epoch_of_a_real_model()
    {
        // Overlapping classes and a large learning rate: validation loss is not monotone, so the best epoch is not the last.
        Dataset train = TestData.Blobs(features: 2, classes: 2, perClass: 40, seed: 3, spread: 1.5f);
        Dataset validation = TestData.Blobs(features: 2, classes: 2, perClass: 40, seed: 3, spread: 1.5f);
        var model = Reference.Build(Sequential.Of(2, new Dense(16, Activation.Relu), new Dense(2, Activation.Softmax)), seed: 1);
        var snapshots = new Snapshots();
        var es = new EarlyStopping { Monitor = "val_loss", Patience = 100, RestoreBestWeights = true };
        History h = model.Fit(train, new FitOptions { Epochs = 12, BatchSize = 8, Optimizer = new SGD(0.5), Validation = validation, Callbacks = [snapshots, es] });

        Assert.Equal(12, h.Epochs.Count);
        double[] val = h.Series("val_loss");
        int best = Array.IndexOf(val, val.Min());
        Assert.NotEqual(11, best); // otherwise the test shows nothing
        Assert.Equal(best, h.RestoredEpoch);
        Assert.True(TestData.SameBits(snapshots.Weights[best], model.GetWeights()));
        Assert.Equal(val[best], model.Evaluate(validation, batchSize: 8).Loss, 12);
    }

    [Fact]
    public void Early_stopping_baseline_must_be_beaten_to_reset_patience()
    {
        double[] flat = [5, 5, 5, 5, 5];
        var (withBaseline, _) = Run(flat, new EarlyStopping { Monitor = "loss", Patience = 2, Baseline = 1.0 });
        var (without, _) = Run(flat, new EarlyStopping { Monitor = "loss", Patience = 2 });
        Assert.Equal(2, withBaseline.Epochs.Count);
        Assert.Equal(3, without.Epochs.Count);

        // Beating the baseline resets the wait: 4 < 4.5 at epoch 1, then two epochs without improvement.
        var (beaten, _) = Run([5, 4, 4.2, 4.3, 4.4, 4.5], new EarlyStopping { Monitor = "loss", Patience = 2, Baseline = 4.5 });
        Assert.Equal(4, beaten.Epochs.Count);
    }

    [Fact]
    public void Early_stopping_ignores_epochs_before_start_from_epoch()
    {
        double[] rising = [1, 2, 3, 4, 5, 6, 7, 8];
        var late = new EarlyStopping { Monitor = "loss", Patience = 1, StartFromEpoch = 3, RestoreBestWeights = true };
        var (h, model) = Run(rising, late);
        Assert.Equal(5, h.Epochs.Count);
        Assert.Equal(3, late.BestEpoch);
        Assert.Equal(4, late.Best);
        Assert.Equal(3f, model.Weight); // epochs 0–2, though better, were never candidates

        var (early, _) = Run(rising, new EarlyStopping { Monitor = "loss", Patience = 1 });
        Assert.Equal(2, early.Epochs.Count);
    }

    [Fact]
    public void Early_stopping_min_delta_sets_what_counts_as_an_improvement()
    {
        double[] slow = [5, 4.6, 4.2, 3.8, 3.4, 3.0];
        var (plain, _) = Run(slow, new EarlyStopping { Monitor = "loss", Patience = 1 });
        Assert.Equal(6, plain.Epochs.Count);
        var (delta, _) = Run(slow, new EarlyStopping { Monitor = "loss", Patience = 1, MinDelta = 0.5 });
        Assert.Equal(2, delta.Epochs.Count);
        var (negative, _) = Run(slow, new EarlyStopping { Monitor = "loss", Patience = 1, MinDelta = -0.5 }); // Keras takes |min_delta|
        Assert.Equal(2, negative.Epochs.Count);
    }

    [Fact]
    public void Early_stopping_maximizes_accuracy()
    {
        double[] losses = [1, 1, 1, 1, 1, 1];
        double[] acc = [0.5, 0.6, 0.7, 0.65, 0.6, 0.55];
        var auto = new EarlyStopping { Monitor = "accuracy", Patience = 2, RestoreBestWeights = true };
        var (h, model) = Run(losses, acc, 6, auto);
        Assert.Equal(5, h.Epochs.Count);
        Assert.Equal(0.7, auto.Best!.Value, 12);
        Assert.Equal(2f, model.Weight);

        var (min, _) = Run(losses, acc, 6, new EarlyStopping { Monitor = "accuracy", Patience = 2, Mode = MonitorMode.Min });
        Assert.Equal(3, min.Epochs.Count);

        var (max, _) = Run([1, 2, 3, 2.5, 2, 1.5], null, 6, new EarlyStopping { Monitor = "loss", Patience = 2, Mode = MonitorMode.Max });
        Assert.Equal(5, max.Epochs.Count);
    }

    [Fact]
    public void Early_stopping_thresholds_stop_at_once()
    {
        var (reached, _) = Run([5, 4, 3, 2, 1, 0.5], new EarlyStopping { Monitor = "loss", Patience = 100, StoppingThreshold = 2 });
        Assert.Equal(4, reached.Epochs.Count);
        Assert.Contains("stopping threshold", reached.StopReason, StringComparison.Ordinal);

        var (diverged, _) = Run([5, 4, 12, 3], new EarlyStopping { Monitor = "loss", Patience = 100, DivergenceThreshold = 10 });
        Assert.Equal(3, diverged.Epochs.Count);
        Assert.Contains("divergence threshold", diverged.StopReason, StringComparison.Ordinal);

        double[] acc = [0.5, 0.8, 0.95, 0.97];
        var (accurate, _) = Run([1, 1, 1, 1], acc, 4, new EarlyStopping { Monitor = "accuracy", Patience = 100, StoppingThreshold = 0.9 });
        Assert.Equal(3, accurate.Epochs.Count);
        var (collapsed, _) = Run([1, 1, 1, 1], [0.5, 0.6, 0.1, 0.7], 4, new EarlyStopping { Monitor = "accuracy", Patience = 100, DivergenceThreshold = 0.2 });
        Assert.Equal(3, collapsed.Epochs.Count);
    }

    [Fact]
    public void Early_stopping_can_be_reused_across_fits()
    {
        var es = new EarlyStopping { Monitor = "loss", Patience = 1 };
        Run([1, 2, 3], es);
        Assert.Equal(1, es.StoppedEpoch);
        var (h, _) = Run([3, 2, 1], es);
        Assert.Equal(3, h.Epochs.Count);
        Assert.Equal(0, es.StoppedEpoch);
        Assert.Equal(1, es.Best);
    }

    // ---- ReduceLROnPlateau ----

    [Fact]
    public void Reduce_lr_on_plateau_multiplies_by_factor_after_patience()
    {
        var (h, model) = Run([.. Enumerable.Repeat(1.0, 8)], new ReduceLROnPlateau { Monitor = "loss", Patience = 2, Factor = 0.5 });
        Assert.Equal([1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.125], h.Series("learning_rate"));
        Assert.Equal(0.125, model.LearningRate); // epoch 7 had waited only one epoch since the last cut
    }

    [Fact]
    public void Reduce_lr_on_plateau_waits_out_the_cooldown()
    {
        var (h, _) = Run([.. Enumerable.Repeat(1.0, 8)], new ReduceLROnPlateau { Monitor = "loss", Patience = 2, Factor = 0.5, Cooldown = 2 });
        Assert.Equal([1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25], h.Series("learning_rate"));
    }

    [Fact]
    public void Reduce_lr_on_plateau_respects_the_minimum()
    {
        var (h, model) = Run([.. Enumerable.Repeat(1.0, 8)], new ReduceLROnPlateau { Monitor = "loss", Patience = 2, Factor = 0.5, MinLearningRate = 0.3 });
        Assert.Equal([1, 1, 1, 0.5, 0.5, 0.3, 0.3, 0.3], h.Series("learning_rate"));
        Assert.Equal(0.3, model.LearningRate);
    }

    [Fact]
    public void Reduce_lr_on_plateau_leaves_an_improving_run_alone()
    {
        var (h, _) = Run([1, 0.9, 0.8, 0.7, 0.6, 0.5], new ReduceLROnPlateau { Monitor = "loss", Patience = 1, Factor = 0.5 });
        Assert.All(h.Series("learning_rate"), lr => Assert.Equal(1, lr));

        var (tiny, _) = Run([1, 0.99995, 0.9999, 0.99985], new ReduceLROnPlateau { Monitor = "loss", Patience = 1, Factor = 0.5 }); // below MinDelta 1e-4
        Assert.Equal([1, 1, 0.5, 0.25], tiny.Series("learning_rate"));
    }

    [Fact]
    public void Reduce_lr_on_plateau_changes_a_real_models_rate()
    {
        Dataset data = TestData.Blobs(features: 2, classes: 2, perClass: 10);
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        History h = model.Fit(data, new FitOptions
        {
            Epochs = 4,
            Optimizer = new SGD(0.1),
            Callbacks = [new ReduceLROnPlateau { Monitor = "loss", Patience = 0, Factor = 0.5, MinDelta = 10 }], // epoch 0 sets the best; nothing after improves by 10
        });
        Assert.Equal([0.1, 0.1, 0.05, 0.025], h.Series("learning_rate"));
    }

    // ---- TerminateOnNaN ----

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Terminate_on_nan_stops_gracefully(double bad)
    {
        var (h, _) = Run([1, 0.9, bad, 0.5], new TerminateOnNaN());
        Assert.Equal(3, h.Epochs.Count);
        Assert.Contains("epoch 2, batch 0", h.StopReason, StringComparison.Ordinal);
        Assert.Contains(bad.ToString(System.Globalization.CultureInfo.InvariantCulture), h.StopReason, StringComparison.Ordinal);
        Assert.False(double.IsFinite(h.Epochs[2].Loss));
    }

    [Fact]
    public void Terminate_on_nan_with_early_stopping_restores_the_last_good_weights()
    {
        var es = new EarlyStopping { Monitor = "loss", Patience = 5, RestoreBestWeights = true };
        var (h, model) = Run([3, 1, double.NaN, 0.5], new TerminateOnNaN(), es);
        Assert.Equal(3, h.Epochs.Count);
        Assert.Contains("epoch 2, batch 0", h.StopReason, StringComparison.Ordinal); // the first reason is kept
        Assert.Equal(1f, model.Weight);
        Assert.Equal(1, h.RestoredEpoch);
    }

    [Fact]
    public void Without_terminate_on_nan_a_nan_loss_throws()
    {
        var e = Assert.Throws<NonFiniteLossException>(() => Run([1, 0.9, double.NaN, 0.5]));
        Assert.Equal((2, 0), (e.Epoch, e.Batch));
        Assert.Contains("epoch 2, batch 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("learning rate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_learning_rate_on_a_real_model()
    {
        Dataset data = TestData.Blobs(features: 2, classes: 2, perClass: 20);
        Sequential spec = TestData.SmallClassifier();
        var options = new FitOptions { Epochs = 5, BatchSize = 8, Optimizer = new SGD(1e30) };

        var e = Assert.Throws<NonFiniteLossException>(() => Reference.Build(spec, seed: 1).Fit(data, options));
        Assert.Contains($"epoch {e.Epoch}, batch {e.Batch}", e.Message, StringComparison.Ordinal);

        History h = Reference.Build(spec, seed: 1).Fit(data, options with { Callbacks = [new TerminateOnNaN()] });
        Assert.Equal(e.Epoch + 1, h.Epochs.Count);
        Assert.Contains($"epoch {e.Epoch}, batch {e.Batch}", h.StopReason, StringComparison.Ordinal);
    }

    // ---- ModelCheckpoint ----

    [Fact]
    public void Model_checkpoint_writes_only_on_improvement()
    {
        string path = Path.Combine(dir, "ckpt-{epoch}.safetensors");
        var ckpt = new ModelCheckpoint(path) { Monitor = "loss" };
        Run([3, 2, 2.5, 1, 1.5], ckpt);
        Assert.Equal(
            ["ckpt-0.safetensors", "ckpt-1.safetensors", "ckpt-3.safetensors"],
            Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(3, ckpt.LastSavedEpoch);
        var (tensors, meta) = SafeTensors.Read(Path.Combine(dir, "ckpt-3.safetensors"));
        Assert.Equal("3", meta["epoch"]);
        Assert.Equal(3f, Assert.Single(tensors).Values.Single()); // the weights after epoch 3's step
    }

    [Fact]
    public void Model_checkpoint_max_mode_and_save_every_epoch()
    {
        var best = new ModelCheckpoint(Path.Combine(dir, "acc-{epoch}.safetensors")) { Monitor = "accuracy" };
        Run([1, 1, 1, 1], [0.5, 0.4, 0.9, 0.9], 4, best);
        Assert.Equal(["acc-0.safetensors", "acc-2.safetensors"], Directory.GetFiles(dir, "acc-*").Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var every = new ModelCheckpoint(Path.Combine(dir, "all-{epoch}.safetensors")) { SaveBestOnly = false };
        Run([3, 4, 5], every); // no validation data: val_loss is not needed when every epoch is saved
        Assert.Equal(3, Directory.GetFiles(dir, "all-*").Length);
    }

    [Fact]
    public void Model_checkpoint_keeps_the_last_good_file_when_the_loss_turns_nan()
    {
        string path = Path.Combine(dir, "best.safetensors");
        var snapshot = new FileSnapshots(path);
        Run([3, 2, 2.5, double.NaN, 0.1], new ModelCheckpoint(path) { Monitor = "loss" }, snapshot, new TerminateOnNaN());
        Assert.Equal(snapshot.Bytes[1], File.ReadAllBytes(path));
        Assert.Equal(1f, SafeTensors.Read(path).Tensors.Single().Values.Single());

        File.Delete(path);
        var throwing = new FileSnapshots(path);
        Assert.Throws<NonFiniteLossException>(() => Run([3, 2, 2.5, double.NaN, 0.1], new ModelCheckpoint(path) { Monitor = "loss" }, throwing));
        Assert.Equal(throwing.Bytes[1], File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void Model_checkpoint_survives_a_real_model_diverging()
    {
        // Two sane epochs, then the learning rate jumps to 1e30: validation loss explodes, the training loss turns NaN.
        Dataset data = TestData.Blobs(features: 2, classes: 2, perClass: 20);
        string path = Path.Combine(dir, "real.safetensors");
        var ckpt = new ModelCheckpoint(path);
        var snapshot = new FileSnapshots(path);
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        var e = Assert.Throws<NonFiniteLossException>(() => model.Fit(data, new FitOptions
        {
            Epochs = 10,
            BatchSize = 8,
            Optimizer = new SGD(0.1),
            Validation = data,
            Callbacks = [new LearningRateJump(atEpoch: 2, 1e30), ckpt, snapshot],
        }));
        Assert.True(e.Epoch >= 2);
        Assert.Equal(1, ckpt.LastSavedEpoch);
        Assert.Equal(snapshot.Bytes[1], File.ReadAllBytes(path));

        var restored = Reference.Build(TestData.SmallClassifier(), seed: 5);
        restored.Load(path);
        Assert.All(restored.GetWeights(), w => Assert.All(w, v => Assert.True(float.IsFinite(v))));
        Assert.True(double.IsFinite(restored.Evaluate(data).Loss));
    }

    /// <summary>Copies the model's weights at every epoch end.</summary>
    private sealed class Snapshots : Callback
    {
        public List<float[][]> Weights { get; } = [];

        public override void OnEpochEnd(TrainingContext context, EpochLog log) => Weights.Add(context.Model.GetWeights());
    }

    /// <summary>Records a file's bytes (or null) at every epoch end; must come after the callback that writes it.</summary>
    private sealed class FileSnapshots(string path) : Callback
    {
        public List<byte[]?> Bytes { get; } = [];

        public override void OnEpochEnd(TrainingContext context, EpochLog log) => Bytes.Add(File.Exists(path) ? File.ReadAllBytes(path) : null);
    }

    /// <summary>Sets the live learning rate at the start of one epoch.</summary>
    private sealed class LearningRateJump(int atEpoch, double rate) : Callback
    {
        public override void OnEpochBegin(TrainingContext context, int epoch)
        {
            if (epoch == atEpoch)
            {
                context.Model.LearningRate = rate;
            }
        }
    }
}
