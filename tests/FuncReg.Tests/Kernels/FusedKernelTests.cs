using FuncReg.Kernels;

namespace FuncReg.Tests.Kernels;

/// <summary>The vectorized element-wise kernels against their scalar formulas on every length 0..257.</summary>
public sealed class FusedKernelTests
{
    private const int MaxLength = 257;

    public static TheoryData<string> Optimizers => [.. OptimizerCases.Keys];

    public static TheoryData<Activation> ElementwiseActivations => [Activation.Linear, Activation.Relu, Activation.LeakyRelu, Activation.Sigmoid, Activation.Tanh, Activation.Elu];

    private static readonly Dictionary<string, Optimizer> OptimizerCases = new()
    {
        ["sgd"] = new SGD(0.3),
        ["sgd-clip-decay"] = new SGD(0.1) { ClipValue = 0.05, CoupledWeightDecay = 0.01, WeightDecay = 0.02 },
        ["momentum"] = new SGD(0.1) { Momentum = 0.9 },
        ["nesterov"] = new SGD(0.1) { Momentum = 0.8, Nesterov = true },
        ["rmsprop"] = new RMSprop(0.01),
        ["rmsprop-centered-momentum"] = new RMSprop(0.01) { Centered = true, Momentum = 0.5 },
        ["rmsprop-momentum"] = new RMSprop(0.01) { Momentum = 0.5, ClipValue = 0.1 },
        ["adam"] = new Adam(1e-3),
        ["amsgrad"] = new Adam(1e-3) { Amsgrad = true, ClipValue = 0.2 },
        ["adamw"] = new AdamW(1e-3, 0.01),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void UpdateIsBitIdenticalToTheScalarFormulasOnEveryLength(string name)
    {
        Optimizer optimizer = OptimizerCases[name];
        UpdateRule rule = UpdateRule.Create(optimizer, optimizer.LearningRate, 7);
        foreach ((float l1, float l2) in new[] { (0f, 0f), (0f, 1e-2f), (1e-3f, 0f), (1e-3f, 2e-2f) })
        {
            for (int length = 0; length <= MaxLength; length++)
            {
                var random = new Random((length * 31) + name.Length);
                float[] w = Values(random, length, withZeros: true);
                float[] g = Values(random, length, withZeros: false);
                float[][] slots = [.. Enumerable.Range(0, optimizer.SlotCount).Select(_ => Positive(random, length))];
                float[] w2 = (float[])w.Clone();
                float[][] slots2 = [.. slots.Select(s => (float[])s.Clone())];
                bool decays = length % 2 == 0;
                float scale = length % 3 == 0 ? 0.75f : 1f;

                double vector = FusedUpdate.Apply(rule, w, g, slots, l1, l2, decays, scale);
                double scalar = FusedUpdate.ApplyScalar(rule, w2, g, slots2, l1, l2, decays, scale);

                Assert.Equal(w2, w);
                for (int s = 0; s < slots.Length; s++)
                {
                    Assert.Equal(slots2[s], slots[s]);
                }
                Assert.Equal(scalar, vector, Math.Abs(scalar) * 1e-12);
            }
        }
    }

    [Fact]
    public void PenaltyIsTheL1AndL2SumOfTheOldWeights()
    {
        for (int length = 0; length <= MaxLength; length++)
        {
            var random = new Random(length);
            float[] w = Values(random, length, withZeros: true);
            double abs = 0, sq = 0;
            foreach (float wi in w)
            {
                abs += Math.Abs((double)wi);
                sq += (double)wi * wi;
            }
            double penalty = FusedUpdate.Apply(UpdateRule.Create(new SGD(0.1), 0.1, 1), w, new float[length], [], 1e-3f, 2e-3f, true, 1f);
            double expected = (1e-3f * abs) + (2e-3f * sq);
            Assert.Equal(expected, penalty, (Math.Abs(expected) * 1e-12) + 1e-300);
        }
    }

    [Fact]
    public void TotalGradientSquaredNormMatchesTheScalarSum()
    {
        for (int length = 0; length <= MaxLength; length++)
        {
            var random = new Random(length + 1000);
            float[] w = Values(random, length, withZeros: true);
            float[] g = Values(random, length, withZeros: false);
            foreach ((float l1, float l2) in new[] { (0f, 0f), (1e-2f, 3e-2f) })
            {
                double expected = 0;
                for (int i = 0; i < length; i++)
                {
                    float gi = g[i] + ((l1 * MathF.Sign(w[i])) + (2 * l2 * w[i]));
                    expected += (double)gi * gi;
                }
                double actual = FusedUpdate.TotalGradientSquaredNorm(w, g, l1, l2);
                Assert.Equal(expected, actual, (expected * 1e-12) + 1e-300);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ElementwiseActivations))]
    public void ForwardMatchesTheReferenceOnEveryLength(Activation activation)
    {
        float alpha = (float)ActivationFunctions.DefaultAlpha(activation);
        bool exact = activation is Activation.Linear or Activation.Relu or Activation.LeakyRelu;
        for (int length = 0; length <= MaxLength; length++)
        {
            float[] z = Values(new Random(length + 7), length, withZeros: true, scale: 12f);
            float[] expected = new float[length];
            ActivationFunctions.Forward<float>(activation, alpha, z, expected, Math.Max(length, 1));
            float[] actual = new float[length];
            ActivationKernels.Forward(activation, alpha, z, actual);
            float[] inPlace = (float[])z.Clone();
            ActivationKernels.Forward(activation, alpha, inPlace, inPlace);
            Assert.Equal(actual, inPlace);
            for (int i = 0; i < length; i++)
            {
                if (exact)
                {
                    Assert.Equal(expected[i], actual[i]);
                }
                else
                {
                    Assert.True(Math.Abs(expected[i] - actual[i]) <= 4e-7f * Math.Max(1f, Math.Abs(expected[i])), $"{activation} z={z[i]}: {actual[i]} vs {expected[i]}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ElementwiseActivations))]
    public void BackwardIsBitIdenticalToTheScalarFormulaOnEveryLength(Activation activation)
    {
        const float alpha = 0.3f;
        for (int length = 0; length <= MaxLength; length++)
        {
            var random = new Random(length + 99);
            float[] z = Values(random, length, withZeros: true, scale: 3f);
            float[] a = Values(random, length, withZeros: false);
            float[] dy = Values(random, length, withZeros: false);
            float[] mask = [.. Enumerable.Range(0, length).Select(i => i % 3 == 0 ? 0f : 1f / 0.7f)];
            foreach (bool masked in new[] { false, true })
            {
                float[] actual = new float[length];
                ActivationKernels.Backward(activation, alpha, z, a, masked ? mask : default, dy, actual);
                for (int i = 0; i < length; i++)
                {
                    float gi = masked ? dy[i] * mask[i] : dy[i];
                    float expected = activation switch
                    {
                        Activation.Linear => gi,
                        Activation.Relu => z[i] > 0 ? gi : 0f,
                        Activation.LeakyRelu => z[i] > 0 ? gi : alpha * gi,
                        Activation.Elu => z[i] > 0 ? gi : gi * (a[i] + alpha),
                        Activation.Sigmoid => gi * a[i] * (1f - a[i]),
                        _ => gi * (1f - (a[i] * a[i])),
                    };
                    Assert.Equal(expected, actual[i]);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ElementwiseActivations))]
    public void ThreadedPassesAreBitIdenticalToTheOneThreadPass(Activation activation)
    {
        const float alpha = 0.3f;
        using var two = new GemmContext(2);
        using var one = new GemmContext(1);
        foreach (int length in new[] { ActivationKernels.ParallelSize - 1, ActivationKernels.ParallelSize, ActivationKernels.ParallelSize + 13, (3 * ActivationKernels.ParallelSize) + 5 })
        {
            var random = new Random(length);
            float[] z = Values(random, length, withZeros: true, scale: 3f);
            float[] a = new float[length];
            ActivationKernels.Forward(activation, alpha, z, a);
            float[] dy = Values(random, length, withZeros: false);
            float[] mask = [.. Enumerable.Range(0, length).Select(i => i % 3 == 0 ? 0f : 1f / 0.7f)];

            float[] forwardTwo = new float[length], forwardOne = new float[length];
            ActivationKernels.Forward(two, activation, alpha, z, forwardTwo);
            ActivationKernels.Forward(one, activation, alpha, z, forwardOne);
            Assert.Equal(a, forwardTwo);
            Assert.Equal(a, forwardOne);
            float[] inPlace = (float[])z.Clone();
            ActivationKernels.Forward(two, activation, alpha, inPlace, inPlace);
            Assert.Equal(a, inPlace);

            foreach (bool masked in new[] { false, true })
            {
                float[] expected = new float[length], actual = new float[length];
                ActivationKernels.Backward(activation, alpha, z, a, masked ? mask : default, dy, expected);
                ActivationKernels.Backward(two, activation, alpha, z, a, masked ? mask : default, dy, actual);
                Assert.Equal(expected, actual);
            }
        }

        Assert.Throws<ArgumentException>(() => ActivationKernels.Forward(two, activation, alpha, new float[ActivationKernels.ParallelSize], new float[10]));
        Assert.Throws<ArgumentException>(() => ActivationKernels.Backward(two, activation, alpha, new float[ActivationKernels.ParallelSize], new float[ActivationKernels.ParallelSize], default, new float[ActivationKernels.ParallelSize], new float[10]));
    }

    [Fact]
    public void ColumnSumsEqualRowByRowAdditionForEveryWidth()
    {
        foreach (int rows in new[] { 0, 1, 5, 128 })
        {
            for (int columns = 0; columns <= MaxLength; columns++)
            {
                float[] x = Values(new Random((rows * 1000) + columns), rows * columns, withZeros: false);
                float[] expected = new float[columns];
                for (int r = 0; r < rows; r++)
                {
                    for (int j = 0; j < columns; j++)
                    {
                        expected[j] += x[(r * columns) + j];
                    }
                }
                float[] actual = Enumerable.Repeat(float.NaN, columns + 1).ToArray();
                ReductionKernels.ColumnSums(x, rows, columns, actual);
                Assert.Equal(expected, actual[..columns]);
                Assert.True(float.IsNaN(actual[columns]));
            }
        }
    }

    [Fact]
    public void DropoutMaskEqualsTheScalarDrawOnEveryLength()
    {
        foreach (double rate in new[] { 0.0, 0.3, 0.5, 1.0 / 3, 0.999 })
        {
            ulong key = CounterRandom.Key(5, RandomStreams.Layer(2), 11);
            float keep = (float)(1.0 / (1.0 - rate));
            for (int length = 0; length <= MaxLength; length++)
            {
                float[] actual = new float[length];
                NoiseOps.DropoutMask<float>(rate, key, actual);
                double[] wide = new double[length];
                NoiseOps.DropoutMask<double>(rate, key, wide);
                for (int i = 0; i < length; i++)
                {
                    float expected = CounterRandom.Uniform(key, i) >= rate ? keep : 0f;
                    Assert.Equal(expected, actual[i]);
                    Assert.Equal(wide[i] != 0, actual[i] != 0);
                }
            }
        }
    }

    [Fact]
    public void FloatSigmoidCrossEntropyMatchesTheDoubleFormulaOnEveryLength()
    {
        foreach (int units in new[] { 1, 3 })
        {
            for (int rows = 1; rows <= MaxLength / units; rows++)
            {
                var random = new Random(rows + (units * 1000));
                float[] logits = Values(random, rows * units, withZeros: true, scale: 20f);
                double[] wide = Array.ConvertAll(logits, v => (double)v);
                int[] labels = [.. Enumerable.Range(0, rows).Select(i => i % 2)];
                float[] values = [.. Enumerable.Range(0, rows * units).Select(i => (float)random.NextDouble())];
                double[] wideValues = Array.ConvertAll(values, v => (double)v);
                foreach (bool useLabels in units == 1 ? new[] { true, false } : new[] { false })
                {
                    var targets = useLabels ? new Targets<float>(labels, default) : new Targets<float>(default, values);
                    var wideTargets = useLabels ? new Targets<double>(labels, default) : new Targets<double>(default, wideValues);
                    float[] grad = new float[rows * units];
                    double[] wideGrad = new double[rows * units];
                    double loss = LossFunctions.SigmoidBinaryCrossEntropy<float>(logits, targets, units, 0.1, grad);
                    double expected = LossFunctions.SigmoidBinaryCrossEntropy<double>(wide, wideTargets, units, 0.1, wideGrad);
                    Assert.Equal(expected, loss, (Math.Abs(expected) * 1e-13) + 1e-300);
                    for (int i = 0; i < grad.Length; i++)
                    {
                        Assert.Equal((float)wideGrad[i], grad[i], Math.Abs(wideGrad[i]) * 1e-6);
                    }
                }
            }
        }
    }

    private static float[] Values(Random random, int length, bool withZeros, float scale = 1f) =>
        [.. Enumerable.Range(0, length).Select(i => withZeros && i % 5 == 0 ? (i % 10 == 0 ? 0f : -0f) : (float)((random.NextDouble() * 2) - 1) * scale)];

    private static float[] Positive(Random random, int length) =>
        [.. Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() * 0.01f)];
}
