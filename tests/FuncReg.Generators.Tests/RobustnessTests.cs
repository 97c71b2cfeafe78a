using Microsoft.CodeAnalysis;

namespace FuncReg.Generators.Tests;

/// <summary>Code that does not compile yet (the usual state while typing) never makes the generator throw.</summary>
public sealed class RobustnessTests
{
    [Theory]
    [InlineData("[Model(Inputs = 2)] [Dense(\"four\", Activation.Relu)] [Dense(1, Activation.Sigmoid)] public partial class C;")]
    [InlineData("[Model(Inputs = 2)] [Dense(4, Activation.Nope)] [Dense(1, Activation.Sigmoid)] public partial class C;")]
    [InlineData("[Model(Inputs = )] [Dense(1, Activation.Sigmoid)] public partial class C;")]
    [InlineData("[Model(Inputs = 2)] [Dense(4, (Activation)42)] [Dense(1, Activation.Sigmoid)] public partial class C;")]
    [InlineData("[Model(Inputs = 2)] [Dense(1, Activation.Sigmoid)] public partial class C<T>;")]
    [InlineData("[Model(InputShape = null)] [Flatten] [Dense(1, Activation.Sigmoid)] public partial class C;")]
    [InlineData("[Model(InputShape = new[] { 8, 8, 1 })] [Conv2D(4, 0, Strides = 0, Padding = Padding.Same)] [MaxPooling2D(0, 3, StrideWidth = -1)] [Flatten] [Dense(1, Activation.Sigmoid)] public partial class C;")]
    [InlineData("[Model(InputShape = new[] { 8, 8, 1 })] [Conv2D(4, 3, Padding = (Padding)7)] [GlobalAveragePooling2D] [Dense(1, Activation.Sigmoid)] public partial class C;")]
    [InlineData("[Model(InputShape = new[] { 2, 2, 1 })] [Conv2D(4, 5)] [MaxPooling2D(3)] [Dense(1, Activation.Sigmoid)] public partial class C;")]
    public void Broken_declarations_give_diagnostics_not_exceptions(string declaration)
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run("using FuncReg;\n" + declaration);
        Assert.Null(result.Exception);
    }

    [Fact]
    public void An_undefined_enum_value_is_FR0011()
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run("using FuncReg;\n[Model(Inputs = 2)] [Dense(4, (Activation)42)] [Dense(1, Activation.Sigmoid)] public partial class C;");
        Assert.Equal("FR0011", Assert.Single(result.Diagnostics).Id);
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void An_image_model_of_only_Flatten_compiles()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run("using FuncReg;\n[Model(InputShape = new[] { 2, 3, 2 }, Loss = Loss.MeanSquaredError)] [Flatten] public partial class C;");
        Assert.Empty(result.Diagnostics);
        Assert.Single(result.GeneratedSources);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}
