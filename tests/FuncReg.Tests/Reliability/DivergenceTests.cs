namespace FuncReg.Tests.Reliability;

/// <summary>
/// A diverged model never reaches a file (issue 12): NaN or ∞ hidden from the loss by a ReLU is found at the end of the
/// epoch, <c>Fit</c> throws a typed error (or stops under TerminateOnNaN) before any callback or checkpoint sees the
/// weights, and every writer refuses a non-finite model.
/// </summary>
public sealed class DivergenceTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("funcreg-divergence-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>The campaign's case: the [2, 20, 3, 1] relu net on inputs ≈ 1e20 with SGD lr 1e6, many seeds, both fused engines and the reference.</summary>
    [Theory]
    [InlineData("compiled")]
    [InlineData("reference")]
    public void A_diverging_football_net_never_writes_a_non_finite_file(string engine)
    {
        Sequential spec = Sequential.Of(2, new Dense(20, Activation.Relu), new Dense(3, Activation.Relu), new Dense(1, Activation.Sigmoid));
        var rng = new System.Random(7);
        float[] x = [.. Enumerable.Range(0, 64).Select(_ => (float)((rng.NextDouble() - 0.5) * 2e20))];
        int[] y = [.. Enumerable.Range(0, 32).Select(i => i % 2)];
        Dataset data = Dataset.From(x, y, [2]);
        int threw = 0;
        for (int seed = 0; seed < 18; seed++)
        {
            string ckpt = Path.Combine(dir, $"{engine}-{seed}");
            string best = Path.Combine(dir, $"{engine}-{seed}.safetensors");
            IModel model = engine == "compiled" ? new CompiledModel(spec, seed) : Reference.Build(spec, seed);
            try
            {
                model.Fit(data, new FitOptions
                {
                    Epochs = 6,
                    BatchSize = 8,
                    Optimizer = new SGD(1e6),
                    Checkpoint = new CheckpointOptions(ckpt),
                    Callbacks = [new ModelCheckpoint(best) { Monitor = "loss", SaveBestOnly = false }],
                });
                Assert.Null(model.FindNonFinite()); // a run that ends normally ends finite
            }
            catch (Exception e) when (e is NonFiniteLossException or NonFiniteStateException)
            {
                threw++;
            }
            finally
            {
                (model as IDisposable)?.Dispose();
            }
            foreach (string file in Directory.Exists(ckpt) ? Directory.EnumerateFiles(ckpt, "*.safetensors", SearchOption.AllDirectories) : [])
            {
                AssertFinite(file);
            }
            if (File.Exists(best))
            {
                AssertFinite(best);
            }
        }
        Assert.True(threw > 0, "the setting is meant to diverge for some seeds");
    }

    [Fact]
    public void Nan_weights_behind_a_finite_loss_throw_at_the_end_of_the_epoch()
    {
        var model = new ScriptedModel([1, 1, 1, 1, 1, 1]) { PoisonFromStep = 4 }; // two steps per epoch: epoch 2 is poisoned
        var seen = new List<int>();
        var e = Assert.Throws<NonFiniteStateException>(() => model.Fit(TestData.Indexed(2), new FitOptions
        {
            Epochs = 3,
            BatchSize = 1,
            Shuffle = false,
            Optimizer = new SGD(1.0),
            Checkpoint = new CheckpointOptions(Path.Combine(dir, "ckpt")),
            Callbacks = [new EpochRecorder(seen)],
        }));
        Assert.Equal(("dense_0.kernel", 0), (e.Tensor, e.Index));
        Assert.Contains("epoch 2", e.Message, StringComparison.Ordinal);
        Assert.Equal([0, 1], seen); // no callback saw epoch 2
        CheckpointInfo info = Checkpoint.Inspect(Path.Combine(dir, "ckpt"));
        Assert.Equal(2, info.Epoch); // the checkpoint after epoch 1 survives
    }

    [Fact]
    public void Terminate_on_nan_with_hidden_nan_weights_stops_without_writing_anything()
    {
        string ckpt = Path.Combine(dir, "ckpt");
        string best = Path.Combine(dir, "best.safetensors");
        var model = new ScriptedModel([3, 2, 1, 0.5, 0.25]) { PoisonFromStep = 2 };
        var seen = new List<int>();
        History h = model.Fit(TestData.Indexed(1), new FitOptions
        {
            Epochs = 5,
            Optimizer = new SGD(1.0),
            Checkpoint = new CheckpointOptions(ckpt),
            Callbacks = [new TerminateOnNaN(), new ModelCheckpoint(best) { Monitor = "loss", SaveBestOnly = false }, new EpochRecorder(seen),
                new EarlyStopping { Monitor = "loss", Patience = 10, RestoreBestWeights = true }],
        });
        Assert.Equal(3, h.Epochs.Count); // the diverged epoch is logged
        Assert.Contains("dense_0.kernel[0] is NaN", h.StopReason, StringComparison.Ordinal);
        Assert.Equal([0, 1], seen);
        Assert.Equal(2, Checkpoint.Inspect(ckpt).Epoch);
        Assert.Equal(1f, SafeTensors.Read(best).Tensors.Single().Values.Single()); // epoch 1's weights, not NaN
        Assert.Equal(1f, model.Weight); // EarlyStopping restored its (finite) best
        Assert.Equal(1, h.RestoredEpoch);
    }

    [Fact]
    public void Terminate_on_nan_never_overwrites_the_last_good_checkpoint()
    {
        string ckpt = Path.Combine(dir, "ckpt");
        var model = new ScriptedModel([3, 2, double.NaN, 1]);
        History h = model.Fit(TestData.Indexed(1), new FitOptions
        {
            Epochs = 4,
            Optimizer = new SGD(1.0),
            Checkpoint = new CheckpointOptions(ckpt),
            Callbacks = [new TerminateOnNaN()],
        });
        Assert.Equal(3, h.Epochs.Count);
        CheckpointInfo info = Checkpoint.Inspect(ckpt);
        Assert.Equal(2, info.Epoch);
        Assert.Null(info.StopReason);
        var restored = new ScriptedModel();
        restored.Load(WeightsOf(ckpt));
        Assert.Equal(1f, restored.Weight);
    }

    [Fact]
    public void Save_refuses_a_diverged_model_and_leaves_the_file_alone()
    {
        string path = Path.Combine(dir, "net.safetensors");
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        model.Save(path);
        byte[] before = File.ReadAllBytes(path);
        model.Parameters[2].Values[3] = float.PositiveInfinity;
        var e = Assert.Throws<NonFiniteStateException>(() => model.Save(path));
        Assert.Equal(("dense_1.kernel", 3), (e.Tensor, e.Index));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Throws<NonFiniteStateException>(() => model.Save(Path.Combine(dir, "new.safetensors")));
        Assert.False(File.Exists(Path.Combine(dir, "new.safetensors")));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void Set_weights_rejects_non_finite_values_before_writing_any()
    {
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        float[][] before = model.GetWeights();
        float[][] bad = model.GetWeights();
        bad[0][0] = 5; // a good change in the first array, a NaN in the last: nothing may be written
        bad[^1][1] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => model.SetWeights(bad));
        Assert.Contains("dense_1.bias[1] is NaN", e.Message, StringComparison.Ordinal);
        Assert.True(TestData.SameBits(before, model.GetWeights()));
    }

    [Fact]
    public void Find_non_finite_checks_parameters_and_optimizer_moments()
    {
        using var model = new CompiledModel(TestData.SmallClassifier(), seed: 1);
        Dataset data = TestData.Blobs(features: 2, classes: 2, perClass: 8);
        model.Fit(data, new FitOptions { Epochs = 1, Optimizer = new Adam(1e-2) });
        Assert.Null(model.FindNonFinite());
        Parameter moment = model.OptimizerState[^1];
        moment.Values[moment.Length - 1] = float.NegativeInfinity;
        Assert.Equal((moment.Name, moment.Length - 1, float.NegativeInfinity), model.FindNonFinite());
        Assert.Throws<NonFiniteStateException>(() => model.EnsureFinite("test"));
        Assert.Throws<NonFiniteStateException>(() => model.Fit(data, new FitOptions { Epochs = 1, Optimizer = new Adam(1e-2), Checkpoint = new CheckpointOptions(Path.Combine(dir, "c")) }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(100)]
    public void Index_of_non_finite_finds_the_first_at_every_position(int length)
    {
        var values = new float[length];
        Assert.Equal(-1, ModelState.IndexOfNonFinite(values));
        for (int i = 0; i < length; i++)
        {
            values[i] = float.NaN;
            if (i + 1 < length)
            {
                values[length - 1] = float.PositiveInfinity;
            }
            Assert.Equal(i, ModelState.IndexOfNonFinite(values));
            Array.Clear(values);
        }
    }

    private static string WeightsOf(string checkpointDirectory) =>
        Directory.EnumerateFiles(checkpointDirectory, Checkpoint.WeightsFile, SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).Last();

    private static void AssertFinite(string safetensors)
    {
        foreach (NamedTensor t in SafeTensors.Read(safetensors).Tensors)
        {
            Assert.True(ModelState.IndexOfNonFinite(t.Values) < 0, $"{safetensors}: {t.Name} holds a non-finite value");
        }
    }

    private sealed class EpochRecorder(List<int> epochs) : Callback
    {
        public override void OnEpochEnd(TrainingContext context, EpochLog log) => epochs.Add(log.Epoch);
    }
}
