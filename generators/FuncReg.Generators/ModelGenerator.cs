using FuncReg.Generators.Emitting;
using FuncReg.Generators.Model;
using FuncReg.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FuncReg.Generators
{
    /// <summary>
    /// The FuncReg model generator: <c>[Model]</c> classes → <see cref="Parser"/> → <see cref="ModelSpec"/>
    /// (symbol-free, value-equatable) → <see cref="Emitter"/>. Diagnostics have their own output, so an edit
    /// that only moves them does not re-emit code, and an unrelated edit re-runs nothing.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class ModelGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    Parser.ModelAttributeName,
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (ctx, ct) => Parser.Parse(ctx, ct))
                .WithTrackingName(TrackingNames.Parse);

            IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = parsed
                .Select(static (result, _) => result.Diagnostics)
                .WithTrackingName(TrackingNames.Diagnostics);

            IncrementalValuesProvider<ModelSpec> models = parsed
                .Where(static result => result.Model is not null)
                .Select(static (result, _) => result.Model!)
                .WithTrackingName(TrackingNames.Model);

            context.RegisterSourceOutput(diagnostics, static (spc, items) =>
            {
                foreach (DiagnosticInfo d in items)
                {
                    spc.ReportDiagnostic(d.ToDiagnostic());
                }
            });
            context.RegisterSourceOutput(models, static (spc, model) => spc.AddSource(model.HintName, Emitter.Emit(model)));
        }
    }

    /// <summary>Names of the pipeline steps, for the incremental-caching tests.</summary>
    public static class TrackingNames
    {
        public const string Parse = "FuncReg.Parse";
        public const string Diagnostics = "FuncReg.Diagnostics";
        public const string Model = "FuncReg.Model";
    }
}
