namespace FuncReg.Tests;

public class DeterminismTests
{
    private static readonly Dataset Data = TestData.Blobs(features: 4, classes: 3, perClass: 30, seed: 8, spread: 1.0f);

    private static Sequential Noisy() => Sequential.Of(
        4,
        new Dense(16, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-3) },
        new Dropout(0.3),
        new GaussianNoise(0.1),
        new Dense(8, Activation.Tanh),
        new GaussianDropout(0.2),
        new Dense(3, Activation.Softmax));

    private static (float[][] Weights, double[] Loss) Train(Sequential spec, long seed, bool shuffle = true)
    {
        var model = Reference.Build(spec, seed);
        History h = model.Fit(Data, new FitOptions { Epochs = 4, BatchSize = 16, Shuffle = shuffle, Optimizer = new Adam(0.01), ValidationSplit = 0.1 });
        return (model.GetWeights(), h.Series("loss"));
    }

    [Fact]
    public void Same_seed_gives_bit_identical_weights()
    {
        var a = Train(Noisy(), seed: 42);
        var b = Train(Noisy(), seed: 42);
        Assert.True(TestData.SameBits(a.Weights, b.Weights));
        Assert.Equal(a.Loss, b.Loss);
    }

    [Fact]
    public async Task Same_seed_is_bit_identical_when_runs_overlap_on_threads()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Train(Noisy(), seed: 42))));
        var alone = Train(Noisy(), seed: 42);
        Assert.All(runs, r => Assert.True(TestData.SameBits(alone.Weights, r.Weights)));
    }

    [Fact]
    public void Different_seed_gives_different_weights()
    {
        Assert.False(TestData.SameBits(Reference.Build(Noisy(), 1).GetWeights(), Reference.Build(Noisy(), 2).GetWeights()));
        var a = Train(Noisy(), seed: 1);
        var b = Train(Noisy(), seed: 2);
        Assert.False(TestData.SameBits(a.Weights, b.Weights));
        Assert.NotEqual(a.Loss, b.Loss);
    }

    [Fact]
    public void Shuffling_and_noise_both_change_the_result()
    {
        // Guards the tests above: with the randomness switched off, results must differ, so it is really in play.
        var shuffled = Train(Noisy(), seed: 42);
        var ordered = Train(Noisy(), seed: 42, shuffle: false);
        Assert.False(TestData.SameBits(shuffled.Weights, ordered.Weights));

        Sequential quiet = Sequential.Of(
            4,
            new Dense(16, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-3) },
            new Dropout(0),
            new GaussianNoise(0),
            new Dense(8, Activation.Tanh),
            new GaussianDropout(0),
            new Dense(3, Activation.Softmax));
        Assert.True(TestData.SameBits(Reference.Build(Noisy(), 42).GetWeights(), Reference.Build(quiet, 42).GetWeights()));
        Assert.False(TestData.SameBits(shuffled.Weights, Train(quiet, seed: 42).Weights));
    }

    [Fact]
    public void Shuffle_order_is_a_seeded_permutation_per_epoch()
    {
        int[] Order(long seed, int epoch)
        {
            var o = new int[50];
            Trainer.Order(o, shuffle: true, seed, epoch);
            return o;
        }
        Assert.Equal(Enumerable.Range(0, 50), Order(3, 0).Order());
        Assert.Equal(Order(3, 0), Order(3, 0));
        Assert.NotEqual(Order(3, 0), Order(3, 1));
        Assert.NotEqual(Order(3, 0), Order(4, 0));
        var identity = new int[50];
        Trainer.Order(identity, shuffle: false, 3, 0);
        Assert.Equal(Enumerable.Range(0, 50), identity);
    }

    [Fact]
    public void Inference_is_deterministic_and_noise_free()
    {
        var model = Reference.Build(Noisy(), seed: 42);
        model.Fit(Data, new FitOptions { Epochs = 1, BatchSize = 16 });
        float[] p1 = model.Predict(Data);
        float[] p2 = model.Predict(Data);
        Assert.Equal(p1, p2);
        Assert.Equal(model.Evaluate(Data).Loss, model.Evaluate(Data).Loss);
    }
}
