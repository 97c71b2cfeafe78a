using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>Property 4 (layers): the backward pass of each layer's ops equals finite differences of Σ c·y.</summary>
public sealed class LayerGradientProperties
{
    [Fact]
    public void Dense_backward_accumulates_the_gradient_of_x_W_plus_b()
    {
        Run.Check(Prop.ForAll(LayerGens.Dense.ToArbitrary(), c =>
        {
            double[] x = (double[])c.X.Clone(), w = (double[])c.W.Clone(), b = (double[])c.B.Clone();
            double F()
            {
                var z = new double[c.N * c.Units];
                DenseOps.Forward<double>(x, w, b, z, c.N, c.Inputs, c.Units);
                return Fd.Dot(c.C, z);
            }
            double[] dw = (double[])c.DwStart.Clone();
            double[] db = c.UseBias ? [.. Enumerable.Repeat(0.5, c.Units)] : [];
            var dx = new double[x.Length];
            DenseOps.Backward<double>(x, w, c.C, dw, db, dx, c.N, c.Inputs, c.Units);
            Fd.AssertClose([.. dw.Zip(c.DwStart, (a, s) => a - s)], Fd.Gradient(F, w), "dW (accumulated)");
            Fd.AssertClose([.. db.Select(v => v - 0.5)], Fd.Gradient(F, b), "db (accumulated)");
            Fd.AssertClose(dx, Fd.Gradient(F, x), "dx");
        }), 200);
    }

    [Fact]
    public void BatchNormalization_training_backward_equals_finite_differences()
    {
        Run.Check(Prop.ForAll(LayerGens.Norm(1, 5).ToArbitrary(), c =>
        {
            double[] x = (double[])c.X.Clone(), gamma = (double[])c.Gamma.Clone(), beta = (double[])c.Beta.Clone();
            int len = c.N * c.Features, f = c.Features;
            double F()
            {
                var y = new double[len];
                NormalizationOps.BatchForwardTraining<double>(x, gamma, beta, c.Epsilon, new double[len], y, new double[f], new double[f], new double[f], c.N, f);
                return Fd.Dot(c.C, y);
            }
            var xhat = new double[len];
            var invStd = new double[f];
            NormalizationOps.BatchForwardTraining<double>(x, gamma, beta, c.Epsilon, xhat, new double[len], new double[f], new double[f], invStd, c.N, f);
            var dx = new double[len];
            var dg = new double[f];
            var db = new double[f];
            NormalizationOps.BatchBackwardTraining<double>(c.C, xhat, gamma, invStd, dx, dg, db, c.N, f);
            Fd.AssertClose(dx, Fd.Gradient(F, x), "dx");
            Fd.AssertClose(dg, Fd.Gradient(F, gamma), "dgamma");
            Fd.AssertClose(db, Fd.Gradient(F, beta), "dbeta");
        }), 200);
    }

    [Fact]
    public void BatchNormalization_inference_backward_equals_finite_differences()
    {
        Run.Check(Prop.ForAll(LayerGens.Norm(1, 5).ToArbitrary(), c =>
        {
            double[] x = (double[])c.X.Clone(), gamma = (double[])c.Gamma.Clone(), beta = (double[])c.Beta.Clone();
            int len = c.N * c.Features, f = c.Features;
            double F()
            {
                var y = new double[len];
                NormalizationOps.BatchForwardInference<double>(x, gamma, beta, c.MovingMean, c.MovingVariance, c.Epsilon, y, c.N, f);
                return Fd.Dot(c.C, y);
            }
            var dx = new double[len];
            var dg = new double[f];
            var db = new double[f];
            NormalizationOps.BatchBackwardInference<double>(x, c.C, gamma, c.MovingMean, c.MovingVariance, c.Epsilon, dx, dg, db, c.N, f);
            Fd.AssertClose(dx, Fd.Gradient(F, x), "dx");
            Fd.AssertClose(dg, Fd.Gradient(F, gamma), "dgamma");
            Fd.AssertClose(db, Fd.Gradient(F, beta), "dbeta");
        }), 200);
    }

    [Fact]
    public void LayerNormalization_backward_equals_finite_differences()
    {
        Run.Check(Prop.ForAll(LayerGens.Norm(1, 4).ToArbitrary(), c =>
        {
            double[] x = (double[])c.X.Clone(), gamma = (double[])c.Gamma.Clone(), beta = (double[])c.Beta.Clone();
            int len = c.N * c.Features, f = c.Features;
            double F()
            {
                var y = new double[len];
                NormalizationOps.LayerForward<double>(x, gamma, beta, c.Epsilon, new double[len], y, new double[c.N], c.N, f);
                return Fd.Dot(c.C, y);
            }
            var xhat = new double[len];
            var invStd = new double[c.N];
            NormalizationOps.LayerForward<double>(x, gamma, beta, c.Epsilon, xhat, new double[len], invStd, c.N, f);
            var dx = new double[len];
            var dg = new double[f];
            var db = new double[f];
            NormalizationOps.LayerBackward<double>(c.C, xhat, gamma, invStd, dx, dg, db, c.N, f);
            Fd.AssertClose(dx, Fd.Gradient(F, x), "dx");
            Fd.AssertClose(dg, Fd.Gradient(F, gamma), "dgamma");
            Fd.AssertClose(db, Fd.Gradient(F, beta), "dbeta");
        }), 200);
    }

    [Fact]
    public void Noise_layer_backward_with_a_fixed_key_equals_finite_differences()
    {
        Run.Check(Prop.ForAll(LayerGens.Noise.ToArbitrary(), c =>
        {
            var layer = new NoiseRuntime<double>(0, "noise_0", c.Features, c.Layer);
            var ctx = new ForwardContext(Training: true, UpdateStatistics: false, c.Seed, c.Step);
            double[] x = (double[])c.X.Clone();
            layer.Forward(x, c.N, ctx);
            double[] dx = layer.Backward(c.C, c.N);
            Fd.AssertClose(dx, Fd.Gradient(() => Fd.Dot(c.C, layer.Forward(x, c.N, ctx)), x), $"{c.Layer} dx");
        }), 200);
    }
}
