namespace FuncReg.Tests.Compiled;

/// <summary>The fused engine against the reference interpreter, allocation and thread-count checks.</summary>
public sealed class CompiledModelTests
{
    public static TheoryData<string> Specs() => [.. SpecsByName.Keys];

    private static readonly Dictionary<string, Sequential> SpecsByName = new()
    {
        ["mlp-dropout-l2-maxnorm"] = Sequential.Of(
            12,
            new Dense(16, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-3), KernelConstraint = new MaxNorm(1.5) },
            new Dropout(0.3),
            new Dense(8, Activation.Tanh) { KernelRegularizer = Regularizer.L1L2(1e-3, 1e-3), BiasRegularizer = Regularizer.L2(1e-2) },
            new Dropout(0.2),
            new Dense(4, Activation.Softmax)),
        ["bn-ln-noise"] = Sequential.Of(
            12,
            new Dense(10) { KernelInitializer = Initializer.HeNormal, UseBias = false }, // a bias before BN has no gradient: rounding noise that Adam would amplify
            new BatchNormalization(),
            new ActivationLayer(Activation.Elu),
            new GaussianNoise(0.1),
            new Dense(9, Activation.LeakyRelu) { ActivityRegularizer = Regularizer.L2(1e-2) },
            new LayerNormalization(),
            new GaussianDropout(0.2),
            new Dense(1, Activation.Sigmoid)),
        ["sigmoid-dropout-logits"] = Sequential.Of(
            12,
            new Dense(7, Activation.Sigmoid) { KernelInitializer = Initializer.LecunUniform },
            new Dropout(0.25),
            new Dense(5, Activation.Elu) { KernelConstraint = new UnitNorm() },
            new Dropout(0.1),
            new Dense(3)) with
        { Loss = Loss.CategoricalCrossEntropy, FromLogits = true, LabelSmoothing = 0.1 },
        ["regression"] = Sequential.Of(
            12,
            new Dense(6, Activation.Tanh) { KernelConstraint = new NonNeg() },
            new Dense(2) { ActivityRegularizer = Regularizer.L1(1e-3) }),
    };

    private static readonly Optimizer[] Optimizers =
    [
        new SGD(0.05) { Momentum = 0.9, Nesterov = true, ClipNorm = 1.0 },
        new Adam(1e-2) { WeightDecay = 1e-3 },
        new RMSprop(1e-3) { Centered = true, Momentum = 0.5, ClipValue = 0.5 },
        new AdamW(1e-2) { Amsgrad = true, GlobalClipNorm = 2.0, CoupledWeightDecay = 1e-3 },
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
            Assert.Equal(reference.PenaltyNames, compiled.PenaltyNames);
            AssertClose(reference, compiled, 0, name, optimizer);
            reference.Optimizer = optimizer;
            compiled.Optimizer = optimizer;
            var rng = new Random(5);
            var refPen = new double[reference.PenaltyNames.Count];
            var cmpPen = new double[compiled.PenaltyNames.Count];
            for (int step = 1; step <= 4; step++)
            {
                int n = 3 + (step * 5);
                (float[] x, int[] labels, float[] targets) = Batch(spec, n, rng);
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
                AssertClose(reference, compiled, step, name, optimizer);
            }
            (float[] vx, int[] vl, float[] vt) = Batch(spec, 9, rng);
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

    [Fact]
    public void Steady_state_train_step_and_predict_allocate_nothing()
    {
        foreach (int threads in new[] { 1, 2 })
        {
            Sequential spec = Sequential.Of(
                64,
                new Dense(200, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-4), KernelConstraint = new MaxNorm(3) },
                new Dropout(0.3),
                new Dense(128, Activation.Relu) { ActivityRegularizer = Regularizer.L1(1e-5) },
                new BatchNormalization(),
                new GaussianNoise(0.1),
                new Dense(10, Activation.Softmax));
            using var model = new CompiledModel(spec, seed: 1, threads: threads);
            model.Optimizer = new Adam(1e-3) { ClipNorm = 1 };
            var rng = new Random(1);
            (float[] x, int[] labels, float[] targets) = Batch(spec, 128, rng);
            var penalties = new double[model.PenaltyNames.Count];
            var output = new float[128 * 10];
            for (int i = 0; i < 5; i++)
            {
                model.TrainStep(new Batch(x, labels, targets, 128), penalties);
                model.Predict(x, output);
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                model.TrainStep(new Batch(x, labels, targets, 128), penalties);
                model.Predict(x, output);
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"{threads} thread(s): {allocated} bytes allocated in 100 steady-state steps");
        }
    }

    [Fact]
    public void Results_are_bit_identical_for_one_and_two_threads()
    {
        Sequential spec = Sequential.Of(
            300,
            new Dense(256, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-4) },
            new Dropout(0.3),
            new Dense(128, Activation.Relu),
            new Dense(10, Activation.Softmax));
        float[][] Train(int threads)
        {
            using var model = new CompiledModel(spec, seed: 3, threads: threads);
            var rng = new Random(2);
            var penalties = new double[model.PenaltyNames.Count];
            for (int i = 0; i < 5; i++)
            {
                (float[] x, int[] labels, float[] targets) = Batch(spec, 128, rng);
                model.TrainStep(new Batch(x, labels, targets, 128), penalties);
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
    public void Fit_and_callbacks_work_on_the_compiled_model()
    {
        var (train, test) = Datasets.Football2D();
        using var model = new CompiledModel(Sequential.Of(2, new Dense(20, Activation.Relu), new Dropout(0.1), new Dense(3, Activation.Relu), new Dense(1, Activation.Sigmoid)), seed: 4);
        History h = model.Fit(train, new FitOptions
        {
            Epochs = 300,
            BatchSize = 32,
            Optimizer = new Adam(1e-2),
            ValidationSplit = 0.2,
            Callbacks = [new EarlyStopping { Patience = 30, RestoreBestWeights = true }],
        });
        Assert.True(h.Epochs.Count > 1);
        Assert.True(model.Evaluate(test).Accuracy > 0.85);
    }

    internal static (float[] X, int[] Labels, float[] Targets) Batch(Sequential spec, int n, Random rng)
    {
        var x = new float[n * spec.Inputs];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)((rng.NextDouble() * 2) - 1);
        }
        int outputs = spec.Outputs;
        if (spec.Loss == Loss.MeanSquaredError)
        {
            var t = new float[n * outputs];
            for (int i = 0; i < t.Length; i++)
            {
                t[i] = (float)rng.NextDouble();
            }
            return (x, [], t);
        }
        int classes = spec.Loss == Loss.CategoricalCrossEntropy ? outputs : 2;
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = rng.Next(classes);
        }
        return (x, labels, []);
    }

    internal static void AssertClose(IModel reference, IModel compiled, int step, string name, Optimizer optimizer)
    {
        for (int p = 0; p < reference.Parameters.Count; p++)
        {
            ReadOnlySpan<float> r = reference.Parameters[p].Values, c = compiled.Parameters[p].Values;
            double scale = 0, diff = 0;
            for (int i = 0; i < r.Length; i++)
            {
                scale = Math.Max(scale, Math.Abs(r[i]));
                diff = Math.Max(diff, Math.Abs(r[i] - c[i]));
            }
            // 1e-5 of the tensor's scale, or of the learning rate for small tensors; normalizing optimizers (RMSprop,
            // Adam) turn float rounding of a near-cancelling gradient (Σ over the batch) into a step of order lr,
            // so the bound is taken against max(scale, 10·lr).
            double bound = 1e-5 * Math.Max(scale, 10 * optimizer.LearningRate);
            Assert.True(diff <= bound, $"{name}, {optimizer.GetType().Name}, step {step}: {reference.Parameters[p].Name} differs by {diff} (scale {scale})");
        }
    }
}
