using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>Property 10: the seed alone decides trained weights (dropout masks, shuffling, initialization).</summary>
public sealed class DeterminismProperties
{
    private sealed record FitCase(int Samples, int BatchSize, int Epochs, double Rate, long Seed, float[] X, int[] Labels)
    {
        public override string ToString() => Dump.Of(this);
    }

    private static Gen<FitCase> Cases =>
        from samples in Gen.Choose(4, 24)
        from batch in Gen.Choose(1, 8)
        from epochs in Gen.Choose(1, 3)
        from rate in TensorGens.Uniform(0.1, 0.5)
        from seed in TensorGens.Seed
        from x in TensorGens.Values(samples * 3).Select(v => v.Select(d => (float)d).ToArray())
        from labels in Gen.Choose(0, 2).ArrayOf(samples)
        select new FitCase(samples, batch, epochs, rate, seed, x, labels);

    private static float[][] Fit(FitCase c, long seed)
    {
        var spec = Sequential.Of(3, new Dense(6, Activation.Relu), new Dropout(c.Rate), new GaussianNoise(0.1), new Dense(3, Activation.Softmax));
        ReferenceModel model = spec.Build(seed);
        model.Fit(Dataset.From(c.X, c.Labels, [3]), new FitOptions { Epochs = c.Epochs, BatchSize = c.BatchSize, Shuffle = true, Optimizer = new Adam(0.01) });
        return model.GetWeights();
    }

    private static bool BitIdentical(float[][] a, float[][] b) =>
        a.Length == b.Length && a.Zip(b).All(p => p.First.Select(BitConverter.SingleToInt32Bits).SequenceEqual(p.Second.Select(BitConverter.SingleToInt32Bits)));

    [Fact]
    public void Same_seed_gives_bit_identical_weights_and_another_seed_different_ones()
    {
        Run.Check(Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            float[][] first = Fit(c, c.Seed), second = Fit(c, c.Seed), other = Fit(c, c.Seed + 1);
            return BitIdentical(first, second) && !BitIdentical(first, other);
        }), 50);
    }
}
