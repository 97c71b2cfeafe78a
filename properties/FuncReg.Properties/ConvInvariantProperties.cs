using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>Invariants of the image layers: spatial dropout's masks and shape inference.</summary>
public sealed class ConvInvariantProperties
{
    [Fact]
    public void SpatialDropout2D_zeroes_whole_channels_and_scales_the_rest()
    {
        Run.Check(Prop.ForAll(ConvGens.Image(ConvGens.SpatialDropout).ToArbitrary(), c =>
        {
            double rate = ((SpatialDropout2D)c.Layer).Rate;
            double[] x = [.. c.X.Select(v => v == 0 ? 1.0 : v)];
            var net = new ReferenceNet<double>(Sequential.Of(c.Shape, Loss.MeanSquaredError, c.Layer, new Flatten()), c.Seed);
            double[] y = net.Forward(x, c.N, new ForwardContext(true, false, c.Seed, c.Step));
            int channels = c.Shape[2], positions = c.Shape[0] * c.Shape[1];
            for (int r = 0; r < c.N; r++)
            {
                for (int ch = 0; ch < channels; ch++)
                {
                    double[] ratios = [.. Enumerable.Range(0, positions).Select(p => y[(((r * positions) + p) * channels) + ch] / x[(((r * positions) + p) * channels) + ch])];
                    double expected = ratios[0] == 0 ? 0 : 1 / (1 - rate);
                    if (ratios.Any(q => Math.Abs(q - expected) > 1e-12 * (1 + expected)))
                    {
                        throw new InvalidOperationException($"sample {r}, channel {ch}: factors {string.Join(", ", ratios)} are not all {expected}");
                    }
                }
            }
        }), 200);
    }

    [Fact]
    public void SpatialDropout2D_is_the_identity_at_inference_and_at_rate_zero()
    {
        Run.Check(Prop.ForAll(ConvGens.Image(ConvGens.SpatialDropout).ToArbitrary(), c =>
        {
            var net = new ReferenceNet<double>(Sequential.Of(c.Shape, Loss.MeanSquaredError, c.Layer, new Flatten()), c.Seed);
            var zero = new ReferenceNet<double>(Sequential.Of(c.Shape, Loss.MeanSquaredError, new SpatialDropout2D(0), new Flatten()), c.Seed);
            Assert.Equal(c.X, net.Forward(c.X, c.N, new ForwardContext(false, false, c.Seed, c.Step)));
            Assert.Equal(c.X, zero.Forward(c.X, c.N, new ForwardContext(true, false, c.Seed, c.Step)));
        }), 200);
    }

    [Fact]
    public void Random_cnn_specs_cover_every_image_layer_padding_and_stride()
    {
        Layer[] layers = [.. ConvGens.Specs.Sample(300).SelectMany(s => s.Spec.Layers)];
        Conv2D[] convs = [.. layers.OfType<Conv2D>()];
        Assert.Contains(convs, c => c.Padding == Padding.Same && c.Strides != (1, 1));
        Assert.Contains(convs, c => c.Padding == Padding.Valid && c.Strides != (1, 1));
        Assert.Contains(convs, c => c.ActivityRegularizer is { IsZero: false });
        Assert.Contains(layers, l => l is MaxPooling2D { Padding: Padding.Same });
        Assert.Contains(layers, l => l is MaxPooling2D { Padding: Padding.Valid });
        Assert.Contains(layers, l => l is AveragePooling2D { Padding: Padding.Same });
        Assert.Contains(layers, l => l is SpatialDropout2D);
        Assert.Contains(layers, l => l is BatchNormalization);
        Assert.Contains(layers, l => l is GlobalAveragePooling2D);
        Assert.Contains(layers, l => l is Flatten);
    }

    [Fact]
    public void Shape_inference_matches_the_actual_output_lengths()
    {
        Run.Check(Prop.ForAll(ConvGens.Nets.ToArbitrary(), c =>
        {
            var net = new ReferenceNet<double>(c.Spec, c.Seed);
            double[] a = c.X;
            var ctx = new ForwardContext(c.Training, false, c.Seed, c.Step);
            LayerRuntime<double>[] layers = Nets.Layers(net);
            for (int i = 0; i < layers.Length; i++)
            {
                a = layers[i].Forward(a, c.N, ctx);
                int expected = c.N * c.Spec.ShapeAt(i + 1).Aggregate(1, (p, d) => p * d);
                Assert.True(a.Length == expected, $"{c.Spec.LayerName(i)}: {a.Length} values, shape [{string.Join(", ", c.Spec.ShapeAt(i + 1))}] × {c.N} says {expected}");
            }
            Assert.Equal(c.N * c.Spec.Outputs, a.Length);
        }), 200);
    }
}
