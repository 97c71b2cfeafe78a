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

public sealed class GeneratedModelTests
{
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
