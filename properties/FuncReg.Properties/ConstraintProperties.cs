using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>Property 7: each constraint's projection does what its Keras doc says, per kernel column.</summary>
public sealed class ConstraintProperties
{
    private sealed record ConstraintCase(int Rows, int Columns, double[] W, double Lo, double Hi)
    {
        public override string ToString() => Dump.Of(this);

        public double Norm(double[] w, int j) => Math.Sqrt(Enumerable.Range(0, Rows).Sum(i => w[(i * Columns) + j] * w[(i * Columns) + j]));

        /// <summary>Relative slack of a column whose norm was n: the documented ε/(ε + n) shrink, plus rounding.</summary>
        public double Slack(int j) => (Constraint.Epsilon / Norm(W, j)) + 1e-12;
    }

    /// <summary>Columns whose norms range over [~0.1, ~10]: each column is a random direction times a random scale.</summary>
    private static Gen<ConstraintCase> Cases =>
        from rows in Gen.Choose(1, 5)
        from cols in Gen.Choose(1, 4)
        from raw in TensorGens.AwayFromZero(rows * cols, 0.05, 1)
        from scales in TensorGens.Uniform(0.2, 5).ArrayOf(cols)
        from lo in TensorGens.Uniform(0.1, 2)
        from width in TensorGens.Uniform(0, 2)
        select new ConstraintCase(rows, cols, [.. raw.Select((v, k) => v * scales[k % cols])], lo, lo + width);

    [Fact]
    public void MaxNorm_bounds_every_column_norm_and_leaves_columns_inside_unchanged()
    {
        Run.Check(Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            double[] w = (double[])c.W.Clone();
            new MaxNorm(c.Hi).Apply<double>(w, c.Rows, c.Columns);
            for (int j = 0; j < c.Columns; j++)
            {
                double before = c.Norm(c.W, j), after = c.Norm(w, j);
                if (after > c.Hi * (1 + 1e-12))
                {
                    return false;
                }
                bool inside = before <= c.Hi;
                for (int i = 0; i < c.Rows && inside; i++)
                {
                    int k = (i * c.Columns) + j;
                    if (Math.Abs(w[k] - c.W[k]) > c.Slack(j) * Math.Abs(c.W[k]))
                    {
                        return false;
                    }
                }
                if (!inside && Math.Abs(after - c.Hi) > c.Slack(j) * c.Hi)
                {
                    return false;
                }
            }
            return true;
        }), 300);
    }

    [Fact]
    public void UnitNorm_gives_every_column_norm_one()
    {
        Run.Check(Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            double[] w = (double[])c.W.Clone();
            new UnitNorm().Apply<double>(w, c.Rows, c.Columns);
            return Enumerable.Range(0, c.Columns).All(j => Math.Abs(c.Norm(w, j) - 1) <= c.Slack(j));
        }), 300);
    }

    [Fact]
    public void NonNeg_zeroes_negatives_and_keeps_the_rest()
    {
        Run.Check(Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            double[] w = (double[])c.W.Clone();
            new NonNeg().Apply<double>(w, c.Rows, c.Columns);
            return w.Zip(c.W).All(p => p.Second < 0 ? p.First == 0 : p.First == p.Second);
        }), 300);
    }

    [Fact]
    public void MinMaxNorm_with_rate_one_puts_every_column_norm_in_min_max()
    {
        Run.Check(Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            double[] w = (double[])c.W.Clone();
            new MinMaxNorm(c.Lo, c.Hi, 1.0).Apply<double>(w, c.Rows, c.Columns);
            return Enumerable.Range(0, c.Columns).All(j =>
            {
                double n = c.Norm(w, j);
                return n >= c.Lo * (1 - c.Slack(j)) && n <= c.Hi * (1 + 1e-12);
            });
        }), 300);
    }
}
