using FuncReg.Tests.Checkpoints;

namespace FuncReg.Tests;

/// <summary>The built-in schedules' formulas at chosen epochs, their argument checks, and the scheduler in Fit and on resume.</summary>
public class LearningRateSchedulerTests
{
    private static double[] Rates(LearningRateSchedule s, int epochs) => [.. Enumerable.Range(0, epochs).Select(s.At)];

    // ---- CosineDecay ----

    [Fact]
    public void Cosine_decay_falls_from_the_initial_rate_to_zero_over_the_decay_epochs_and_stays()
    {
        var s = new CosineDecay(0.1, 4);
        // 0.1·½(1 + cos(π·e/4)): 0.1, 0.1·(1 + √½)/2, 0.05, 0.1·(1 − √½)/2, 0, then held at step 4
        double[] expected = [0.1, 0.085355339059327376, 0.05, 0.014644660940672624, 0, 0, 0];
        double[] got = Rates(s, 7);
        for (int e = 0; e < expected.Length; e++)
        {
            Assert.Equal(expected[e], got[e], 1e-16);
        }
    }

    [Fact]
    public void Cosine_decay_alpha_is_the_floor_as_a_fraction_of_the_peak()
    {
        var s = new CosineDecay(0.2, 2) { Alpha = 0.25 };
        // 0.2·(0.75·½(1 + cos(π·e/2)) + 0.25): 0.2, 0.2·(0.375 + 0.25) = 0.125, 0.2·0.25 = 0.05
        Assert.Equal(0.2, s.At(0), 1e-16);
        Assert.Equal(0.125, s.At(1), 1e-16);
        Assert.Equal(0.05, s.At(2), 1e-16);
        Assert.Equal(0.05, s.At(100), 1e-16);
    }

    [Fact]
    public void Cosine_decay_warms_up_linearly_to_the_target_then_decays_from_it()
    {
        var s = new CosineDecay(0.001, 10) { WarmupTarget = 0.01, WarmupEpochs = 3, Alpha = 0.1 };
        // warm-up 0.001 + 0.009·e/3; then 0.01·(0.9·½(1 + cos(π·(e − 3)/10)) + 0.1)
        Assert.Equal(0.001, s.At(0), 1e-16);
        Assert.Equal(0.004, s.At(1), 1e-16);
        Assert.Equal(0.007, s.At(2), 1e-16);
        Assert.Equal(0.01, s.At(3), 1e-16);
        Assert.Equal(0.01 * ((0.9 * 0.5) + 0.1), s.At(8), 1e-16); // half way: cos(π/2) = 0
        Assert.Equal(0.001, s.At(13), 1e-16);
        Assert.Equal(0.001, s.At(1000), 1e-16);
        Assert.Equal(0.001, s.At(int.MaxValue), 1e-16); // W + D does not overflow
    }

    [Fact]
    public void Cosine_decay_without_warm_up_target_ignores_nothing_silently()
    {
        var s = new CosineDecay(0.1, 5) { WarmupEpochs = 2 };
        var e = Assert.Throws<ArgumentException>(() => s.At(0));
        Assert.Equal("WarmupTarget", e.ParamName);
        Assert.Contains("WarmupEpochs is 2", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new LearningRateScheduler(s));
    }

    // ---- StepDecay and ExponentialDecay ----

    [Fact]
    public void Step_decay_multiplies_by_the_factor_every_step()
    {
        Assert.Equal([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025], Rates(new StepDecay(0.1, 3, 0.5), 7));
    }

    [Fact]
    public void Exponential_decay_is_smooth_or_a_staircase()
    {
        var smooth = new ExponentialDecay(0.1, 2, 0.25);
        Assert.Equal([0.1, 0.05, 0.025, 0.0125, 0.00625], Rates(smooth, 5)); // 0.1·0.25^(e/2) = 0.1·0.5^e
        var stairs = smooth with { Staircase = true };
        Assert.Equal([0.1, 0.1, 0.025, 0.025, 0.00625], Rates(stairs, 5));
    }

    // ---- argument checks ----

