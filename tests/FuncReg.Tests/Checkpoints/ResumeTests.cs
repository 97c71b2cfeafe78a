namespace FuncReg.Tests.Checkpoints;

/// <summary>
/// Train k epochs (or up to a batch in the middle of an epoch), checkpoint, build a new model, resume: the weights and
/// the history equal those of an uninterrupted run bit for bit — with dropout, shuffling, augmentation, Adam,
/// EarlyStopping(restore) and ReduceLROnPlateau, on the reference and the compiled engine.
/// </summary>
public class ResumeTests
{
    private static (float[][] Weights, History History, IModel Model) Uninterrupted(string engine, int epochs = 8, bool mixup = false)
    {
        var (train, validation) = CheckpointSetup.Data();
        IModel model = CheckpointSetup.Build(engine);
        History h = model.Fit(train, CheckpointSetup.Options(validation, epochs, mixup));
        return (model.GetWeights(), h, model);
    }

    [Theory]
    [InlineData("compiled", 2, 4, false)] // cancelled in the middle of epoch 2
    [InlineData("reference", 3, 0, false)] // cancelled at the start of epoch 3
    [InlineData("compiled", 1, 5, true)] // with mixup
    public void Cancel_then_resume_in_a_new_model_is_bit_identical(string engine, int epoch, int batch, bool mixup)
    {
        var (expected, full, _) = Uninterrupted(engine, mixup: mixup);
        var (train, validation) = CheckpointSetup.Data();
        using var dir = new TempDirectory();

        using var cts = new CancellationTokenSource();
        IModel first = CheckpointSetup.Build(engine);
        // b batches reported done → cancel: training stops before batch index b (b = 0: after epoch − 1 ended)
        IProgress<TrainingProgress> cancel = batch == 0 ? new CancelAt(cts, epoch - 1, 7) : new CancelAt(cts, epoch, batch);
        History part = first.Fit(train, CheckpointSetup.Options(validation, mixup: mixup) with
        {
            Checkpoint = new CheckpointOptions(dir.Path) { EveryEpochs = 100 },
            CancellationToken = cts.Token,
            Progress = cancel,
        });
        Assert.True(part.Cancelled);
        Assert.Contains("Cancelled", part.StopReason, StringComparison.Ordinal);
        Assert.Contains(dir.Path, part.StopReason, StringComparison.Ordinal);
        CheckpointInfo info = Checkpoint.Inspect(dir.Path);
        Assert.Equal(epoch, info.Epoch);
        Assert.Equal(batch, info.Batch);
        Assert.Equal(epoch, info.History.Count);

        IModel second = CheckpointSetup.Build(engine); // a new process would build the same fresh model
        History rest = second.Resume(dir.Path, train, CheckpointSetup.Options(validation, mixup: mixup));

        Assert.False(rest.Cancelled);
        Assert.True(TestData.SameBits(expected, second.GetWeights()), "resumed weights differ from the uninterrupted run");
        Assert.Equal(CheckpointSetup.Logs(full), CheckpointSetup.Logs(rest));
        Assert.Equal(full.StopReason, rest.StopReason);
        Assert.Equal(full.RestoredEpoch, rest.RestoredEpoch);
        Assert.NotNull(rest.RestoredEpoch);
    }

    [Theory]
    [InlineData("compiled")]
    [InlineData("reference")]
    public void Epoch_checkpoints_resume_with_moments_counters_and_callback_state(string engine)
    {
        var (expected, full, done) = Uninterrupted(engine);
        var (train, validation) = CheckpointSetup.Data();
        using var dir = new TempDirectory();

        IModel first = CheckpointSetup.Build(engine);
        History part = first.Fit(train, CheckpointSetup.Options(validation, epochs: 3) with { Checkpoint = new CheckpointOptions(dir.Path) { EveryEpochs = 2 } });
        Assert.Equal(3, part.Epochs.Count);
        CheckpointInfo info = Checkpoint.Inspect(dir.Path);
        Assert.Equal(3, info.Epoch); // the last epoch is always written
        Assert.Equal(0, info.Batch);
        Assert.Equal(full.Epochs[3].LearningRate, info.LearningRate); // ReduceLROnPlateau's change of epoch 2 is kept

        IModel second = CheckpointSetup.Build(engine);
        History rest = second.Fit(train, CheckpointSetup.Options(validation) with { ResumeFrom = dir.Path });

        Assert.True(TestData.SameBits(expected, second.GetWeights()));
        Assert.Equal(CheckpointSetup.Logs(full), CheckpointSetup.Logs(rest));
        Assert.Equal(done.Step, second.Step);
        Assert.Equal(done.OptimizerIterations, second.OptimizerIterations);
        Assert.True(TestData.SameBits([.. done.OptimizerState.Select(p => p.Values.ToArray())], [.. second.OptimizerState.Select(p => p.Values.ToArray())]));
    }

