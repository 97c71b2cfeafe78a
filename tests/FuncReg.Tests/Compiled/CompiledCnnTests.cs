namespace FuncReg.Tests.Compiled;

/// <summary>The compiled engine on convolutional models: equal to the reference, allocation-free, thread-count independent, and trainable with Fit.</summary>
public sealed class CompiledCnnTests
{
    public static TheoryData<string> Specs() => [.. SpecsByName.Keys];

    private static readonly Dictionary<string, Sequential> SpecsByName = new()
    {
        ["conv-bn-relu-maxpool-flatten-dense"] = Sequential.Of(
            new InputShape(8, 8, 2),
            new Conv2D(4, 3) { UseBias = false, KernelRegularizer = Regularizer.L2(1e-3), KernelConstraint = new MaxNorm(2) }, // a bias before BN has no gradient
            new BatchNormalization(),
            new ActivationLayer(Activation.Relu),
            new MaxPooling2D(2),
            new Flatten(),
            new Dense(3, Activation.Softmax)),
        ["conv-same-stride2-avgpool-pointwise-ln-gap-dense"] = Sequential.Of(
            new InputShape(7, 6, 3),
            new Conv2D(5, (3, 2), Activation.Tanh) { Strides = (2, 2), Padding = Padding.Same, ActivityRegularizer = Regularizer.L2(1e-3), BiasRegularizer = Regularizer.L1(1e-3) },
            new AveragePooling2D(2) { Strides = (1, 1), Padding = Padding.Same },
            new Conv2D(3, 1, Activation.Elu) { KernelInitializer = Initializer.HeUniform },
            new LayerNormalization(),
            new GlobalAveragePooling2D(),
            new Dense(1, Activation.Sigmoid)),
        ["conv-spatialdropout-maxpool-same-flatten-dropout-dense"] = Sequential.Of(
            new InputShape(6, 6, 1),
            new Conv2D(4, 3, Activation.Relu) { Padding = Padding.Same },
            new SpatialDropout2D(0.3),
            new MaxPooling2D(3) { Strides = (2, 2), Padding = Padding.Same },
            new Flatten(),
            new Dropout(0.2),
            new Dense(6, Activation.Relu),
            new Dropout(0.2),
            new Dense(3)) with
        { Loss = Loss.CategoricalCrossEntropy, FromLogits = true },
    };

    private static readonly Optimizer[] Optimizers =
    [
        new SGD(0.05) { Momentum = 0.9, ClipNorm = 1.0 },
        new Adam(1e-2) { WeightDecay = 1e-3 },
        new AdamW(1e-2) { GlobalClipNorm = 2.0 },
    ];

    [Theory]
    [MemberData(nameof(Specs))]
    public void Training_matches_the_reference(string name)
    {
        Sequential spec = SpecsByName[name];
        foreach (Optimizer optimizer in Optimizers)
        {
            var reference = Reference.Build(spec, seed: 11);
            using var compiled = new CompiledModel(spec, seed: 11);
            Assert.Equal(reference.Parameters.Select(p => p.Name), compiled.Parameters.Select(p => p.Name));
            Assert.Equal(reference.Parameters.Select(p => p.Shape), compiled.Parameters.Select(p => p.Shape));
            Assert.Equal(reference.PenaltyNames, compiled.PenaltyNames);
            CompiledModelTests.AssertClose(reference, compiled, 0, name, optimizer);
            reference.Optimizer = optimizer;
            compiled.Optimizer = optimizer;
            var rng = new Random(5);
            var refPen = new double[reference.PenaltyNames.Count];
            var cmpPen = new double[compiled.PenaltyNames.Count];
            for (int step = 1; step <= 4; step++)
            {
                int n = 3 + (step * 5);
                (float[] x, int[] labels, float[] targets) = CompiledModelTests.Batch(spec, n, rng);
                var batch = new Batch(x, labels, targets, n);
                StepResult r = reference.TrainStep(batch, refPen);
                StepResult c = compiled.TrainStep(batch, cmpPen);
                Assert.Equal(r.DataLoss, c.DataLoss, 4);
                Assert.Equal(r.PenaltyLoss, c.PenaltyLoss, 5);
                Assert.Equal(r.Correct, c.Correct);
                for (int t = 0; t < refPen.Length; t++)
                {
                    Assert.Equal(refPen[t], cmpPen[t], 5);
                }
                CompiledModelTests.AssertClose(reference, compiled, step, name, optimizer);
            }
            (float[] vx, int[] vl, float[] vt) = CompiledModelTests.Batch(spec, 9, rng);
            StepResult re = reference.EvaluateBatch(new Batch(vx, vl, vt, 9), refPen);
            StepResult ce = compiled.EvaluateBatch(new Batch(vx, vl, vt, 9), cmpPen);
            Assert.Equal(re.Loss, ce.Loss, 4);
            float[] rp = reference.Predict(vx), cp = compiled.Predict(vx);
            for (int i = 0; i < rp.Length; i++)
            {
                Assert.True(Math.Abs(rp[i] - cp[i]) <= 1e-4 * (1 + Math.Abs(rp[i])), $"{name}: prediction {i}: {rp[i]} vs {cp[i]}");
            }
        }
    }