    public static TheoryData<string, Func<object>> BadArguments => new()
    {
        { "InitialLearningRate", () => new CosineDecay(0, 10) },
        { "InitialLearningRate", () => new StepDecay(double.NaN, 1, 0.5) },
        { "InitialLearningRate", () => new ExponentialDecay(-1e-3, 1, 0.5) },
        { "decayEpochs", () => new CosineDecay(0.1, 0) },
        { "Alpha", () => new CosineDecay(0.1, 10) { Alpha = 1.5 } },
        { "Alpha", () => new CosineDecay(0.1, 10) { Alpha = -0.1 } },
        { "WarmupTarget", () => new CosineDecay(0.1, 10) { WarmupTarget = 0 } },
        { "WarmupEpochs", () => new CosineDecay(0.1, 10) { WarmupEpochs = -1 } },
        { "stepEpochs", () => new StepDecay(0.1, 0, 0.5) },
        { "factor", () => new StepDecay(0.1, 2, 1) },
        { "factor", () => new StepDecay(0.1, 2, 0) },
        { "decayEpochs", () => new ExponentialDecay(0.1, -2, 0.5) },
        { "decayRate", () => new ExponentialDecay(0.1, 1, 1.5) },
        { "epoch", () => new StepDecay(0.1, 2, 0.5).At(-1) },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_hyperparameters_throw_naming_the_argument_and_range(string name, Func<object> create)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => create());
        Assert.Equal(name, e.ParamName);
        Assert.Matches(@"must be (in [\[(]|≥|a finite number)", e.Message);
    }

    // ---- LearningRateScheduler in Fit ----

    private static (History History, ScriptedModel Model) Run(int epochs, params Callback[] callbacks)
    {
        var model = new ScriptedModel([.. Enumerable.Repeat(1.0, epochs)]);
        History h = model.Fit(TestData.Indexed(1), new FitOptions { Epochs = epochs, Optimizer = new SGD(1.0), Callbacks = callbacks });
        return (h, model);
    }

    [Fact]
    public void A_built_in_schedule_sets_and_logs_every_epochs_rate()
    {
        var (h, model) = Run(5, new LearningRateScheduler(new StepDecay(0.8, 2, 0.5)));
        Assert.Equal([0.8, 0.8, 0.4, 0.4, 0.2], h.Series("learning_rate"));
        Assert.Equal(0.2, model.LearningRate);
    }

    [Fact]
    public void A_function_schedule_receives_the_epoch_and_the_live_rate()
    {
        var calls = new List<(int, double)>();
        var (h, _) = Run(4, new LearningRateScheduler((epoch, lr) =>
        {
            calls.Add((epoch, lr));
            return lr / 2;
        }));
        Assert.Equal([(0, 1.0), (1, 0.5), (2, 0.25), (3, 0.125)], calls);
        Assert.Equal([0.5, 0.25, 0.125, 0.0625], h.Series("learning_rate"));
    }

    [Fact]
    public void The_schedule_counts_epochs_from_the_initial_epoch()
    {
        var model = new ScriptedModel([1, 1, 1, 1, 1]);
        History h = model.Fit(TestData.Indexed(1), new FitOptions
        {
            Epochs = 5,
            InitialEpoch = 3,
            Optimizer = new SGD(1.0),
            Callbacks = [new LearningRateScheduler(new StepDecay(0.8, 2, 0.5))],
        });
        Assert.Equal([3, 4], h.Epochs.Select(e => e.Epoch));
        Assert.Equal([0.4, 0.2], h.Series("learning_rate"));
    }

    [Fact]
    public void The_scheduled_rate_is_the_one_the_steps_use()
    {
        // SGD without momentum has no state, so one Fit per epoch at that epoch's rate is the same training.
        Dataset data = TestData.Blobs(features: 3, classes: 2, perClass: 12, seed: 4);
        var schedule = new CosineDecay(0.002, 3) { WarmupTarget = 0.1, WarmupEpochs = 2, Alpha = 0.05 };
        using var scheduled = new CompiledModel(TestData.SmallClassifier(3), seed: 8);
        History h = scheduled.Fit(data, new FitOptions { Epochs = 6, BatchSize = 5, Optimizer = new SGD(0.5), Callbacks = [new LearningRateScheduler(schedule)] });

        using var manual = new CompiledModel(TestData.SmallClassifier(3), seed: 8);
        for (int e = 0; e < 6; e++)
        {
            manual.Fit(data, new FitOptions { Epochs = e + 1, InitialEpoch = e, BatchSize = 5, Optimizer = new SGD(schedule.At(e)) });
        }
        Assert.Equal(Rates(schedule, 6), h.Series("learning_rate"));
        Assert.True(TestData.SameBits(manual.GetWeights(), scheduled.GetWeights()));
        using var untrained = new CompiledModel(TestData.SmallClassifier(3), seed: 8);
        Assert.False(TestData.SameBits(untrained.GetWeights(), scheduled.GetWeights()));
    }

    [Fact]
    public void A_non_positive_rate_from_the_schedule_stops_before_the_epoch_with_the_epoch_named()
    {
        var (ok, _) = Run(2, new LearningRateScheduler(new CosineDecay(0.1, 2)));
        Assert.Equal(2, ok.Epochs.Count);
        var model = new ScriptedModel([1, 1, 1]);
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(TestData.Indexed(1), new FitOptions
        {
            Epochs = 3,
            Optimizer = new SGD(1.0),
            Callbacks = [new LearningRateScheduler(new CosineDecay(0.1, 2))],
        }));
        Assert.Contains("gave 0 for epoch 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("Alpha", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, model.TrainSteps);
        Assert.Throws<InvalidOperationException>(() => Run(1, new LearningRateScheduler((_, _) => double.NaN)));
    }

    [Fact]
    public void A_built_in_schedule_with_reduce_lr_on_plateau_is_refused_before_any_step()
    {
        var model = new ScriptedModel([1, 1]);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(TestData.Indexed(1), new FitOptions
        {
            Epochs = 2,
            Optimizer = new SGD(1.0),
            Callbacks = [new ReduceLROnPlateau { Monitor = "loss" }, new LearningRateScheduler(new CosineDecay(0.1, 2))],
        }));
        Assert.Equal("Callbacks", e.ParamName);
        Assert.Contains("ReduceLROnPlateau", e.Message, StringComparison.Ordinal);
        Assert.Contains("CosineDecay", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, model.TrainSteps);

        var two = Assert.Throws<ArgumentException>(() => Run(2, new LearningRateScheduler((_, lr) => lr), new LearningRateScheduler(new StepDecay(1, 1, 0.5))));
        Assert.Contains("more than one LearningRateScheduler", two.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_function_schedule_builds_on_reduce_lr_on_plateau_reductions()
    {
        // The plateau callback cuts by ½ at the end of every epoch from epoch 1 on (nothing improves by 10);
        // the function multiplies the live rate by 0.9 at every start.
        var (h, _) = Run(4,
            new LearningRateScheduler((_, lr) => lr * 0.9),
            new ReduceLROnPlateau { Monitor = "loss", Patience = 1, Factor = 0.5, MinDelta = 10 });
        double lr = 1.0;
        var expected = new List<double>();
        for (int e = 0; e < 4; e++)
        {
            lr *= 0.9;
            expected.Add(lr);
            if (e >= 1)
            {
                lr *= 0.5;
            }
        }
        Assert.Equal(expected, h.Series("learning_rate"));
        Assert.Equal([0.9, 0.81, 0.3645, 0.164025], h.Series("learning_rate").Select(v => Math.Round(v, 12)));
    }

    // ---- checkpoints ----

    private static FitOptions Options(Dataset validation, LearningRateScheduler scheduler, int epochs = 8) =>
        CheckpointSetup.Options(validation, epochs) with
        {
            Callbacks = [new EarlyStopping { Monitor = "val_loss", Patience = 50, RestoreBestWeights = true }, scheduler],
        };

    private static LearningRateScheduler Cosine() => new(new CosineDecay(0.004, 4) { WarmupTarget = 0.03, WarmupEpochs = 2, Alpha = 0.1 });

    /// <summary>The cosine schedule alone, or a function schedule with ReduceLROnPlateau (whose reductions it builds on).</summary>
    private static FitOptions Options(Dataset validation, string kind) => kind == "cosine"
        ? Options(validation, Cosine())
        : CheckpointSetup.Options(validation) with
        {
            Callbacks =
            [
                new LearningRateScheduler((e, lr) => e % 2 == 0 ? lr * 0.8 : lr),
                new ReduceLROnPlateau { Monitor = "val_loss", Patience = 1, Factor = 0.5 },
            ],
        };

    [Theory]
    [InlineData("compiled", 2, 3, "cosine")] // cancelled in the middle of epoch 2 (during the warm-up's end)
    [InlineData("reference", 4, 0, "cosine")] // cancelled at the start of epoch 4
    [InlineData("compiled", 6, 2, "cosine")] // cancelled after the decay ended (W + D = 6)
    [InlineData("compiled", 4, 0, "function")]
    [InlineData("reference", 5, 4, "function")]
    public void Cancel_then_resume_with_a_schedule_is_bit_identical(string engine, int epoch, int batch, string kind)
    {
        var (train, validation) = CheckpointSetup.Data();
        IModel whole = CheckpointSetup.Build(engine);
        History full = whole.Fit(train, Options(validation, kind));

        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource();
        IModel first = CheckpointSetup.Build(engine);
        IProgress<TrainingProgress> cancel = batch == 0 ? new CancelAt(cts, epoch - 1, 7) : new CancelAt(cts, epoch, batch);
        History part = first.Fit(train, Options(validation, kind) with
        {
            Checkpoint = new CheckpointOptions(dir.Path) { EveryEpochs = 100 },
            CancellationToken = cts.Token,
            Progress = cancel,
        });
        Assert.True(part.Cancelled);
        Assert.Equal(epoch, Checkpoint.Inspect(dir.Path).Epoch);

        IModel second = CheckpointSetup.Build(engine);
        History rest = second.Resume(dir.Path, train, Options(validation, kind));
        Assert.True(TestData.SameBits(whole.GetWeights(), second.GetWeights()), "resumed weights differ from the uninterrupted run");
        Assert.Equal(CheckpointSetup.Logs(full), CheckpointSetup.Logs(rest));
        double[] rates = rest.Series("learning_rate");
        if (kind == "cosine")
        {
            Assert.Equal(Rates(Cosine().Schedule!, 8), rates);
        }
        else
        {
            Assert.True(rates.Distinct().Count() > 4, string.Join(", ", rates)); // both callbacks changed the rate
        }
    }

    [Fact]
    public void Resuming_with_another_schedule_is_refused_before_anything_changes()
    {
        var (train, validation) = CheckpointSetup.Data();
        using var dir = new TempDirectory();
        CheckpointSetup.Build("compiled").Fit(train, Options(validation, Cosine(), epochs: 2) with { Checkpoint = new CheckpointOptions(dir.Path) });

        IModel other = CheckpointSetup.Build("compiled");
        float[][] before = other.GetWeights();
        var changed = new LearningRateScheduler(new CosineDecay(0.004, 4) { WarmupTarget = 0.03, WarmupEpochs = 2, Alpha = 0.2 });
        var e = Assert.Throws<CheckpointFormatException>(() => other.Fit(train, Options(validation, changed) with { ResumeFrom = dir.Path }));
        Assert.Contains("cosine_decay.alpha = 0.1", e.Message, StringComparison.Ordinal);
        Assert.Contains("callback 1 (LearningRateScheduler)", e.Message, StringComparison.Ordinal);
        Assert.True(TestData.SameBits(before, other.GetWeights()));
        Assert.Equal(0, other.Step);

        var kind = Assert.Throws<CheckpointFormatException>(() => CheckpointSetup.Build("compiled").Fit(train, Options(validation, new LearningRateScheduler(new StepDecay(0.004, 2, 0.5))) with { ResumeFrom = dir.Path }));
        Assert.Contains("another schedule", kind.Message, StringComparison.Ordinal);
        var function = Assert.Throws<CheckpointFormatException>(() => CheckpointSetup.Build("compiled").Fit(train, Options(validation, new LearningRateScheduler((_, lr) => lr)) with { ResumeFrom = dir.Path }));
        Assert.Contains("a function schedule", function.Message, StringComparison.Ordinal);
    }
}
