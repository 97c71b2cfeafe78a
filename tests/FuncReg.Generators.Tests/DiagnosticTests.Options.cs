namespace FuncReg.Generators.Tests;

/// <summary>Diagnostics of the constraint, slope and initializer arguments of [Dense] / [Conv2D] / [Activation].</summary>
public sealed partial class DiagnosticTests
{
    [Fact]
    public void FR0010_two_kernel_constraints() => AssertReports("FR0010", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(4, Activation.Relu, MaxNorm = 2, [|NonNeg = true|])]
        [Dense(1, Activation.Sigmoid)]
        public partial class TwoConstraints;
        """);

    [Fact]
    public void FR0010_unit_norm_and_non_neg_on_a_conv() => AssertReports("FR0010", """
        using FuncReg;
        [Model(InputShape = new[] { 6, 6, 1 })]
        [Conv2D(4, 3, Activation.Relu, UnitNorm = true, [|NonNeg = true|])]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class TwoConvConstraints;
        """);

    [Fact]
    public void FR0010_min_norm_without_max_norm() => AssertReports("FR0010", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(4, Activation.Relu, [|MinNorm = 0.5|])]
        [Dense(1, Activation.Sigmoid)]
        public partial class MinWithoutMax;
        """);

    [Fact]
    public void FR0011_min_norm_above_max_norm() => AssertReports("FR0011", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(4, Activation.Relu, [|MinNorm = 3|], MaxNorm = 2)]
        [Dense(1, Activation.Sigmoid)]
        public partial class MinAboveMax;
        """);

    [Fact]
    public void FR0011_norm_rate_above_one() => AssertReports("FR0011", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(4, Activation.Relu, MaxNorm = 2, [|NormRate = 1.5|])]
        [Dense(1, Activation.Sigmoid)]
        public partial class RateAboveOne;
        """);

    [Fact]
    public void FR0011_negative_alpha() => AssertReports("FR0011", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(4, Activation.LeakyRelu, [|Alpha = -0.1|])]
        [Dense(1, Activation.Sigmoid)]
        public partial class NegativeSlope;
        """);

    [Fact]
    public void FR0010_alpha_on_relu() => AssertReports("FR0010", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(4)]
        [Activation(Activation.Relu, [|Alpha = 0.1|])]
        [Dense(1, Activation.Sigmoid)]
        public partial class SlopeOnRelu;
        """);

    [Fact]
    public void FR0010_bias_initializer_without_bias() => AssertReports("FR0010", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(4, Activation.Relu, UseBias = false, [|BiasInitializer = Initializer.Ones|])]
        [Dense(1, Activation.Sigmoid)]
        public partial class InitWithoutBias;
        """);
}
