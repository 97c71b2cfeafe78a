using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>Property 4 (image layers): each backward pass equals central finite differences of Σ c·y, in double.</summary>
public sealed class ConvGradientProperties
{
    [Fact]
    public void Conv2D_backward_equals_finite_differences_for_every_padding_and_stride()
    {
        Run.Check(Prop.ForAll(ConvGens.Conv.ToArbitrary(), c =>
        {
            double[] x = (double[])c.X.Clone(), k = (double[])c.K.Clone(), b = (double[])c.B.Clone();
            Window2D g = c.Window;
            double F()
            {
                var z = new double[c.N * g.OutputPixels * c.Filters];
                Conv2DOps.Forward<double>(x, k, b, z, c.N, g, c.Filters);
                return Fd.Dot(c.C, z);
            }
            double[] dk = (double[])c.DkStart.Clone();
            double[] db = c.UseBias ? [.. Enumerable.Repeat(0.5, c.Filters)] : [];
            var dx = new double[x.Length];
            Conv2DOps.Backward<double>(x, k, c.C, dk, db, dx, c.N, g, c.Filters);
            Fd.AssertClose([.. dk.Zip(c.DkStart, (a, s) => a - s)], Fd.Gradient(F, k), "dK (accumulated)");
            Fd.AssertClose([.. db.Select(v => v - 0.5)], Fd.Gradient(F, b), "db (accumulated)");
            Fd.AssertClose(dx, Fd.Gradient(F, x), "dx");
        }), 200);
    }

    [Fact]
    public void Conv2D_equals_im2col_times_the_kernel_and_col2im_is_its_adjoint()
    {
        Run.Check(Prop.ForAll(ConvGens.Conv.ToArbitrary(), c =>
        {
            Window2D g = c.Window;
            int rows = c.N * g.OutputPixels;
            var direct = new double[rows * c.Filters];
            Conv2DOps.Forward<double>(c.X, c.K, c.B, direct, c.N, g, c.Filters);
            var columns = new double[rows * g.PatchSize];
            Conv2DOps.Im2Col<double>(c.X, columns, c.N, g);
            var viaGemm = new double[rows * c.Filters];
            DenseOps.Forward<double>(columns, c.K, c.B, viaGemm, rows, g.PatchSize, c.Filters);
            Fd.AssertClose(viaGemm, direct, "im2col·K", 1e-12);
            // ⟨im2col(x), u⟩ = ⟨x, col2im(u)⟩ for a random u
            double[] u = [.. Enumerable.Range(0, columns.Length).Select(i => c.C[i % c.C.Length] * ((i % 7) - 3))];
            var back = new double[c.X.Length];
            Conv2DOps.Col2Im<double>(u, back, c.N, g);
            Fd.AssertClose(Fd.Dot(columns, u), Fd.Dot(c.X, back), "⟨im2col x, u⟩ vs ⟨x, col2im u⟩", 1e-12);
        }), 200);
    }

    [Fact]
    public void Pooling_backward_equals_finite_differences()
    {
        Run.Check(Prop.ForAll(ConvGens.Pooling.ToArbitrary(), c => CheckLayer(c)), 300);
    }

    [Fact]
    public void GlobalAveragePooling2D_and_Flatten_backward_equal_finite_differences()
    {
        Run.Check(Prop.ForAll(ConvGens.Image(Gen.Elements<Layer>(new GlobalAveragePooling2D(), new Flatten())).ToArbitrary(), c => CheckLayer(c)), 200);
    }

    [Fact]
    public void SpatialDropout2D_backward_with_a_fixed_key_equals_finite_differences()
    {
        Run.Check(Prop.ForAll(ConvGens.Image(ConvGens.SpatialDropout).ToArbitrary(), c => CheckLayer(c)), 200);
    }

    [Fact]
    public void Channel_BatchNormalization_backward_equals_finite_differences_in_training_and_inference()
    {
        Gen<Layer> bn = from eps in Gen.Elements(1e-3, 1e-2, 0.1)
                        from center in Gen.Elements(true, false)
                        from scale in Gen.Elements(true, false)
                        select (Layer)new BatchNormalization { Epsilon = eps, Center = center, Scale = scale };
        Run.Check(Prop.ForAll(ConvGens.Image(bn).ToArbitrary(), Gen.Elements(true, false).ToArbitrary(), (c, training) => CheckLayer(c, training, randomize: true)), 200);
    }

    /// <summary>The layer as the first of a model on c.Shape, through the reference runtime: dx and every trainable parameter gradient vs finite differences.</summary>
    internal static void CheckLayer(ImageCase c, bool training = true, bool randomize = false)
    {
        var spec = Sequential.Of(c.Shape, Loss.MeanSquaredError, c.Layer, new Flatten());
        var net = new ReferenceNet<double>(spec, c.Seed);
        if (randomize)
        {
            Nets.Randomize(net, (int)(c.Seed % int.MaxValue));
        }
        LayerRuntime<double> layer = Nets.Layers(net)[0];
        var ctx = new ForwardContext(Training: training, UpdateStatistics: false, c.Seed, c.Step);
        double[] x = (double[])c.X.Clone();
        double F() => Fd.Dot(c.C, layer.Forward(x, c.N, ctx));
        F();
        foreach (ParamTensor<double> p in layer.Parameters)
        {
            Array.Clear(p.Grad);
        }
        double[] dx = layer.Backward(c.C, c.N);
        Fd.AssertClose(dx, Fd.Gradient(F, x), $"{c.Layer} dx");
        foreach (ParamTensor<double> p in layer.Parameters.Where(p => p.Trainable))
        {
            double[] analytic = (double[])p.Grad.Clone();
            Fd.AssertClose(analytic, Fd.Gradient(F, p.Values), p.Name);
        }
    }
}
