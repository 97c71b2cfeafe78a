using FuncReg;

namespace FuncReg.Tests.Generated;

// --- README begin (keep in sync with README.md "Convolutional networks", the attribute example) ---
[Model(InputShape = new[] { 28, 28, 1 })]                              // images [height, width, channels]; loss inferred: softmax → CE
[Conv2D(32, 3, Activation.Relu, Padding = Padding.Same, L2 = 1e-4)]   // also KernelHeight/KernelWidth ctor, Strides, StrideHeight/Width
[BatchNormalization]                                                   // per channel, statistics over n·h·w
[MaxPooling2D(2)]                                                      // strides = pool size unless given
[Conv2D(64, 3, Activation.Relu, Strides = 2, MaxNorm = 3)]
[SpatialDropout2D(0.1)]                                                // drops whole feature maps
[GlobalAveragePooling2D]                                               // or [Flatten]
[Dense(10, Activation.Softmax)]
public partial class SmallCnn;
// --- README end ---

/// <summary>
/// Every image layer and conv option on a model big enough that its GEMMs and image passes split over 2 threads:
/// same and valid padding, stride 2, a pointwise conv, both poolings, channel batch norm, spatial dropout, penalties,
/// MaxNorm, Flatten and a fused Dense + Dropout.
/// </summary>
[Model(InputShape = new[] { 16, 16, 3 }, Loss = Loss.CategoricalCrossEntropy)]
[Conv2D(16, 3, Activation.Relu, Padding = Padding.Same, L2 = 1e-4, MaxNorm = 3)]
[SpatialDropout2D(0.2)]
[MaxPooling2D(2)]
[Conv2D(24, 3, UseBias = false, Strides = 2, ActivityL2 = 1e-5)]
[BatchNormalization]
[Activation(Activation.Elu)]
[AveragePooling2D(2, Strides = 1, Padding = Padding.Same)]
[Conv2D(8, 1, Activation.Tanh, BiasL1 = 1e-4)]
[Flatten]
[Dense(32, Activation.Relu)]
[Dropout(0.3)]
[Dense(10, Activation.Softmax)]
public partial class SteadyStateCnn;

/// <summary>
/// Conv → channel batch norm → ReLU twice: the generator fuses each ReLU into the batch norm's training passes. 12 and
/// 16 channels (whole vectors and a tail), n·h·w rows over several 64-row blocks, split over 2 threads.
/// </summary>
[Model(InputShape = new[] { 12, 12, 2 }, Loss = Loss.CategoricalCrossEntropy)]
[Conv2D(12, 3, UseBias = false, Padding = Padding.Same)]
[BatchNormalization]
[Activation(Activation.Relu)]
[MaxPooling2D(2)]
[Conv2D(16, 3, UseBias = false, Padding = Padding.Same)]
[BatchNormalization(Center = false)]
[Activation(Activation.Relu)]
[Flatten]
[Dense(10, Activation.Softmax)]
public partial class BatchNormReluCnn;

/// <summary>Nothing but a Flatten: the generated model copies its input (CompiledModel plans a linear activation step).</summary>
[Model(InputShape = new[] { 2, 3, 2 }, Loss = Loss.MeanSquaredError)]
[Flatten]
public partial class FlattenOnly;

/// <summary>Generated CNNs: the spec the attributes describe, 0-byte steady state, thread-count independence, and the compiled engine's exact results.</summary>
public sealed class GeneratedCnnTests
{
    private static (float[] X, int[] Labels) Data(Sequential spec, int n, int seed)
    {
        var rng = new Random(seed);
        float[] x = [.. Enumerable.Range(0, n * spec.Inputs).Select(_ => (float)((rng.NextDouble() * 2) - 1))];
        int[] labels = [.. Enumerable.Range(0, n).Select(_ => rng.Next(spec.Outputs))];
        return (x, labels);
    }

    [Fact]
    public void SmallCnn_spec_equals_the_records_of_the_readme()
    {
        Sequential records = Sequential.Of(new InputShape(28, 28, 1),
            new Conv2D(32, 3, Activation.Relu) { Padding = Padding.Same, KernelRegularizer = Regularizer.L2(1e-4) },
            new BatchNormalization(),
            new MaxPooling2D(2),
            new Conv2D(64, (3, 3), Activation.Relu) { Strides = (2, 2), KernelConstraint = new MaxNorm(3) },
            new SpatialDropout2D(0.1),
            new GlobalAveragePooling2D(),
            new Dense(10, Activation.Softmax));
        Assert.Equal(records, SmallCnn.Spec);
        using var model = new SmallCnn(seed: 42);
        Assert.Equal(["conv2d_0.kernel", "conv2d_0.bias", "batch_norm_1.gamma", "batch_norm_1.beta", "batch_norm_1.moving_mean", "batch_norm_1.moving_variance", "conv2d_3.kernel", "conv2d_3.bias", "dense_6.kernel", "dense_6.bias"], model.Parameters.Select(p => p.Name));
        Assert.Equal([3, 3, 32, 64], model.Parameters[6].Shape);
        Assert.Equal(["conv2d_0.kernel"], model.PenaltyNames);
        (float[] x, int[] y) = Data(SmallCnn.Spec, 8, 1);
        History history = model.Fit(Dataset.From(x, y, sampleShape: [28, 28, 1]), new FitOptions { Epochs = 2, BatchSize = 4, Optimizer = new Adam(1e-3) });
        Assert.Equal(2, history.Epochs.Count);
        Assert.True(double.IsFinite(history.Epochs[^1].Loss));
    }

