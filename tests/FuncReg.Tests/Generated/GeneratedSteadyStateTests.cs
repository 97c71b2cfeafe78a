using FuncReg;

namespace FuncReg.Tests.Generated;

/// <summary>Every layer kind and penalty on a model big enough that its first GEMM (128·256·256 ≥ 2^22) splits over 2 threads.</summary>
[Model(Inputs = 256)]
[Dense(256, Activation.Relu, L2 = 1e-4, MaxNorm = 3)]
[Dropout(0.3)]
[Dense(64, Activation.Tanh, ActivityL1 = 1e-5, BiasL2 = 1e-4)]
[BatchNormalization]
[GaussianNoise(0.1)]
[Activation(Activation.Elu)]
[LayerNormalization]
[GaussianDropout(0.2)]
[Dense(10, Activation.Softmax)]
public partial class SteadyStateNet;

/// <summary>Generated models: a steady-state step allocates nothing, and the thread count never changes a bit.</summary>
public sealed class GeneratedSteadyStateTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Steady_state_train_step_and_predict_allocate_nothing(int threads)
    {
        using var model = new SteadyStateNet(seed: 1, threads: threads);
        Assert.Equal(Math.Min(threads, Environment.ProcessorCount), model.Threads);
        model.Optimizer = new Adam(1e-3) { ClipNorm = 1, WeightDecay = 1e-4 };
        var rng = new Random(1);
        const int n = 128;
        float[] x = [.. Enumerable.Range(0, n * 256).Select(_ => (float)((rng.NextDouble() * 2) - 1))];
        int[] labels = [.. Enumerable.Range(0, n).Select(_ => rng.Next(10))];
        var penalties = new double[model.PenaltyNames.Count];
        var output = new float[n * 10];
        for (int i = 0; i < 5; i++)
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

    [Fact]
    public void Same_seed_gives_bit_identical_weights_on_one_and_two_threads()
    {
        // FashionMlp's first layer at batch 128 is a 128×784×256 GEMM (2.6e7 ≥ 2^22 multiply-adds): it splits.
        const int n = 128;
        float[][] Train(int threads)
        {
            using var model = new FashionMlp(seed: 7, threads: threads);
            model.Optimizer = new Adam(1e-3);
            var rng = new Random(3);
            var penalties = new double[model.PenaltyNames.Count];
            for (int step = 0; step < 4; step++)
            {
                float[] x = [.. Enumerable.Range(0, n * 784).Select(_ => (float)rng.NextDouble())];
                int[] labels = [.. Enumerable.Range(0, n).Select(_ => rng.Next(10))];
                model.TrainStep(new Batch(x, labels, [], n), penalties);
            }
            return model.GetWeights();
        }
        float[][] one = Train(1), two = Train(2);
        Assert.Equal(one.Length, two.Length);
        for (int p = 0; p < one.Length; p++)
        {
            Assert.True(one[p].Select(BitConverter.SingleToInt32Bits).SequenceEqual(two[p].Select(BitConverter.SingleToInt32Bits)), $"parameter {p} differs between 1 and 2 threads");
        }
    }
}
