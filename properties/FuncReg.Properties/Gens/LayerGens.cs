using FuncReg.Properties.Support;

namespace FuncReg.Properties.Gens;

/// <summary>One activation applied to a [rows × units] block, probed with the linear functional Σ c·f(z).</summary>
internal sealed record ActivationCase(Activation Activation, double Alpha, int Rows, int Units, double[] Z, double[] C)
{
    public override string ToString() => Dump.Of(this);
}

/// <summary>A Dense affine map z = x·W + b probed with Σ c·z.</summary>
internal sealed record DenseCase(int N, int Inputs, int Units, bool UseBias, double[] X, double[] W, double[] B, double[] C, double[] DwStart)
{
    public override string ToString() => Dump.Of(this);
}

/// <summary>A normalization (batch or layer) over [n × features] probed with Σ c·y.</summary>
internal sealed record NormCase(int N, int Features, double Epsilon, double[] X, double[] Gamma, double[] Beta, double[] MovingMean, double[] MovingVariance, double[] C)
{
    public override string ToString() => Dump.Of(this);
}

/// <summary>A noise layer with a fixed (seed, step) key.</summary>
internal sealed record NoiseCase(Layer Layer, int N, int Features, long Seed, long Step, double[] X, double[] C)
{
    public override string ToString() => Dump.Of(this);
}

/// <summary>Activations, layer shapes and layer inputs.</summary>
internal static class LayerGens
{
    public static readonly Activation[] AllActivations =
        [Activation.Linear, Activation.Relu, Activation.LeakyRelu, Activation.Elu, Activation.Sigmoid, Activation.Tanh, Activation.Softmax];

    public static readonly Activation[] ElementWise =
        [Activation.Linear, Activation.Relu, Activation.LeakyRelu, Activation.Elu, Activation.Sigmoid, Activation.Tanh];

    /// <summary>α: the default, or a random one for leaky ReLU / ELU.</summary>
    public static Gen<double> Alpha(Activation a) => a switch
    {
        Activation.LeakyRelu => Gen.OneOf(Gen.Constant(0.2), TensorGens.Uniform(0.01, 0.5)),
        Activation.Elu => Gen.OneOf(Gen.Constant(1.0), TensorGens.Uniform(0.5, 2.0)),
        _ => Gen.Constant(ActivationFunctions.DefaultAlpha(a)),
    };

    /// <summary>Pre-activations at least 1e-3 away from the kink at 0 (for every activation, for simplicity).</summary>
    public static Gen<ActivationCase> Activations =>
        from a in Gen.Elements(AllActivations)
        from alpha in Alpha(a)
        from rows in Gen.Choose(1, 3)
        from units in Gen.Choose(1, 5)
        from z in TensorGens.AwayFromZero(rows * units, 1e-3, 4.0)
        from c in TensorGens.Values(rows * units)
        select new ActivationCase(a, alpha, rows, units, z, c);

    public static Gen<DenseCase> Dense =>
        from n in Gen.Choose(1, 4)
        from inputs in Gen.Choose(1, 4)
        from units in Gen.Choose(1, 4)
        from useBias in Gen.Elements(true, false)
        from x in TensorGens.Values(n * inputs)
        from w in TensorGens.Values(inputs * units, 1.0)
        from b in TensorGens.Values(useBias ? units : 0, 1.0)
        from c in TensorGens.Values(n * units)
        from dw0 in TensorGens.Values(inputs * units, 1.0)
        select new DenseCase(n, inputs, units, useBias, x, w, b, c, dw0);

    /// <summary>Batch rows 1–5, features 1–4; γ kept away from zero, variances positive.</summary>
    public static Gen<NormCase> Norm(int minRows, int maxRows, int minFeatures = 1) =>
        from n in Gen.Choose(minRows, maxRows)
        from f in Gen.Choose(minFeatures, 4)
        from eps in Gen.Elements(1e-3, 1e-2, 0.1)
        from x in TensorGens.Values(n * f)
        from gamma in TensorGens.AwayFromZero(f, 0.2, 2.0)
        from beta in TensorGens.Values(f, 1.0)
        from mm in TensorGens.Values(f, 1.0)
        from mv in TensorGens.Vector(f, TensorGens.Uniform(0.1, 3.0))
        from c in TensorGens.Values(n * f)
        select new NormCase(n, f, eps, x, gamma, beta, mm, mv, c);

    public static Gen<Layer> NoiseLayer =>
        Gen.OneOf(
            TensorGens.Uniform(0, 0.9).Select(r => (Layer)new Dropout(r)),
            TensorGens.Uniform(0, 0.9).Select(r => (Layer)new GaussianDropout(r)),
            TensorGens.Uniform(0, 2.0).Select(s => (Layer)new GaussianNoise(s)));

    public static Gen<NoiseCase> Noise =>
        from layer in NoiseLayer
        from n in Gen.Choose(1, 4)
        from f in Gen.Choose(1, 5)
        from seed in TensorGens.Seed
        from step in Gen.Choose(0, 1000)
        from x in TensorGens.Values(n * f)
        from c in TensorGens.Values(n * f)
        select new NoiseCase(layer, n, f, seed, step, x, c);
}
