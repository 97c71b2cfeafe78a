using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>Property 11: the counter-based generator is a pure function of (seed, stream, step, index) with the right moments.</summary>
public sealed class CounterRandomProperties
{
    private const int Draws = 20_000;

    private static Gen<(long Seed, long Stream, long Step)> Keys =>
        from seed in TensorGens.Seed
        from stream in Gen.Choose(0, 200)
        from step in Gen.Choose(0, 1_000_000)
        select ((long)seed, (long)stream, (long)step);

    [Fact]
    public void Uniform_is_in_0_1_with_mean_one_half_and_variance_one_twelfth()
    {
        Run.Check(Prop.ForAll(Keys.ToArbitrary(), k =>
        {
            ulong key = CounterRandom.Key(k.Seed, k.Stream, k.Step);
            float[] u = [.. Enumerable.Range(0, Draws).Select(i => CounterRandom.Uniform(key, i))];
            double[] ud = [.. Enumerable.Range(0, Draws).Select(i => CounterRandom.UniformDouble(key, i))];
            static bool Moments(IReadOnlyCollection<double> v)
            {
                double m = v.Average(), var = v.Sum(a => (a - m) * (a - m)) / (v.Count - 1);
                // sd of the mean √(1/12/N); sd of the variance of U(0,1) ≈ √(1/180/N)
                return Math.Abs(m - 0.5) <= 5 * Math.Sqrt(1.0 / 12 / v.Count) && Math.Abs(var - (1.0 / 12)) <= 5 * Math.Sqrt(1.0 / 180 / v.Count);
            }
            return u.All(v => v >= 0f && v < 1f) && ud.All(v => v >= 0 && v < 1)
                && Moments([.. u.Select(v => (double)v)]) && Moments(ud);
        }), 50);
    }

    [Fact]
    public void Normal_has_mean_zero_and_variance_one()
    {
        Run.Check(Prop.ForAll(Keys.ToArbitrary(), k =>
        {
            ulong key = CounterRandom.Key(k.Seed, k.Stream, k.Step);
            double[] z = [.. Enumerable.Range(0, Draws).Select(i => CounterRandom.Normal(key, i))];
            double m = z.Average(), var = z.Sum(a => (a - m) * (a - m)) / (Draws - 1);
            return z.All(double.IsFinite) && Math.Abs(m) <= 5 * Math.Sqrt(1.0 / Draws) && Math.Abs(var - 1) <= 5 * Math.Sqrt(2.0 / Draws);
        }), 50);
    }

    [Fact]
    public void Same_seed_stream_step_index_gives_the_same_value_and_neighbours_differ()
    {
        Gen<((long Seed, long Stream, long Step) K, int Index)> cases = Keys.Zip(Gen.Choose(0, int.MaxValue - 1));
        Run.Check(Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (seed, stream, step) = c.K;
            ulong key = CounterRandom.Key(seed, stream, step);
            bool same = CounterRandom.Key(seed, stream, step) == key
                && CounterRandom.Bits(key, c.Index) == CounterRandom.Bits(CounterRandom.Key(seed, stream, step), c.Index)
                && CounterRandom.Normal(key, c.Index).Equals(CounterRandom.Normal(CounterRandom.Key(seed, stream, step), c.Index));
            bool neighboursDiffer = CounterRandom.Key(seed + 1, stream, step) != key
                && CounterRandom.Key(seed, stream + 1, step) != key
                && CounterRandom.Key(seed, stream, step + 1) != key
                && CounterRandom.Bits(key, c.Index) != CounterRandom.Bits(key, c.Index + 1L);
            return same && neighboursDiffer;
        }), 300);
    }
}
