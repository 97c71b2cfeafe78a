using FuncReg.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FuncReg.Generators.Tests;

/// <summary>The generator's tracked steps stay cached across edits that do not touch a model.</summary>
public sealed class IncrementalTests
{
    private const string Model = """
        using FuncReg;
        namespace Examples;
        [Model(Inputs = 4)]
        [Dense(8, Activation.Relu, L2 = 1e-4)]
        [Dropout(0.25)]
        [Dense(3, Activation.Softmax)]
        public partial class Small;
        """;

    private static readonly string[] Steps = [TrackingNames.Parse, TrackingNames.Model, TrackingNames.Diagnostics];

    [Fact]
    public void Adding_an_unrelated_file_leaves_every_step_cached()
    {
        CSharpCompilation first = GeneratorHarness.Compile(Model);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(first);
        Assert.Single(driver.GetRunResult().GeneratedTrees);

        CSharpCompilation second = first.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Examples; public static class Unrelated { public static int Answer => 42; }", GeneratorHarness.ParseOptions, path: "Unrelated.cs"));
        GeneratorRunResult result = driver.RunGenerators(second).GetRunResult().Results.Single();

        foreach (string step in Steps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(step), $"step {step} is not tracked");
            foreach (IncrementalGeneratorRunStep run in result.TrackedSteps[step])
            {
                Assert.All(run.Outputs, o => Assert.True(
                    o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"{step}: {o.Reason}"));
            }
        }
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs), o =>
            Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    [Fact]
    public void Editing_the_model_file_without_changing_the_model_keeps_the_spec_unchanged()
    {
        CSharpCompilation first = GeneratorHarness.Compile(Model);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(first);
        SyntaxTree old = first.SyntaxTrees.Single();
        CSharpCompilation second = first.ReplaceSyntaxTree(old, old.WithChangedText(
            old.GetText().Replace(0, 0, "// a comment that moves every line\n")));
        GeneratorRunResult result = driver.RunGenerators(second).GetRunResult().Results.Single();

        // The file was re-parsed, but the spec it gave is equal, so nothing downstream re-ran or re-emitted.
        Assert.All(result.TrackedSteps[TrackingNames.Model].SelectMany(r => r.Outputs), o =>
            Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs), o =>
            Assert.NotEqual(IncrementalStepRunReason.Modified, o.Reason));
    }

    [Fact]
    public void Changing_a_hyperparameter_modifies_the_spec()
    {
        CSharpCompilation first = GeneratorHarness.Compile(Model);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(first);
        SyntaxTree old = first.SyntaxTrees.Single();
        CSharpCompilation second = first.ReplaceSyntaxTree(old, old.WithChangedText(
            Microsoft.CodeAnalysis.Text.SourceText.From(Model.Replace("Dropout(0.25)", "Dropout(0.5)", StringComparison.Ordinal))));
        GeneratorRunResult result = driver.RunGenerators(second).GetRunResult().Results.Single();

        Assert.Contains(result.TrackedSteps[TrackingNames.Model].SelectMany(r => r.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("new global::FuncReg.Dropout(0.5)", result.GeneratedSources.Single().SourceText.ToString(), StringComparison.Ordinal);
    }
}
