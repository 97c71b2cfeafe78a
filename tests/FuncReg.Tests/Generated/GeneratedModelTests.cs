using FuncReg;

namespace FuncReg.Tests.Generated;

/// <summary>The DESIGN §3 model, declared with attributes and compiled by the source generator.</summary>
[Model(Inputs = 784, Loss = Loss.CategoricalCrossEntropy)]   // integer labels; softmax fused into the loss
[Dense(256, Activation.Relu, L2 = 1e-4)]
[Dropout(0.3)]
[Dense(128, Activation.Relu, L2 = 1e-4, MaxNorm = 3)]
[Dropout(0.3)]
[Dense(10, Activation.Softmax)]
public partial class FashionMlp;

/// <summary>The football2d network of the compare command, with L2, max-norm and dropout.</summary>
[Model(Inputs = 2)]
[Dense(20, Activation.Relu, L2 = 1e-3, MaxNorm = 3)]
[Dropout(0.14)]
[Dense(3, Activation.Relu, L2 = 1e-3)]
[Dense(1, Activation.Sigmoid)]
public partial class FootballNet;

/// <summary>Every other layer attribute, to run them through a real compile and Fit.</summary>
[Model(Inputs = 2, Loss = Loss.BinaryCrossEntropy, FromLogits = true, LabelSmoothing = 0.05)]
[GaussianNoise(0.05)]
[Dense(8, UseBias = false, KernelInitializer = Initializer.HeNormal, ActivityL2 = 1e-5)]
[BatchNormalization(Momentum = 0.9)]
[Activation(Activation.Relu)]
[GaussianDropout(0.1)]
[LayerNormalization(Epsilon = 1e-5)]
[Dense(1, BiasL1 = 1e-4)]
public partial class EveryLayerNet;

/// <summary>Kernel constraints other than MaxNorm, activation slopes, a bias initializer, normalization without γ or β.</summary>
[Model(Inputs = 3, Loss = Loss.BinaryCrossEntropy)]
[Dense(6, Activation.LeakyRelu, Alpha = 0.1, UnitNorm = true, BiasInitializer = Initializer.Ones)]
[BatchNormalization(Center = false, Scale = false)]
[Dense(5, Activation.Elu, Alpha = 0.5, NonNeg = true)]
[LayerNormalization(Scale = false)]
[Activation(Activation.LeakyRelu, Alpha = 0.3)]
[Dense(1, Activation.Sigmoid, MinNorm = 0.5, MaxNorm = 2, NormRate = 0.5)]
public partial class AttributeOptionsNet;