    [Fact]
    public void The_readme_shows_the_SmallCnn_declaration_of_this_file()
    {
        string Find(string relative)
        {
            for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                string candidate = Path.Combine(d.FullName, relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
            throw new FileNotFoundException(relative);
        }
        string source = File.ReadAllText(Find("tests/FuncReg.Tests/Generated/GeneratedCnnTests.cs")).ReplaceLineEndings("\n");
        int begin = source.IndexOf('\n', source.IndexOf("// --- README begin", StringComparison.Ordinal)) + 1;
        string declaration = source[begin..source.IndexOf("// --- README end", StringComparison.Ordinal)];
        Assert.Contains("public partial class SmallCnn;", declaration, StringComparison.Ordinal);
        Assert.Contains(declaration, File.ReadAllText(Find("README.md")).ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_of_only_Flatten_is_the_identity()
    {
        using var model = new FlattenOnly(seed: 1);
        float[] x = [.. Enumerable.Range(0, 2 * 12).Select(i => (i * 0.37f) - 4)];
        Assert.Equal(x, model.Predict(x));
        float[] targets = [.. x.Select(v => v + 1)];
        StepResult r = model.TrainStep(new Batch(x, [], targets, 2), []);
        Assert.Equal(1.0, r.DataLoss, 6);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Steady_state_train_step_and_predict_allocate_nothing(int threads)
    {
        using var model = new SteadyStateCnn(seed: 1, threads: threads);
        Assert.Equal(Math.Min(threads, Environment.ProcessorCount), model.Threads);
        model.Optimizer = new Adam(1e-3) { ClipNorm = 1, WeightDecay = 1e-4 };
        const int n = 64;
        (float[] x, int[] labels) = Data(SteadyStateCnn.Spec, n, 2);
        var penalties = new double[model.PenaltyNames.Count];
        var output = new float[n * 10];
        for (int i = 0; i < 3; i++)
        {
            model.TrainStep(new Batch(x, labels, [], n), penalties);
            model.Predict(x, output);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            model.TrainStep(new Batch(x, labels, [], n), penalties);
            model.Predict(x, output);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{threads} thread(s): {allocated} bytes allocated in 100 steady-state train steps and predictions");
    }

    /// <summary>Trains <paramref name="create"/>'s model for 4 steps of random batches; every parameter and optimizer slot, and the predictions.</summary>
    private static (float[][] Weights, float[][] Slots, float[] Predictions) Train(Func<IModel> create, int n)
    {
        IModel model = create();
        try
        {
            model.Optimizer = new Adam(1e-3);
            var penalties = new double[model.PenaltyNames.Count];
            for (int step = 0; step < 4; step++)
            {
                (float[] x, int[] labels) = Data(model.Spec, n, 10 + step);
                model.TrainStep(new Batch(x, labels, [], n), penalties);
            }
            (float[] test, _) = Data(model.Spec, n, 99);
            return (model.GetWeights(), [.. model.OptimizerState.Select(p => p.Values.ToArray())], model.Predict(test));
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    private static void AssertBitIdentical((float[][] Weights, float[][] Slots, float[] Predictions) a, (float[][] Weights, float[][] Slots, float[] Predictions) b, string what)
    {
        static bool Same(float[] u, float[] v) => u.Select(BitConverter.SingleToInt32Bits).SequenceEqual(v.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(a.Weights.Length, b.Weights.Length);
        for (int p = 0; p < a.Weights.Length; p++)
        {
            Assert.True(Same(a.Weights[p], b.Weights[p]), $"{what}: parameter {p} differs");
        }
        Assert.Equal(a.Slots.Length, b.Slots.Length);
        for (int s = 0; s < a.Slots.Length; s++)
        {
            Assert.True(Same(a.Slots[s], b.Slots[s]), $"{what}: optimizer slot {s} differs");
        }
        Assert.True(Same(a.Predictions, b.Predictions), $"{what}: predictions differ");
    }

    [Fact]
    public void Same_seed_gives_bit_identical_weights_on_one_and_two_threads()
    {
        AssertBitIdentical(Train(() => new SteadyStateCnn(seed: 7, threads: 1), 64), Train(() => new SteadyStateCnn(seed: 7, threads: 2), 64), "SteadyStateCnn, 1 vs 2 threads");
        AssertBitIdentical(Train(() => new BatchNormReluCnn(seed: 7, threads: 1), 48), Train(() => new BatchNormReluCnn(seed: 7, threads: 2), 48), "BatchNormReluCnn, 1 vs 2 threads");
    }

    [Fact]
    public void Generated_code_computes_exactly_what_the_compiled_engine_computes()
    {
        // Both call the same kernels in the same order over the same buffers' contents: bit-identical, not merely close.
        AssertBitIdentical(Train(() => new SteadyStateCnn(seed: 5, threads: 2), 32), Train(() => new CompiledModel(SteadyStateCnn.Spec, seed: 5, threads: 2), 32), "SteadyStateCnn vs CompiledModel");
        AssertBitIdentical(Train(() => new SmallCnn(seed: 5), 6), Train(() => new CompiledModel(SmallCnn.Spec, seed: 5), 6), "SmallCnn vs CompiledModel");
        // the batch norm + ReLU fusion of the generated code (CompiledModel runs them as two steps) changes no bit
        AssertBitIdentical(Train(() => new BatchNormReluCnn(seed: 5, threads: 2), 48), Train(() => new CompiledModel(BatchNormReluCnn.Spec, seed: 5, threads: 2), 48), "BatchNormReluCnn vs CompiledModel");
    }
}
