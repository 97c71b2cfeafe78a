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
}
