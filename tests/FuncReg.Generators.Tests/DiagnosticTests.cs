using FuncReg.Generators.Diagnostics;
using Microsoft.CodeAnalysis;

namespace FuncReg.Generators.Tests;

/// <summary>One test per diagnostic: its ID, severity and the exact span it points at (marked <c>[|…|]</c> in the source).</summary>
public sealed partial class DiagnosticTests
{
    [Fact]
    public void FR0001_class_not_partial() => AssertReports("FR0001", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(1, Activation.Sigmoid)]
        public class [|NotPartial|] { }
        """);

    [Fact]
    public void FR0002_no_layers() => AssertReports("FR0002", """
        using FuncReg;
        [Model(Inputs = 2)]
        public partial class [|Empty|];
        """);

    [Fact]
    public void FR0003_inputs_missing() => AssertReports("FR0003", """
        using FuncReg;
        [[|Model|]]
        [Dense(1, Activation.Sigmoid)]
        public partial class NoInputs;
        """);

    [Fact]
    public void FR0003_inputs_not_positive() => AssertReports("FR0003", """
        using FuncReg;
        [Model([|Inputs = 0|])]
        [Dense(1, Activation.Sigmoid)]
        public partial class ZeroInputs;
        """);

    [Fact]
    public void FR0004_units_not_positive() => AssertReports("FR0004", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense([|0|], Activation.Relu)]
        [Dense(1, Activation.Sigmoid)]
        public partial class ZeroUnits;
        """);

    [Fact]
    public void FR0005_dropout_rate_one() => AssertReports("FR0005", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(4, Activation.Relu)]
        [Dropout([|1.0|])]
        [Dense(1, Activation.Sigmoid)]
        public partial class RateOne;
        """);

    [Fact]
    public void FR0005_gaussian_dropout_rate_negative() => AssertReports("FR0005", """
        using FuncReg;
        [Model(Inputs = 2)]
        [GaussianDropout([|rate: -0.1|])]
        [Dense(1, Activation.Sigmoid)]
        public partial class RateNegative;
        """);

    [Fact]
    public void FR0006_negative_penalty() => AssertReports("FR0006", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(4, Activation.Relu, [|L2 = -1e-4|])]
        [Dense(1, Activation.Sigmoid)]
        public partial class NegativeL2;
        """);

    [Fact]
    public void FR0007_softmax_not_last() => AssertReports("FR0007", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(4, [|Activation.Softmax|])]
        [Dense(3, Activation.Softmax)]
        public partial class EarlySoftmax;
        """);

    [Fact]
    public void FR0008_sigmoid_with_categorical_cross_entropy() => AssertReports("FR0008", """
        using FuncReg;
        [Model(Inputs = 2, [|Loss = Loss.CategoricalCrossEntropy|])]
        [Dense(3, Activation.Sigmoid)]
        public partial class SigmoidCategorical;
        """);

    [Fact]
    public void FR0008_one_unit_with_categorical_cross_entropy() => AssertReports("FR0008", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(1, [|Activation.Softmax|])]
        public partial class OneUnitSoftmax;
        """);

    [Fact]
    public void FR0008_from_logits_with_an_activation() => AssertReports("FR0008", """
        using FuncReg;
        [Model(Inputs = 2, Loss = Loss.BinaryCrossEntropy, [|FromLogits = true|])]
        [Dense(1, Activation.Sigmoid)]
        public partial class LogitsSigmoid;
        """);

    [Fact]
    public void FR0009_batch_norm_right_after_dropout_is_a_warning_and_still_emits()
    {
        (GeneratorRunResult result, _) = AssertReports("FR0009", """
            using FuncReg;
            [Model(Inputs = 2)]
            [Dense(4, Activation.Relu)]
            [Dropout(0.5)]
            [[|BatchNormalization|]]
            [Dense(1, Activation.Sigmoid)]
            public partial class DropoutThenNorm;
            """, DiagnosticSeverity.Warning);
        Assert.Single(result.GeneratedSources);
    }

    [Fact]
    public void FR0010_duplicate_argument() => AssertReports("FR0010", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(4, Activation.Relu, L2 = 1e-4, [|L2 = 1e-3|])]
        [Dense(1, Activation.Sigmoid)]
        public partial class TwiceL2;
        """);

    [Fact]
    public void FR0010_bias_penalty_without_bias() => AssertReports("FR0010", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(4, Activation.Relu, UseBias = false, [|BiasL2 = 1e-3|])]
        [Dense(1, Activation.Sigmoid)]
        public partial class NoBiasPenalty;
        """);

    [Fact]
    public void FR0010_label_smoothing_with_mean_squared_error() => AssertReports("FR0010", """
        using FuncReg;
        [Model(Inputs = 2, [|LabelSmoothing = 0.1|])]
        [Dense(1)]
        public partial class SmoothRegression;
        """);

    [Fact]
    public void FR0011_batch_norm_momentum_out_of_range() => AssertReports("FR0011", """
        using FuncReg;
        [Model(Inputs = 2)]
        [Dense(4)]
        [BatchNormalization([|Momentum = 1.5|])]
        [Dense(1, Activation.Sigmoid)]
        public partial class FastMomentum;
        """);

    [Fact]
    public void FR0012_nested_class() => AssertReports("FR0012", """
        using FuncReg;
        public partial class Outer
        {
            [Model(Inputs = 2)]
            [Dense(1, Activation.Sigmoid)]
            public partial class [|Inner|];
        }
        """);

    [Fact]
    public void FR0013_model_with_a_base_class() => AssertReports("FR0013", """
        using FuncReg;
        public class Base { }
        [Model(Inputs = 2)]
        [Dense(1, Activation.Sigmoid)]
        public partial class Derived : [|Base|], System.IDisposable
        {
            public void Dispose() { }
        }
        """);

    [Fact]
    public void FR0013_base_class_named_in_another_part()
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run("""
            using FuncReg;
            [Model(Inputs = 2)]
            [Dense(1, Activation.Sigmoid)]
            public partial class Split;
            """, """
            public partial class Split : System.Collections.Generic.List<int>;
            """);
        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("FR0013", d.Id);
        Assert.Equal("Model1.cs", d.Location.SourceTree?.FilePath ?? d.Location.GetLineSpan().Path);
        Assert.Contains("System.Collections.Generic.List<int>", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void Every_rule_is_release_tracked_and_has_a_test()
    {
        string unshipped = File.ReadAllText(FindUp("generators/FuncReg.Generators/AnalyzerReleases.Unshipped.md"));
        IEnumerable<string> tests = typeof(DiagnosticTests).GetMethods().Select(m => m.Name);
        foreach (DiagnosticDescriptor d in DiagnosticDescriptors.All)
        {
            Assert.Contains($"{d.Id} | FuncReg | {d.DefaultSeverity} |", unshipped, StringComparison.Ordinal);
            Assert.Contains(tests, t => t.StartsWith(d.Id + "_", StringComparison.Ordinal));
            Assert.DoesNotContain('\n', d.MessageFormat.ToString());
        }
        Assert.Equal(DiagnosticDescriptors.All.Count, DiagnosticDescriptors.All.Select(d => d.Id).Distinct().Count());
    }

    /// <summary>The generator reports exactly one diagnostic with <paramref name="id"/>, at the marked span; no code is emitted for errors.</summary>
    private static (GeneratorRunResult, Compilation) AssertReports(string id, string marked, DiagnosticSeverity severity = DiagnosticSeverity.Error)
    {
        (string source, int start, int length) = GeneratorHarness.Marked(marked);
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal(id, d.Id);
        Assert.Equal(severity, d.Severity);
        Assert.Equal("Model0.cs", d.Location.SourceTree?.FilePath ?? d.Location.GetLineSpan().Path);
        Assert.Equal(start, d.Location.SourceSpan.Start);
        Assert.Equal(length, d.Location.SourceSpan.Length);
        string prefix = source[..start];
        int line = prefix.Count(c => c == '\n');
        int column = start - (prefix.LastIndexOf('\n') + 1);
        FileLinePositionSpan span = d.Location.GetLineSpan();
        Assert.Equal((line, column), (span.StartLinePosition.Line, span.StartLinePosition.Character));
        if (severity == DiagnosticSeverity.Error)
        {
            Assert.Empty(result.GeneratedSources);
        }
        return (result, output);
    }

    private static string FindUp(string relative)
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException(relative);
    }
}
