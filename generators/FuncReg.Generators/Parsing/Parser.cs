using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using FuncReg.Generators.Diagnostics;
using FuncReg.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FuncReg.Generators.Parsing
{
    /// <summary>
    /// Turns one <c>[Model]</c> class (symbol + syntax) into a symbol-free <see cref="ModelSpec"/> and the
    /// diagnostics found on the way. Layer attributes are read in source order. When any error is found the
    /// spec is null and nothing is emitted, so the user sees the diagnostics and no follow-on compile errors.
    /// </summary>
    internal sealed partial class Parser
    {
        public const string ModelAttributeName = "FuncReg.ModelAttribute";

        private readonly List<DiagnosticInfo> diagnostics = new();
        private readonly List<LayerSpec> layers = new();
        private readonly List<LayerSite> sites = new();

        private Parser()
        {
        }

        /// <summary>The transform of the generator's ForAttributeWithMetadataName step.</summary>
        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var parser = new Parser();
            ModelSpec? spec = parser.ParseModel((INamedTypeSymbol)context.TargetSymbol, (ClassDeclarationSyntax)context.TargetNode, context.Attributes[0], cancellationToken);
            return new ParseResult(spec, parser.diagnostics.ToEquatableArray());
        }

        private ModelSpec? ParseModel(INamedTypeSymbol type, ClassDeclarationSyntax declaration, AttributeData modelAttribute, CancellationToken cancellationToken)
        {
            string name = type.Name;
            LocationInfo? identifier = LocationInfo.From(declaration.Identifier);
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                Report(DiagnosticDescriptors.NotPartial, identifier, name);
            }
            if (type.ContainingType is not null)
            {
                Report(DiagnosticDescriptors.NestedOrGeneric, identifier, name, "nested in '" + type.ContainingType.Name + "'");
            }
            else if (type.IsGenericType)
            {
                Report(DiagnosticDescriptors.NestedOrGeneric, identifier, name, "generic");
            }
            ReportBaseClass(type, cancellationToken);

            var model = new AttributeArguments(modelAttribute);
            ReportDuplicates(model, "[Model]");
            (int inputs, int[]? inputShape) = ParseInputs(name, model);
            string? loss = null;
            LocationInfo? lossAt = null;
            if (model.TryGetNamed("Loss", out TypedConstant lossValue, out lossAt))
            {
                loss = AttributeArguments.EnumName(lossValue);
                if (loss is null)
                {
                    Report(DiagnosticDescriptors.OutOfRange, lossAt, "[Model]", "Loss", "a member of FuncReg.Loss", AttributeArguments.AsInt(lossValue).ToString(CultureInfo.InvariantCulture));
                }
            }
            bool fromLogits = false;
            LocationInfo? fromLogitsAt = null;
            if (model.TryGetNamed("FromLogits", out TypedConstant fromLogitsValue, out fromLogitsAt))
            {
                fromLogits = AttributeArguments.AsBool(fromLogitsValue);
            }
            double labelSmoothing = 0;
            LocationInfo? labelSmoothingAt = null;
            if (model.TryGetNamed("LabelSmoothing", out TypedConstant smoothingValue, out labelSmoothingAt))
            {
                labelSmoothing = AttributeArguments.AsDouble(smoothingValue);
                if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
                {
                    Report(DiagnosticDescriptors.OutOfRange, labelSmoothingAt, "[Model]", "LabelSmoothing", "in [0, 1]", AttributeArguments.Format(labelSmoothing));
                }
            }

            foreach (AttributeData attribute in type.GetAttributes())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (attribute.AttributeClass is { } cls && cls.ContainingNamespace?.ToDisplayString() == "FuncReg")
                {
                    ParseLayer(cls.Name, new AttributeArguments(attribute));
                }
            }

            if (layers.Count == 0)
            {
                Report(DiagnosticDescriptors.NoLayers, identifier, name);
            }
            else
            {
                CheckStructure(name, inputShape, loss, lossAt, model.Location, fromLogits, fromLogitsAt, labelSmoothing, labelSmoothingAt);
            }

            if (diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error))
            {
                return null;
            }
            string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
            return new ModelSpec(ns, name, inputs, (inputShape?.Length == 3 ? inputShape : new int[0]).ToEquatableArray(), loss, fromLogits, labelSmoothing, layers.ToEquatableArray());
        }

        /// <summary>
        /// <c>Inputs = n</c> (feature vectors) or <c>InputShape = new[] { h, w, c }</c> (images), exactly one of them: the values per
        /// sample and the input shape, null when it is not valid (errors reported).
        /// </summary>
        private (int Inputs, int[]? Shape) ParseInputs(string name, AttributeArguments model)
        {
            bool hasInputs = model.TryGetNamed("Inputs", out TypedConstant inputsValue, out LocationInfo? inputsAt);
            bool hasShape = model.TryGetNamed("InputShape", out TypedConstant shapeValue, out LocationInfo? shapeAt);
            if (hasInputs && hasShape)
            {
                Report(DiagnosticDescriptors.InputsAndInputShape, shapeAt, name);
                return (0, null);
            }
            if (hasShape)
            {
                int[] shape = shapeValue.Kind == TypedConstantKind.Array && !shapeValue.IsNull
                    ? shapeValue.Values.Select(AttributeArguments.AsInt).ToArray()
                    : new int[0];
                if (shape.Length != 3 || shape.Any(d => d <= 0))
                {
                    string got = shapeValue.IsNull ? "null" : "{ " + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + " }";
                    Report(DiagnosticDescriptors.BadInputShape, shapeAt, name, got);
                    return (0, null);
                }
                if (TensorSizes.InputShape(shape) is { } tooLarge)
                {
                    Report(DiagnosticDescriptors.TensorTooLarge, shapeAt, "[Model] on '" + name + "'", tooLarge.What, tooLarge.Fix);
                    return (0, null);
                }
                return (shape[0] * shape[1] * shape[2], shape);
            }
            if (!hasInputs)
            {
                Report(DiagnosticDescriptors.BadInputs, model.Location, name, "but neither is given");
                return (0, null);
            }
            int inputs = AttributeArguments.AsInt(inputsValue);
            if (inputs <= 0)
            {
                Report(DiagnosticDescriptors.BadInputs, inputsAt, name, "got " + inputs.ToString(CultureInfo.InvariantCulture));
                return (inputs, null);
            }
            if (TensorSizes.InputShape(new[] { inputs }) is { } tooMany)
            {
                Report(DiagnosticDescriptors.TensorTooLarge, inputsAt, "[Model] on '" + name + "'", tooMany.What, tooMany.Fix);
                return (inputs, null);
            }
            return (inputs, new[] { inputs });
        }

        private void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

        private void ReportDuplicates(AttributeArguments attribute, string owner)
        {
            foreach ((string argument, LocationInfo? location) in attribute.Duplicates())
            {
                Report(DiagnosticDescriptors.DuplicateOrConflicting, location, owner, argument + " is given twice: keep one");
            }
        }

        /// <summary>FR0013 at the base type in the declaration that names it (the generated part derives from FusedModel: CS0263 otherwise).</summary>
        private void ReportBaseClass(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            if (type.BaseType is not { SpecialType: not SpecialType.System_Object } baseType || baseType.ToDisplayString() == "FuncReg.FusedModel")
            {
                return;
            }
            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is ClassDeclarationSyntax { BaseList: { } bases } && bases.Types.Count > 0)
                {
                    foreach (BaseTypeSyntax candidate in bases.Types)
                    {
                        if (candidate.Type.ToString().Split('.').Last().Split('<')[0] == baseType.Name)
                        {
                            Report(DiagnosticDescriptors.HasBaseClass, LocationInfo.From(candidate.Type.GetLocation()), type.Name, baseType.ToDisplayString());
                            return;
                        }
                    }
                }
            }
            Report(DiagnosticDescriptors.HasBaseClass, LocationInfo.From(type.Locations.FirstOrDefault()), type.Name, baseType.ToDisplayString());
        }

        /// <summary>Where a layer's attribute and its activation argument were written.</summary>
        private sealed record LayerSite(LocationInfo? Attribute, LocationInfo? Activation);
    }
}