    [Fact]
    public void A_checkpoint_from_the_reference_engine_resumes_on_the_compiled_engine()
    {
        var (train, validation) = CheckpointSetup.Data();
        using var dir = new TempDirectory();
        CheckpointSetup.Build("reference").Fit(train, CheckpointSetup.Options(validation, epochs: 2) with { Checkpoint = new CheckpointOptions(dir.Path) });
        IModel compiled = CheckpointSetup.Build("compiled");
        History h = compiled.Fit(train, CheckpointSetup.Options(validation, epochs: 4) with { ResumeFrom = dir.Path });
        Assert.Equal([0, 1, 2, 3], h.Epochs.Select(e => e.Epoch));
        Assert.Equal(4L * 7, compiled.Step); // 45 samples in batches of 7: 7 steps per epoch
    }

    [Fact]
    public void Resuming_a_run_that_early_stopping_ended_only_restores_the_best_weights()
    {
        var (train, validation) = CheckpointSetup.Data();
        using var dir = new TempDirectory();
        FitOptions Options() => CheckpointSetup.Options(validation, epochs: 60) with
        {
            Callbacks = [new EarlyStopping { Monitor = "val_loss", Patience = 1, RestoreBestWeights = true }],
        };
        IModel first = CheckpointSetup.Build("compiled");
        History h = first.Fit(train, Options() with { Checkpoint = new CheckpointOptions(dir.Path) { EveryEpochs = 1000 } });
        Assert.NotNull(h.StopReason);
        Assert.True(h.Epochs.Count < 60);

        IModel second = CheckpointSetup.Build("compiled");
        History again = second.Fit(train, Options() with { ResumeFrom = dir.Path });
        Assert.Equal(h.Epochs.Count, again.Epochs.Count); // no further epoch ran
        Assert.Equal(h.StopReason, again.StopReason);
        Assert.Equal(h.RestoredEpoch, again.RestoredEpoch);
        Assert.True(TestData.SameBits(first.GetWeights(), second.GetWeights()));
        Assert.Equal(first.Step, second.Step);
    }

    [Fact]
    public void Cancellation_finishes_the_current_batch_and_returns_without_a_checkpoint_when_none_is_configured()
    {
        var (train, validation) = CheckpointSetup.Data();
        using var cts = new CancellationTokenSource();
        IModel model = CheckpointSetup.Build("compiled");
        var progress = new CancelAt(cts, 1, 3);
        History h = model.Fit(train, CheckpointSetup.Options(validation) with { CancellationToken = cts.Token, Progress = progress });
        Assert.True(h.Cancelled);
        Assert.Equal("Cancelled in epoch 1 before batch 3.", h.StopReason);
        Assert.Single(h.Epochs); // epoch 1 did not end
        Assert.Equal(7 + 3, model.Step);
    }

    [Fact]
    public void A_token_cancelled_before_fit_trains_nothing_and_writes_a_resumable_checkpoint()
    {
        var (train, validation) = CheckpointSetup.Data();
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        IModel model = CheckpointSetup.Build("compiled");
        float[][] before = model.GetWeights();
        History h = model.Fit(train, CheckpointSetup.Options(validation) with { CancellationToken = cts.Token, Checkpoint = new CheckpointOptions(dir.Path) });
        Assert.True(h.Cancelled);
        Assert.Empty(h.Epochs);
        Assert.Equal(0, model.Step);
        Assert.True(TestData.SameBits(before, model.GetWeights()));
        Assert.Equal(0, Checkpoint.Inspect(dir.Path).Epoch);
    }

    [Fact]
    public void The_weights_file_of_a_checkpoint_loads_as_plain_safetensors()
    {
        var (train, validation) = CheckpointSetup.Data();
        using var dir = new TempDirectory();
        IModel model = CheckpointSetup.Build("compiled");
        model.Fit(train, CheckpointSetup.Options(validation, epochs: 1) with { Checkpoint = new CheckpointOptions(dir.Path), Callbacks = [] });
        IModel other = CheckpointSetup.Build("reference", seed: 99);
        string checkpoint = Checkpoint.Latest(dir.Path)!;
        other.Load(Path.Combine(checkpoint, Checkpoint.WeightsFile));
        Assert.True(TestData.SameBits(model.GetWeights(), other.GetWeights()));
        var (tensors, metadata) = SafeTensors.Read(Path.Combine(checkpoint, Checkpoint.StateFile));
        Assert.Equal("funcreg-state", metadata["format"]);
        Assert.Contains(tensors, t => t.Name == "dense_0.kernel/slot1");
    }
}