public sealed class GeneratedModelTests
{
    [Fact]
    public void AttributeOptionsNet_spec_equals_the_Sequential_it_describes_and_has_no_fixed_gamma_or_beta_parameters()
    {
        Sequential expected = Sequential.Of(3, Loss.BinaryCrossEntropy,
            new Dense(6, Activation.LeakyRelu) { Alpha = 0.1, KernelConstraint = new UnitNorm(), BiasInitializer = Initializer.Ones },
            new BatchNormalization { Center = false, Scale = false },
            new Dense(5, Activation.Elu) { Alpha = 0.5, KernelConstraint = new NonNeg() },
            new LayerNormalization { Scale = false },
            new ActivationLayer(Activation.LeakyRelu) { Alpha = 0.3 },
            new Dense(1, Activation.Sigmoid) { KernelConstraint = new MinMaxNorm(0.5, 2, 0.5) });
        Assert.Equal(expected, AttributeOptionsNet.Spec);

        var model = new AttributeOptionsNet(seed: 3);
        Assert.Equal(["dense_0.kernel", "dense_0.bias", "batch_norm_1.moving_mean", "batch_norm_1.moving_variance",
            "dense_2.kernel", "dense_2.bias", "layer_norm_3.beta", "dense_5.kernel", "dense_5.bias"], model.Parameters.Select(p => p.Name));
        Assert.All(model.Parameters[1].Values.ToArray(), b => Assert.Equal(1f, b)); // BiasInitializer = Ones
        ReferenceModel reference = Reference.Build(AttributeOptionsNet.Spec, seed: 3);
        Assert.Equal(reference.GetWeights(), model.GetWeights());

        var rng = new Random(11);
        float[] features = [.. Enumerable.Range(0, 3 * 96).Select(_ => (float)((rng.NextDouble() * 4) - 2))];
        int[] labels = [.. Enumerable.Range(0, 96).Select(i => features[3 * i] + features[(3 * i) + 1] > 0 ? 1 : 0)];
        Dataset data = Dataset.From(features, labels, [3]);
        model.Fit(data, new FitOptions { Epochs = 2, BatchSize = 16 });
        reference.Fit(data, new FitOptions { Epochs = 2, BatchSize = 16 });
        var compiled = new CompiledModel(AttributeOptionsNet.Spec, seed: 3);
        compiled.Fit(data, new FitOptions { Epochs = 2, BatchSize = 16 });
        // the generated passes are the compiled engine's, written out: same kernels, same order, same bits
        Assert.Equal(compiled.GetWeights(), model.GetWeights());
        float[] kernel = model.Parameters[4].Values.ToArray();
        Assert.All(kernel, w => Assert.True(w >= 0)); // NonNeg after every update
        for (int j = 0; j < 6; j++)
        {
            float[] w = model.Parameters[0].Values.ToArray();
            double norm = Math.Sqrt(Enumerable.Range(0, 3).Sum(i => (double)w[(i * 6) + j] * w[(i * 6) + j]));
            Assert.Equal(1.0, norm, 1e-5); // UnitNorm per unit
        }
        foreach ((Parameter mine, Parameter theirs) in model.Parameters.Zip(reference.Parameters))
        {
            float[] a = mine.Values.ToArray(), b = theirs.Values.ToArray();
            for (int i = 0; i < a.Length; i++)
            {
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-4 * Math.Max(1, Math.Abs(b[i])), $"{mine.Name}[{i}]: generated {a[i]}, reference {b[i]}");
            }
        }
    }

    [Fact]
    public void FashionMlp_spec_equals_the_Sequential_it_describes()
    {
        Sequential expected = Sequential.Of(784, Loss.CategoricalCrossEntropy,
            new Dense(256, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-4) },
            new Dropout(0.3),
            new Dense(128, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-4), KernelConstraint = new MaxNorm(3) },
            new Dropout(0.3),
            new Dense(10, Activation.Softmax));
        Assert.Equal(expected, FashionMlp.Spec);
        Assert.Equal(expected, ((IModel)new FashionMlp(seed: 42)).Spec);
    }

    [Fact]
    public void FashionMlp_constructs_with_keras_parameter_names_and_the_reference_weights()
    {
        var model = new FashionMlp(seed: 42);
        Assert.Equal(784, model.InputSize);
        Assert.Equal(10, model.OutputSize);
        Assert.Equal(42, model.Seed);
        Assert.Equal(["dense_0.kernel", "dense_0.bias", "dense_2.kernel", "dense_2.bias", "dense_4.kernel", "dense_4.bias"],
            model.Parameters.Select(p => p.Name));
        Assert.Equal([784, 256], model.Parameters[0].Shape);
        ReferenceModel reference = Reference.Build(FashionMlp.Spec, seed: 42);
        Assert.Equal(reference.GetWeights(), model.GetWeights());
    }

    [Fact]
    public void FashionMlp_fits_a_tiny_dataset()
    {
        const int n = 16;
        var rng = new Random(1);
        float[] x = [.. Enumerable.Range(0, n * 784).Select(_ => (float)rng.NextDouble())];
        int[] y = [.. Enumerable.Range(0, n).Select(i => i % 10)];
        Dataset train = Dataset.From(x, y, sampleShape: [784]);
        var model = new FashionMlp(seed: 42);
        History history = model.Fit(train, new FitOptions { Epochs = 2, BatchSize = 8, Optimizer = new Adam(1e-3) });
        Assert.Equal(2, history.Epochs.Count);
        Assert.All(history.Epochs, e => Assert.True(double.IsFinite(e.Loss)));
        Assert.Equal(n * 10, model.Predict(train).Length);
    }

    [Fact]
    public void FootballNet_spec_equals_the_Sequential_it_describes()
    {
        Sequential expected = Sequential.Of(2,
            new Dense(20, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-3), KernelConstraint = new MaxNorm(3) },
            new Dropout(0.14),
            new Dense(3, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-3) },
            new Dense(1, Activation.Sigmoid));
        Assert.Equal(expected, FootballNet.Spec);
        Assert.Equal(Loss.BinaryCrossEntropy, FootballNet.Spec.Loss);
    }

    [Fact]
    public void FootballNet_trains_like_the_reference_and_round_trips_through_a_file()
    {
        (Dataset train, Dataset test) = Datasets.Football2D();
        var options = new FitOptions
        {
            Epochs = 30,
            BatchSize = 64,
            Optimizer = new Adam(1e-2),
            ValidationSplit = 0.2,
            Callbacks = [new EarlyStopping { Monitor = "val_loss", Patience = 50, RestoreBestWeights = true }],
        };
        var model = new FootballNet(seed: 3);
        History history = model.Fit(train, options);
        ReferenceModel reference = Reference.Build(FootballNet.Spec, seed: 3);
        reference.Fit(train, options);

        Assert.True(history.Epochs[^1].DataLoss < history.Epochs[0].DataLoss);
        // Fused float code sums in another order than the interpreter: equal within float rounding, grown over 90 Adam steps.
        float[][] expected = reference.GetWeights(), actual = model.GetWeights();
        for (int p = 0; p < expected.Length; p++)
        {
            for (int i = 0; i < expected[p].Length; i++)
            {
                Assert.True(Math.Abs(expected[p][i] - actual[p][i]) <= 1e-3 * (1 + Math.Abs(expected[p][i])), $"{model.Parameters[p].Name}[{i}]: {actual[p][i]} vs reference {expected[p][i]}");
            }
        }
        Evaluation e = model.Evaluate(test);
        Assert.True(e.Accuracy > 0.6, $"accuracy {e.Accuracy}");

        string path = Path.Combine(Path.GetTempPath(), $"funcreg-gen-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = new FootballNet(seed: 99);
            loaded.Load(path);
            Assert.Equal(model.Predict(test), loaded.Predict(test));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EveryLayerNet_spec_equals_the_Sequential_it_describes_and_fits()
    {
        Sequential expected = Sequential.Of(2, Loss.BinaryCrossEntropy,
            new GaussianNoise(0.05),
            new Dense(8) { UseBias = false, KernelInitializer = Initializer.HeNormal, ActivityRegularizer = Regularizer.L2(1e-5) },
            new BatchNormalization { Momentum = 0.9 },
            new ActivationLayer(Activation.Relu),
            new GaussianDropout(0.1),
            new LayerNormalization { Epsilon = 1e-5 },
            new Dense(1) { BiasRegularizer = Regularizer.L1(1e-4) }) with
        { FromLogits = true, LabelSmoothing = 0.05 };
        Assert.Equal(expected, EveryLayerNet.Spec);

        (Dataset train, _) = Datasets.Football2D();
        var model = new EveryLayerNet(seed: 5);
        History history = model.Fit(train, new FitOptions { Epochs = 3, BatchSize = 32 });
        Assert.Equal(["dense_1.activity", "dense_6.bias"], model.PenaltyNames);
        Assert.All(history.Epochs, e => Assert.True(double.IsFinite(e.Loss)));
    }
}
