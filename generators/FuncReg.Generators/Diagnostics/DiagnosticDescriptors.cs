using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace FuncReg.Generators.Diagnostics
{
    /// <summary>
    /// Every diagnostic the FuncReg generator reports, in one place. Each message says what is wrong and how
    /// to fix it; message arguments are always strings. New rules go into AnalyzerReleases.Unshipped.md.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "FuncReg";

        public static readonly DiagnosticDescriptor NotPartial = new(
            "FR0001",
            "Model class must be partial",
            "'{0}' has [Model] but is not partial: declare it 'partial class {0}' so the generator can add the model's members",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor NoLayers = new(
            "FR0002",
            "Model has no layers",
            "'{0}' has [Model] but no layer attributes: add at least one below [Model], for example [Dense(10, Activation.Softmax)]",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor BadInputs = new(
            "FR0003",
            "Model inputs missing or not positive",
            "[Model] on '{0}' needs Inputs ≥ 1 (features per sample) or an InputShape (images), {1}: write for example [Model(Inputs = 784)] or [Model(InputShape = new[] {{ 28, 28, 1 }})]",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor BadUnits = new(
            "FR0004",
            "Dense units not positive",
            "{0}: units must be ≥ 1, got {1}: give the number of output units, for example [Dense(64, Activation.Relu)]",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor BadRate = new(
            "FR0005",
            "Dropout rate outside [0, 1)",
            "{0}: rate must be in [0, 1), got {1}: it is the probability of dropping a unit, typically 0.1 to 0.5",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor NegativePenalty = new(
            "FR0006",
            "Negative penalty",
            "{0}: {1} must be a finite number ≥ 0, got {2}: a penalty coefficient is a non-negative factor such as 1e-4; leave it out for none",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor SoftmaxNotLast = new(
            "FR0007",
            "Softmax before the last layer",
            "{0}: softmax is only allowed on the last layer: use relu (or another element-wise activation) for hidden layers",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor OutputDoesNotFitLoss = new(
            "FR0008",
            "Output layer does not fit the loss",
            "The output of '{0}' does not fit its loss: {1}",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor BatchNormAfterDropout = new(
            "FR0009",
            "BatchNormalization right after dropout",
            "{0} directly follows {1}: dropout changes the variance between training and inference, so the running statistics will not match at inference; put BatchNormalization before the dropout, or the dropout after the last BatchNormalization",
            Category,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor DuplicateOrConflicting = new(
            "FR0010",
            "Duplicate or conflicting arguments",
            "{0}: {1}",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor OutOfRange = new(
            "FR0011",
            "Hyperparameter out of range",
            "{0}: {1} must be {2}, got {3}",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor NestedOrGeneric = new(
            "FR0012",
            "Model class must be top-level and non-generic",
            "'{0}' is {1}: declare the model as a non-generic class directly in a namespace",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor HasBaseClass = new(
            "FR0013",
            "Model class must not declare a base class",
            "'{0}' derives from '{1}', but the generated part of a [Model] class derives from FuncReg.FusedModel: remove the base class (interfaces are fine), or wrap the model in a field of your class",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor BadInputShape = new(
            "FR0014",
            "Model InputShape is not three positive sizes",
            "[Model] on '{0}': InputShape must be three integers ≥ 1, {{ height, width, channels }} (channels last), got {1}: write for example InputShape = new[] {{ 28, 28, 1 }}, or Inputs = n for feature vectors",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor InputsAndInputShape = new(
            "FR0015",
            "Model gives both Inputs and InputShape",
            "[Model] on '{0}' gives both Inputs and InputShape: keep InputShape for images [height, width, channels] or Inputs for feature vectors",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor ImageLayerOnFlatInput = new(
            "FR0016",
            "Image layer on a feature vector",
            "{0}: needs a 3-D [height, width, channels] input, but gets [{1}]: give [Model] an InputShape = new[] {{ height, width, channels }}, or move the layer before [Flatten]",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor NeedsFlatInput = new(
            "FR0017",
            "Layer needs a flat input",
            "{0}: {1} needs a 1-D input, but gets [{2}]: put [Flatten] (or [GlobalAveragePooling2D]) before it",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor KernelTooLarge = new(
            "FR0018",
            "Conv2D kernel larger than its input",
            "{0}: the {1} kernel is larger than its {2} input with valid padding: use Padding = Padding.Same or a smaller kernel",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor PoolTooLarge = new(
            "FR0019",
            "Pooling window does not fit its input",
            "{0}: the {1} pool does not fit its {2} input with valid padding: use Padding = Padding.Same or a smaller pool",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor NonPositiveSize = new(
            "FR0020",
            "Filters, kernel, pool or stride not positive",
            "{0}: {1} must be ≥ 1, got {2}: {3}",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor FlattenOnFlatInput = new(
            "FR0021",
            "Flatten on a feature vector does nothing",
            "{0}: its input [{1}] is already flat, so Flatten does nothing: remove it, or give [Model] an InputShape if the samples are images",
            Category,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor TensorTooLarge = new(
            "FR0022",
            "Tensor too large",
            "{0}: {1} exceeds the 2147483591 elements one tensor can hold: {2}",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly IReadOnlyList<DiagnosticDescriptor> All = new[]
        {
            NotPartial, NoLayers, BadInputs, BadUnits, BadRate, NegativePenalty, SoftmaxNotLast,
            OutputDoesNotFitLoss, BatchNormAfterDropout, DuplicateOrConflicting, OutOfRange, NestedOrGeneric,
            HasBaseClass, BadInputShape, InputsAndInputShape, ImageLayerOnFlatInput, NeedsFlatInput, KernelTooLarge,
            PoolTooLarge, NonPositiveSize, FlattenOnFlatInput, TensorTooLarge,
        };

        private static readonly Dictionary<string, DiagnosticDescriptor> Index = All.ToDictionary(d => d.Id);

        public static DiagnosticDescriptor ById(string id) => Index[id];
    }
}