    private static Sequential Mnistish() => Sequential.Of(
        new InputShape(28, 28, 1),
        new Conv2D(16, 3, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-4), KernelConstraint = new MaxNorm(3) },
        new BatchNormalization(),
        new MaxPooling2D(2),
        new Conv2D(16, 3, Activation.Relu) { Padding = Padding.Same, ActivityRegularizer = Regularizer.L1(1e-6) },
        new SpatialDropout2D(0.1),
        new AveragePooling2D(2) { Padding = Padding.Same },
        new Conv2D(8, 1),
        new Flatten(),
        new Dropout(0.2),
        new Dense(10, Activation.Softmax));

    [Fact]
    public void Steady_state_train_step_and_predict_allocate_nothing()
    {
        foreach (int threads in new[] { 1, 2 })
        {
            Sequential spec = Mnistish();
            using var model = new CompiledModel(spec, seed: 1, threads: threads);
            model.Optimizer = new Adam(1e-3) { ClipNorm = 1 };
            var rng = new Random(1);
            (float[] x, int[] labels, float[] targets) = CompiledModelTests.Batch(spec, 32, rng);
            var penalties = new double[model.PenaltyNames.Count];
            var output = new float[32 * 10];
            for (int i = 0; i < 3; i++)
            {
                model.TrainStep(new Batch(x, labels, targets, 32), penalties);
                model.Predict(x, output);
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++)
            {
                model.TrainStep(new Batch(x, labels, targets, 32), penalties);
                model.Predict(x, output);
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"{threads} thread(s): {allocated} bytes allocated in 20 steady-state steps");
        }
    }

    [Fact]
    public void Results_are_bit_identical_for_one_and_two_threads()
    {
        Sequential spec = Mnistish();
        float[][] Train(int threads)
        {
            using var model = new CompiledModel(spec, seed: 3, threads: threads);
            var rng = new Random(2);
            var penalties = new double[model.PenaltyNames.Count];
            for (int i = 0; i < 3; i++)
            {
                (float[] x, int[] labels, float[] targets) = CompiledModelTests.Batch(spec, 64, rng);
                model.TrainStep(new Batch(x, labels, targets, 64), penalties);
            }
            return model.GetWeights();
        }
        float[][] one = Train(1), two = Train(2);
        for (int p = 0; p < one.Length; p++)
        {
            Assert.True(one[p].AsSpan().SequenceEqual(two[p]), $"parameter {p} differs between 1 and 2 threads");
        }
    }

    [Fact]
    public void Fit_learns_synthetic_8x8_images_end_to_end()
    {
        // Class 0: a bright horizontal bar, class 1: a bright vertical bar, at random places, on noise.
        static Dataset Bars(int n, int seed)
        {
            var rng = new Random(seed);
            var x = new float[n * 64];
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = i % 2;
                int at = rng.Next(1, 7);
                for (int p = 0; p < 64; p++)
                {
                    int row = p / 8, col = p % 8;
                    bool bar = labels[i] == 0 ? row == at : col == at;
                    x[(i * 64) + p] = (float)((bar ? 1.0 : 0.0) + (0.2 * rng.NextDouble()));
                }
            }
            return Dataset.From(x, labels, [8, 8, 1]);
        }
        Sequential spec = Sequential.Of(
            new InputShape(8, 8, 1),
            new Conv2D(6, 3, Activation.Relu) { Padding = Padding.Same },
            new MaxPooling2D(2),
            new Conv2D(8, 3, Activation.Relu),
            new GlobalAveragePooling2D(),
            new Dense(2, Activation.Softmax));
        using var model = new CompiledModel(spec, seed: 4);
        History h = model.Fit(Bars(256, 1), new FitOptions { Epochs = 30, BatchSize = 32, Optimizer = new Adam(1e-2) });
        Assert.Equal(30, h.Epochs.Count);
        Assert.True(model.Evaluate(Bars(200, 2)).Accuracy > 0.95, $"accuracy {model.Evaluate(Bars(200, 2)).Accuracy}");
        var reference = Reference.Build(spec, seed: 4);
        reference.Fit(Bars(64, 3), new FitOptions { Epochs = 2, BatchSize = 32, Optimizer = new Adam(1e-2) });
    }
}
