using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace FuncReg.Generators.Tests;

/// <summary>
/// The emitted source of each model equals its baseline in Baselines/ exactly, and compiles with the model's
/// source without errors. Set FUNCREG_UPDATE_BASELINES=1 to rewrite the baselines from the current output.
/// </summary>
public sealed class BaselineTests
{
    public static TheoryData<string, string> Models => new()
    {
        { "FashionMlp", """
            using FuncReg;

            namespace Examples;

            [Model(Inputs = 784, Loss = Loss.CategoricalCrossEntropy)]   // integer labels; softmax fused into the loss
            [Dense(256, Activation.Relu, L2 = 1e-4)]
            [Dropout(0.3)]
            [Dense(128, Activation.Relu, L2 = 1e-4, MaxNorm = 3)]
            [Dropout(0.3)]
            [Dense(10, Activation.Softmax)]
            public partial class FashionMlp;
            """ },
        { "Football", """
            using FuncReg;

            [Model(Inputs = 2)]
            [Dense(20, Activation.Relu, L2 = 1e-3, MaxNorm = 3)]
            [Dropout(0.2)]
            [Dense(3, Activation.Relu, L2 = 1e-3)]
            [Dense(1, Activation.Sigmoid)]
            internal sealed partial class Football
            {
            }
            """ },
        { "BatchNormLogits", """
            using FuncReg;

            namespace Examples.Normalized
            {
                [Model(Inputs = 16, Loss = Loss.CategoricalCrossEntropy, FromLogits = true, LabelSmoothing = 0.1)]
                [GaussianNoise(0.05)]
                [Dense(32, UseBias = false, KernelInitializer = Initializer.HeNormal)]
                [BatchNormalization(Momentum = 0.9, Epsilon = 1e-5)]
                [Activation(Activation.Relu)]
                [Dense(4)]
                public partial class BatchNormLogits { }
            }
            """ },
        { "Regression", """
            using FuncReg;

            namespace Examples;

            [Model(Inputs = 3)]
            [LayerNormalization(Epsilon = 1e-5)]
            [Dense(8, Activation.Tanh, L1 = 1e-5, L2 = 1e-4, BiasL2 = 1e-3, ActivityL1 = 1e-6, KernelInitializer = Initializer.LecunNormal)]
            [GaussianDropout(0.2)]
            [Dense(8, Activation.LeakyRelu, ActivityL1 = 2e-6, ActivityL2 = 3e-6)]
            [BatchNormalization]
            [Dense(1)]
            public partial class Regression;
            """ },
        { "FashionCnn", """
            using FuncReg;

            namespace Examples;

            [Model(InputShape = new[] { 28, 28, 1 }, Loss = Loss.CategoricalCrossEntropy)]
            [Conv2D(32, 3, Padding = Padding.Same)]
            [BatchNormalization]
            [Activation(Activation.Relu)]
            [MaxPooling2D(2)]
            [Conv2D(64, 3, Padding = Padding.Same)]
            [BatchNormalization]
            [Activation(Activation.Relu)]
            [MaxPooling2D(2)]
            [Flatten]
            [Dropout(0.5)]
            [Dense(128, Activation.Relu)]
            [Dense(10, Activation.Softmax)]
            public partial class FashionCnn;
            """ },
        { "CnnZoo", """
            using FuncReg;

            namespace Examples;

            [Model(InputShape = new[] { 12, 10, 3 })]
            [Conv2D(8, 3, 2, Activation.Elu, Strides = 2, Padding = Padding.Same, L2 = 1e-4, MaxNorm = 2, ActivityL1 = 1e-5)]
            [SpatialDropout2D(0.2)]
            [AveragePooling2D(2, StrideHeight = 1, StrideWidth = 2, Padding = Padding.Same)]
            [Conv2D(6, 1, UseBias = false, KernelInitializer = Initializer.HeNormal)]
            [BatchNormalization]
            [MaxPooling2D(3, 2)]
            [Conv2D(4, 2, 1, Activation.LeakyRelu, BiasL1 = 1e-3)]
            [GlobalAveragePooling2D]
            [Dense(3, Activation.Softmax)]
            public partial class CnnZoo;
            """ },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Emitted_source_matches_its_baseline(string name, string source)
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        GeneratedSourceResult generated = Assert.Single(result.GeneratedSources);
        string actual = generated.SourceText.ToString();
        string path = Path.Combine(BaselineDirectory(), name + ".g.cs");
        if (Environment.GetEnvironmentVariable("FUNCREG_UPDATE_BASELINES") == "1")
        {
            File.WriteAllText(path, actual);
        }
        Assert.True(File.Exists(path), $"no baseline {path}: run the tests once with FUNCREG_UPDATE_BASELINES=1 and review it");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Emitted_source_compiles_with_the_model(string name, string source)
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(2, output.SyntaxTrees.Count());
        var errors = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(errors.Count == 0, name + ": " + string.Join("\n", errors));
    }

    [Fact]
    public void Hint_name_is_namespace_and_class()
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run((string)Models.First()[1]);
        Assert.Equal("Examples.FashionMlp.g.cs", result.GeneratedSources.Single().HintName);
    }

    private static string BaselineDirectory([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "Baselines");
}
