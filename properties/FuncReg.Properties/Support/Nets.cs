using System.Numerics;
using System.Reflection;

namespace FuncReg.Properties.Support;

/// <summary>Helpers around <see cref="ReferenceNet{T}"/>: random parameters, and a look at its layers to stay off kinks.</summary>
internal static class Nets
{
    /// <summary>Overwrites every parameter with values away from zero: kernels ±[0.1, 1], γ ±[0.5, 1.5], moving variance in [0.5, 2]…</summary>
    public static void Randomize<T>(ReferenceNet<T> net, int seed)
        where T : IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        double Signed(double lo, double hi) => (lo + ((hi - lo) * rng.NextDouble())) * (rng.Next(2) == 0 ? -1 : 1);
        foreach (ParamTensor<T> p in net.Parameters)
        {
            for (int i = 0; i < p.Values.Length; i++)
            {
                double v = p.Role switch
                {
                    ParameterRole.Kernel => Signed(0.1, 1.0),
                    ParameterRole.Gamma => Signed(0.5, 1.5),
                    ParameterRole.MovingMean => Signed(0.0, 0.5),
                    ParameterRole.MovingVariance => 0.5 + (1.5 * rng.NextDouble()),
                    _ => Signed(0.05, 0.5),
                };
                p.Values[i] = T.CreateChecked(v);
            }
        }
    }

    /// <summary>The interpreter's layer runtimes (internal; read for the kink check only).</summary>
    public static LayerRuntime<T>[] Layers<T>(ReferenceNet<T> net)
        where T : IFloatingPointIeee754<T> =>
        [.. net.Runtimes];

    /// <summary>
    /// After a forward pass: true when no non-smooth point is within <paramref name="margin"/> — relu/leaky/elu
    /// pre-activations, outputs under an L1 activity penalty, weights under an L1 penalty, probabilities near the clip.
    /// </summary>
    public static bool AwayFromKinks(ReferenceNet<double> net, double[] output, double margin = 1e-4)
    {
        LayerRuntime<double>[] layers = Layers(net);
        for (int i = 0; i < layers.Length; i++)
        {
            Activation? act = net.Spec.Layers[i] switch
            {
                Dense d => d.Activation,
                Conv2D c => c.Activation,
                ActivationLayer a => a.Function,
                _ => null,
            };
            if (act is Activation.Relu or Activation.LeakyRelu or Activation.Elu && layers[i].PreActivation!.Any(z => Math.Abs(z) < margin))
            {
                return false;
            }
            if (layers[i] is { Activity.L1Factor: > 0 } dr && dr.LastOutput.Any(y => y != 0 && Math.Abs(y) < margin))
            {
                return false;
            }
            if (net.Spec.Layers[i] is MaxPooling2D && layers[i] is Pooling2DRuntime<double> pool && NearTie(pool.LastInput, pool.Window, margin))
            {
                return false;
            }
        }
        if (net.Parameters.Any(p => p.Regularizer is { L1Factor: > 0 } && p.Values.Any(w => Math.Abs(w) < margin)))
        {
            return false;
        }
        bool probabilities = net.Spec.Loss != Loss.MeanSquaredError && !net.Spec.FromLogits;
        return !probabilities || output.All(p => p > 1e-6 && p < 1 - 1e-6);
    }

    /// <summary>True when some max-pooling window holds two different values within <paramref name="margin"/> of its maximum (exact ties are constant zeros: relu or dropout).</summary>
    public static bool NearTie(double[] x, Window2D g, double margin)
    {
        int n = x.Length / g.InputSize;
        for (int r = 0; r < n; r++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    for (int c = 0; c < g.Channels; c++)
                    {
                        var values = new List<double>();
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            for (int kx = 0; kx < g.KernelWidth; kx++)
                            {
                                int iy = (oy * g.StrideHeight) - g.PadTop + ky, ix = (ox * g.StrideWidth) - g.PadLeft + kx;
                                if (iy >= 0 && iy < g.Height && ix >= 0 && ix < g.Width)
                                {
                                    values.Add(x[((((r * g.Height) + iy) * g.Width + ix) * g.Channels) + c]);
                                }
                            }
                        }
                        double max = values.Max();
                        if (values.Any(v => v != max && max - v < margin))
                        {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }
}
