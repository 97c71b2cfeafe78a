namespace FuncReg.Generators.Model
{
    /// <summary>One layer attribute, as values. Enum-valued settings are held as the enum member's name.</summary>
    internal abstract record LayerSpec
    {
        /// <summary>Keras-style kind, as the library's <c>Layer.Kind</c>: <c>dense</c>, <c>dropout</c>…</summary>
        public abstract string Kind { get; }
    }

    /// <summary><c>[Dense]</c>. Penalty pairs with both coefficients zero mean no regularizer; MaxNorm 0 means no constraint.</summary>
    internal sealed record DenseSpec(
        int Units,
        string Activation,
        double L1,
        double L2,
        double BiasL1,
        double BiasL2,
        double ActivityL1,
        double ActivityL2,
        double MaxNorm,
        string KernelInitializer,
        bool UseBias) : LayerSpec
    {
        public override string Kind => "dense";
    }

    internal sealed record DropoutSpec(double Rate) : LayerSpec
    {
        public override string Kind => "dropout";
    }

    internal sealed record GaussianDropoutSpec(double Rate) : LayerSpec
    {
        public override string Kind => "gaussian_dropout";
    }

    internal sealed record GaussianNoiseSpec(double Stddev) : LayerSpec
    {
        public override string Kind => "gaussian_noise";
    }

    internal sealed record BatchNormalizationSpec(double Momentum, double Epsilon) : LayerSpec
    {
        public const double DefaultMomentum = 0.99;
        public const double DefaultEpsilon = 1e-3;

        public override string Kind => "batch_norm";
    }

    internal sealed record LayerNormalizationSpec(double Epsilon) : LayerSpec
    {
        public const double DefaultEpsilon = 1e-3;

        public override string Kind => "layer_norm";
    }

    internal sealed record ActivationSpec(string Function) : LayerSpec
    {
        public override string Kind => "activation";
    }
}
