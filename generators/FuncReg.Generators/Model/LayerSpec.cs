namespace FuncReg.Generators.Model
{
    /// <summary>One layer attribute, as values. Enum-valued settings are held as the enum member's name.</summary>
    internal abstract record LayerSpec
    {
        /// <summary>Keras-style kind, as the library's <c>Layer.Kind</c>: <c>dense</c>, <c>dropout</c>…</summary>
        public abstract string Kind { get; }
    }

    /// <summary>
    /// <c>[Dense]</c>. Penalty pairs with both coefficients zero mean no regularizer; a null constraint means none;
    /// a null <paramref name="Alpha"/> means the activation's default slope.
    /// </summary>
    internal sealed record DenseSpec(
        int Units,
        string Activation,
        double L1,
        double L2,
        double BiasL1,
        double BiasL2,
        double ActivityL1,
        double ActivityL2,
        ConstraintSpec? KernelConstraint,
        string KernelInitializer,
        bool UseBias,
        double? Alpha = null,
        string BiasInitializer = "Zeros") : LayerSpec
    {
        public override string Kind => "dense";
    }

    /// <summary>
    /// A kernel constraint: <paramref name="Kind"/> is the library record's name (<c>MaxNorm</c>, <c>MinMaxNorm</c>,
    /// <c>UnitNorm</c>, <c>NonNeg</c>); the numbers are those of MinMaxNorm (MaxNorm uses <paramref name="Max"/> only).
    /// </summary>
    internal sealed record ConstraintSpec(string Kind, double Min, double Max, double Rate);

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

    internal sealed record BatchNormalizationSpec(double Momentum, double Epsilon, bool Center = true, bool Scale = true) : LayerSpec
    {
        public const double DefaultMomentum = 0.99;
        public const double DefaultEpsilon = 1e-3;

        public override string Kind => "batch_norm";
    }

    internal sealed record LayerNormalizationSpec(double Epsilon, bool Center = true, bool Scale = true) : LayerSpec
    {
        public const double DefaultEpsilon = 1e-3;

        public override string Kind => "layer_norm";
    }

    /// <summary><c>[Activation]</c>; a null <paramref name="Alpha"/> means the function's default slope.</summary>
    internal sealed record ActivationSpec(string Function, double? Alpha = null) : LayerSpec
    {
        public override string Kind => "activation";
    }

    /// <summary>
    /// <c>[Conv2D]</c>. Padding is a <c>FuncReg.Padding</c> member name. Penalty pairs with both coefficients zero mean no
    /// regularizer; a null constraint means none; a null <c>Alpha</c> means the activation's default slope.
    /// </summary>
    internal sealed record Conv2DSpec(
        int Filters,
        int KernelHeight,
        int KernelWidth,
        int StrideHeight,
        int StrideWidth,
        string Padding,
        string Activation,
        double L1,
        double L2,
        double BiasL1,
        double BiasL2,
        double ActivityL1,
        double ActivityL2,
        ConstraintSpec? KernelConstraint,
        string KernelInitializer,
        bool UseBias,
        double? Alpha = null,
        string BiasInitializer = "Zeros") : LayerSpec
    {
        public override string Kind => "conv2d";

        public bool HasActivity => ActivityL1 != 0 || ActivityL2 != 0;
    }

    /// <summary>
    /// <c>[MaxPooling2D]</c> (<paramref name="Max"/>) or <c>[AveragePooling2D]</c>. Strides 0 mean not given: the record's
    /// <c>Strides</c> stays null and the pool size is used.
    /// </summary>
    internal sealed record Pooling2DSpec(bool Max, int PoolHeight, int PoolWidth, int StrideHeight, int StrideWidth, string Padding) : LayerSpec
    {
        public override string Kind => Max ? "max_pooling2d" : "average_pooling2d";

        public bool StridesGiven => StrideHeight != 0;

        public int EffectiveStrideHeight => StridesGiven ? StrideHeight : PoolHeight;

        public int EffectiveStrideWidth => StridesGiven ? StrideWidth : PoolWidth;
    }

    internal sealed record GlobalAveragePooling2DSpec : LayerSpec
    {
        public override string Kind => "global_average_pooling2d";
    }

    internal sealed record FlattenSpec : LayerSpec
    {
        public override string Kind => "flatten";
    }

    internal sealed record SpatialDropout2DSpec(double Rate) : LayerSpec
    {
        public override string Kind => "spatial_dropout2d";
    }
}
