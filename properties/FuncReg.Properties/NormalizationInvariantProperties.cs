using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>Property 5 (normalization): batch statistics in training, moving statistics at inference, per-row layer norm.</summary>
public sealed class NormalizationInvariantProperties
{
    private static (double Mean, double Variance) Column(double[] x, int n, int features, int j)
    {
        double m = 0;
        for (int r = 0; r < n; r++)
        {
            m += x[(r * features) + j];
        }
        m /= n;
        double v = 0;
        for (int r = 0; r < n; r++)
        {
            double d = x[(r * features) + j] - m;
            v += d * d;
        }
        return (m, v / n);
    }

    [Fact]
    public void BatchNormalization_training_output_has_mean_beta_and_variance_gamma2_s2_over_s2_plus_eps()
    {
        Run.Check(Prop.ForAll(LayerGens.Norm(2, 8).ToArbitrary(), c =>
        {
            int len = c.N * c.Features, f = c.Features;
            var y = new double[len];
            var mean = new double[f];
            var variance = new double[f];
            NormalizationOps.BatchForwardTraining<double>(c.X, c.Gamma, c.Beta, c.Epsilon, new double[len], y, mean, variance, new double[f], c.N, f);
            for (int j = 0; j < f; j++)
            {
                (double mx, double vx) = Column(c.X, c.N, f, j);
                (double my, double vy) = Column(y, c.N, f, j);
                Fd.AssertClose(mean[j], mx, $"batch mean[{j}]", 1e-12);
                Fd.AssertClose(variance[j], vx, $"batch (biased) variance[{j}]", 1e-12);
                Fd.AssertClose(my, c.Beta[j], $"mean of y[{j}]", 1e-9);
                Fd.AssertClose(vy, c.Gamma[j] * c.Gamma[j] * vx / (vx + c.Epsilon), $"variance of y[{j}]", 1e-9);
            }
        }), 200);
    }

    private sealed record MovingCase(int Features, double Momentum, double Epsilon, int[] BatchSizes, double[][] Batches, double[] Probe, int ParamSeed)
    {
        public override string ToString() => Dump.Of(this);
    }

    private static Gen<MovingCase> MovingCases =>
        from f in Gen.Choose(1, 4)
        from momentum in Gen.OneOf(Gen.Constant(0.99), TensorGens.Uniform(0, 0.95))
        from eps in Gen.Elements(1e-3, 1e-2)
        from sizes in Gen.Choose(1, 5).ArrayOf().Select(a => a.Length == 0 ? [3] : a.Take(5).ToArray())
        from batches in Gen.CollectToArray(sizes, n => TensorGens.Values(n * f, 3.0))
        from probe in TensorGens.Values(3 * f, 3.0)
        from paramSeed in Gen.Choose(0, int.MaxValue)
        select new MovingCase(f, momentum, eps, sizes, batches, probe, paramSeed);

    [Fact]
    public void BatchNormalization_moving_statistics_follow_the_momentum_rule_and_drive_inference()
    {
        Run.Check(Prop.ForAll(MovingCases.ToArbitrary(), c =>
        {
            int f = c.Features;
            var spec = Sequential.Of(f, Loss.MeanSquaredError, new BatchNormalization { Momentum = c.Momentum, Epsilon = c.Epsilon });
            var net = new ReferenceNet<double>(spec, 1);
            Nets.Randomize(net, c.ParamSeed);
            ParamTensor<double> P(string suffix) => net.Parameters.Single(p => p.Name == $"batch_norm_0.{suffix}");
            double[] m = (double[])P("moving_mean").Values.Clone(), v = (double[])P("moving_variance").Values.Clone();
            for (int b = 0; b < c.Batches.Length; b++)
            {
                int n = c.BatchSizes[b];
                net.Forward(c.Batches[b], n, new ForwardContext(true, false, 1, b));
                if (!P("moving_mean").Values.SequenceEqual(m) || !P("moving_variance").Values.SequenceEqual(v))
                {
                    throw new InvalidOperationException("moving statistics changed with UpdateStatistics = false");
                }
                net.Forward(c.Batches[b], n, new ForwardContext(true, true, 1, b));
                for (int j = 0; j < f; j++)
                {
                    (double mu, double s2) = Column(c.Batches[b], n, f, j);
                    m[j] = (c.Momentum * m[j]) + ((1 - c.Momentum) * mu);
                    v[j] = (c.Momentum * v[j]) + ((1 - c.Momentum) * s2);
                }
                Fd.AssertClose(P("moving_mean").Values, m, "moving_mean", 1e-12);
                Fd.AssertClose(P("moving_variance").Values, v, "moving_variance", 1e-12);
            }
            double[] gamma = P("gamma").Values, beta = P("beta").Values;
            double[] y = net.Forward(c.Probe, 3, new ForwardContext(false, false, 1, 0));
            double[] expected = [.. c.Probe.Select((x, k) => (gamma[k % f] * (x - m[k % f]) / Math.Sqrt(v[k % f] + c.Epsilon)) + beta[k % f])];
            Fd.AssertClose(y, expected, "inference output", 1e-12);
        }), 100);
    }

    [Fact]
    public void LayerNormalization_normalizes_each_row()
    {
        Run.Check(Prop.ForAll(LayerGens.Norm(1, 5, minFeatures: 2).ToArbitrary(), c =>
        {
            int len = c.N * c.Features, f = c.Features;
            double[] ones = [.. Enumerable.Repeat(1.0, f)];
            var y = new double[len];
            NormalizationOps.LayerForward<double>(c.X, ones, new double[f], c.Epsilon, new double[len], y, new double[c.N], c.N, f);
            var yg = new double[len];
            NormalizationOps.LayerForward<double>(c.X, c.Gamma, c.Beta, c.Epsilon, new double[len], yg, new double[c.N], c.N, f);
            for (int r = 0; r < c.N; r++)
            {
                double[] row = c.X[(r * f)..((r + 1) * f)], out1 = y[(r * f)..((r + 1) * f)];
                double mx = row.Average(), vx = row.Sum(a => (a - mx) * (a - mx)) / f;
                double my = out1.Average(), vy = out1.Sum(a => (a - my) * (a - my)) / f;
                Fd.AssertClose(my, 0, $"row {r} mean", 1e-12);
                Fd.AssertClose(vy, vx / (vx + c.Epsilon), $"row {r} variance", 1e-9);
                for (int j = 0; j < f; j++)
                {
                    Fd.AssertClose(yg[(r * f) + j], (c.Gamma[j] * out1[j]) + c.Beta[j], $"y[{r},{j}] = γ·x̂ + β", 1e-12);
                }
            }
        }), 200);
    }
}
