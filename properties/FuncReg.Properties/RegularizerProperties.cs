using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>One penalty on one weight vector; <see cref="Scale"/> multiplies the gradient as AddGradient's scale argument.</summary>
internal sealed record PenaltyCase(Regularizer Regularizer, double[] W, double[] G0, double Scale)
{
    public override string ToString() => Dump.Of(this);
}

/// <summary>Property 3: L1, L2 and L1L2 penalties follow Keras's formula and their gradient is its derivative.</summary>
public sealed class RegularizerProperties
{
    private static Gen<PenaltyCase> Cases =>
        from kind in Gen.Choose(0, 2)
        from l1 in TensorGens.Uniform(0, 1)
        from l2 in TensorGens.Uniform(0, 1)
        from len in Gen.Choose(1, 8)
        from w in TensorGens.AwayFromZero(len, 1e-3, 3.0)
        from g0 in TensorGens.Values(len)
        from scale in Gen.OneOf(Gen.Constant(1.0), TensorGens.Uniform(0.01, 2))
        select new PenaltyCase(kind switch { 0 => Regularizer.L1(l1), 1 => Regularizer.L2(l2), _ => Regularizer.L1L2(l1, l2) }, w, g0, scale);

    [Fact]
    public void AddGradient_equals_finite_differences_of_Penalty()
    {
        Run.Check(Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            double[] w = (double[])c.W.Clone();
            double[] g = (double[])c.G0.Clone();
            c.Regularizer.AddGradient<double>(w, g, c.Scale);
            double[] added = [.. g.Zip(c.G0, (a, b) => a - b)];
            double[] numeric = [.. Fd.Gradient(() => c.Regularizer.Penalty<double>(w), w).Select(v => v * c.Scale)];
            Fd.AssertClose(added, numeric, $"{c.Regularizer} gradient");
        }), 300);
    }

    [Fact]
    public void Penalty_is_l1_sum_abs_plus_l2_sum_squares_not_divided_by_anything()
    {
        Run.Check(Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            double abs = 0, sq = 0;
            foreach (double v in c.W)
            {
                abs += Math.Abs(v);
                sq += v * v;
            }
            double expected = (c.Regularizer.L1Factor * abs) + (c.Regularizer.L2Factor * sq);
            double actual = c.Regularizer.Penalty<double>(c.W);
            float[] wf = [.. c.W.Select(v => (float)v)];
            double actualF = c.Regularizer.Penalty<float>(wf);
            double expectedF = (c.Regularizer.L1Factor * wf.Sum(v => Math.Abs((double)v))) + (c.Regularizer.L2Factor * wf.Sum(v => (double)v * v));
            return Math.Abs(actual - expected) <= 1e-14 * (1 + expected) && Math.Abs(actualF - expectedF) <= 1e-12 * (1 + expectedF);
        }), 300);
    }
}
