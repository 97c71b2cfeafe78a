using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>Property 5 (noise): identity at inference and at zero strength; dropout keeps the mean and drops the right share.</summary>
public sealed class NoiseInvariantProperties
{
    private static double[] Forward(Layer layer, double[] x, int n, int features, ForwardContext ctx) =>
        new NoiseRuntime<double>(0, "noise_0", features, layer).Forward(x, n, ctx);

    [Fact]
    public void Noise_layers_are_the_identity_at_inference()
    {
        Run.Check(Prop.ForAll(LayerGens.Noise.ToArbitrary(), c =>
        {
            double[] y = Forward(c.Layer, c.X, c.N, c.Features, new ForwardContext(false, false, c.Seed, c.Step));
            return y.SequenceEqual(c.X);
        }), 200);
    }

    [Fact]
    public void Noise_layers_at_zero_strength_are_the_identity_in_training()
    {
        Gen<NoiseCase> zero = LayerGens.Noise.Select(c => c with
        {
            Layer = c.Layer switch
            {
                Dropout => new Dropout(0),
                GaussianDropout => new GaussianDropout(0),
                _ => new GaussianNoise(0),
            },
        });
        Run.Check(Prop.ForAll(zero.ToArbitrary(), c =>
        {
            double[] y = Forward(c.Layer, c.X, c.N, c.Features, new ForwardContext(true, false, c.Seed, c.Step));
            return y.SequenceEqual(c.X);
        }), 200);
    }

    private sealed record MeanCase(double Rate, long Seed, long Step, double Offset)
    {
        public override string ToString() => Dump.Of(this);
    }

    private static Gen<MeanCase> MeanCases =>
        from rate in TensorGens.Uniform(0.05, 0.8)
        from seed in TensorGens.Seed
        from step in Gen.Choose(0, 100_000)
        from offset in TensorGens.Uniform(-1, 1)
        select new MeanCase(rate, seed, step, offset);

    private const int Rows = 200, Features = 20, Count = Rows * Features;

    private static double[] Inputs(double offset) => [.. Enumerable.Range(0, Count).Select(i => offset + Math.Sin(i * 0.7))];

    [Fact]
    public void Dropout_keeps_the_mean_and_drops_a_share_rate_of_units_scaling_the_rest()
    {
        Run.Check(Prop.ForAll(MeanCases.ToArbitrary(), c =>
        {
            double[] x = Inputs(c.Offset);
            double[] y = Forward(new Dropout(c.Rate), x, Rows, Features, new ForwardContext(true, false, c.Seed, c.Step));
            int dropped = y.Count(v => v == 0);
            double sdShare = Math.Sqrt(c.Rate * (1 - c.Rate) / Count);
            double sdMean = Math.Sqrt(x.Sum(v => v * v) * c.Rate / (1 - c.Rate)) / Count;
            bool scaled = x.Zip(y).All(p => p.Second == 0 || Math.Abs(p.Second - (p.First / (1 - c.Rate))) <= 1e-12 * Math.Abs(p.Second));
            return scaled
                && Math.Abs(((double)dropped / Count) - c.Rate) <= 5 * sdShare
                && Math.Abs(y.Average() - x.Average()) <= 5 * sdMean;
        }), 100);
    }

    [Fact]
    public void Gaussian_dropout_and_noise_have_the_documented_mean_and_variance()
    {
        Run.Check(Prop.ForAll(MeanCases.ToArbitrary(), c =>
        {
            double[] ones = [.. Enumerable.Repeat(1.0, Count)];
            double[] f = Forward(new GaussianDropout(c.Rate), ones, Rows, Features, new ForwardContext(true, false, c.Seed, c.Step));
            double sd2 = c.Rate / (1 - c.Rate);
            double sigma = 0.1 + Math.Abs(c.Offset);
            double[] x = Inputs(c.Offset);
            double[] e = [.. Forward(new GaussianNoise(sigma), x, Rows, Features, new ForwardContext(true, false, c.Seed, c.Step)).Zip(x, (a, b) => a - b)];
            return MeanVarianceMatch(f, 1.0, sd2) && MeanVarianceMatch(e, 0.0, sigma * sigma);
        }), 100);
    }

    /// <summary>Sample mean within 5 standard errors; sample variance within 5 standard errors (normal: var·√(2/N)).</summary>
    private static bool MeanVarianceMatch(double[] v, double mean, double variance)
    {
        double m = v.Average();
        double s2 = v.Sum(a => (a - m) * (a - m)) / (v.Length - 1);
        return Math.Abs(m - mean) <= 5 * Math.Sqrt(variance / v.Length)
            && Math.Abs(s2 - variance) <= 5 * variance * Math.Sqrt(2.0 / v.Length);
    }
}
