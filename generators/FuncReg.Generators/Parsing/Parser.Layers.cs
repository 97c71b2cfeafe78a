using System.Collections.Generic;
using FuncReg.Generators.Diagnostics;
using FuncReg.Generators.Model;
using Microsoft.CodeAnalysis;

namespace FuncReg.Generators.Parsing
{
    /// <summary>One layer attribute → one <see cref="LayerSpec"/>, with the per-argument checks.</summary>
    internal sealed partial class Parser
    {
        private void ParseLayer(string attributeName, AttributeArguments attribute)
        {
            if (!attribute.IsBound)
            {
                return;
            }
            string layerName(string kind) => kind + "_" + layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            switch (attributeName)
            {
                case "DenseAttribute":
                    ParseDense(layerName("dense"), attribute);
                    break;
                case "DropoutAttribute":
                    Add(new DropoutSpec(Rate(layerName("dropout"), attribute)), attribute);
                    break;
                case "GaussianDropoutAttribute":
                    Add(new GaussianDropoutSpec(Rate(layerName("gaussian_dropout"), attribute)), attribute);
                    break;
                case "GaussianNoiseAttribute":
                    {
                        (TypedConstant value, LocationInfo? at) = attribute.Positional(0);
                        double stddev = AttributeArguments.AsDouble(value);
                        if (!(stddev >= 0) || double.IsInfinity(stddev))
                        {
                            Report(DiagnosticDescriptors.OutOfRange, at, layerName("gaussian_noise"), "stddev", "a finite number ≥ 0", AttributeArguments.Format(stddev));
                        }
                        Add(new GaussianNoiseSpec(stddev), attribute);
                        break;
                    }
                case "BatchNormalizationAttribute":
                    {
                        string name = layerName("batch_norm");
                        ReportDuplicates(attribute, name);
                        double momentum = Named(attribute, "Momentum", BatchNormalizationSpec.DefaultMomentum, out LocationInfo? momentumAt);
                        if (!(momentum >= 0 && momentum < 1))
                        {
                            Report(DiagnosticDescriptors.OutOfRange, momentumAt, name, "Momentum", "in [0, 1)", AttributeArguments.Format(momentum));
                        }
                        Add(new BatchNormalizationSpec(momentum, Epsilon(name, attribute, BatchNormalizationSpec.DefaultEpsilon), Flag(attribute, "Center"), Flag(attribute, "Scale")), attribute);
                        break;
                    }
                case "LayerNormalizationAttribute":
                    {
                        string name = layerName("layer_norm");
                        ReportDuplicates(attribute, name);
                        Add(new LayerNormalizationSpec(Epsilon(name, attribute, LayerNormalizationSpec.DefaultEpsilon), Flag(attribute, "Center"), Flag(attribute, "Scale")), attribute);
                        break;
                    }
                case "ActivationAttribute":
                    {
                        (TypedConstant value, LocationInfo? at) = attribute.Positional(0);
                        string name = layerName("activation");
                        ReportDuplicates(attribute, name);
                        string function = ActivationName(name, value, at, "function");
                        Add(new ActivationSpec(function, Alpha(name, attribute, function)), attribute, at);
                        break;
                    }
                case "Conv2DAttribute":
                    ParseConv2D(layerName("conv2d"), attribute);
                    break;
                case "MaxPooling2DAttribute":
                    ParsePooling(layerName("max_pooling2d"), attribute, max: true);
                    break;
                case "AveragePooling2DAttribute":
                    ParsePooling(layerName("average_pooling2d"), attribute, max: false);
                    break;
                case "GlobalAveragePooling2DAttribute":
                    Add(new GlobalAveragePooling2DSpec(), attribute);
                    break;
                case "FlattenAttribute":
                    Add(new FlattenSpec(), attribute);
                    break;
                case "SpatialDropout2DAttribute":
                    Add(new SpatialDropout2DSpec(Rate(layerName("spatial_dropout2d"), attribute)), attribute);
                    break;
                default:
                    break;
            }
        }

        private void Add(LayerSpec layer, AttributeArguments attribute, LocationInfo? activation = null)
        {
            layers.Add(layer);
            sites.Add(new LayerSite(attribute.Location, activation));
        }

        private void ParseDense(string name, AttributeArguments attribute)
        {
            ReportDuplicates(attribute, name);
            (TypedConstant unitsValue, LocationInfo? unitsAt) = attribute.Positional(0);
            int units = AttributeArguments.AsInt(unitsValue);
            if (units <= 0)
            {
                Report(DiagnosticDescriptors.BadUnits, unitsAt, name, units.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            (TypedConstant activationValue, LocationInfo? activationAt) = attribute.Positional(1);
            string activation = ActivationName(name, activationValue, activationAt, "activation");
            KernelOptions k = ParseKernelOptions(name, attribute, activation);
            Add(new DenseSpec(units, activation, k.L1, k.L2, k.BiasL1, k.BiasL2, k.ActivityL1, k.ActivityL2, k.Constraint, k.Initializer, k.UseBias, k.Alpha, k.BiasInitializer), attribute, activationAt);
        }

        /// <summary>
        /// The named arguments <c>[Dense]</c> and <c>[Conv2D]</c> share: penalties, the kernel constraint (MaxNorm, MinNorm,
        /// NormRate, UnitNorm, NonNeg), initializers, Alpha, UseBias.
        /// </summary>
        private KernelOptions ParseKernelOptions(string name, AttributeArguments attribute, string activation)
        {
            double l1 = Penalty(name, attribute, "L1", out _);
            double l2 = Penalty(name, attribute, "L2", out _);
            double biasL1 = Penalty(name, attribute, "BiasL1", out LocationInfo? biasL1At);
            double biasL2 = Penalty(name, attribute, "BiasL2", out LocationInfo? biasL2At);
            double activityL1 = Penalty(name, attribute, "ActivityL1", out _);
            double activityL2 = Penalty(name, attribute, "ActivityL2", out _);
            ConstraintSpec? constraint = KernelConstraint(name, attribute);
            string initializer = InitializerName(name, attribute, "KernelInitializer", "GlorotUniform");
            string biasInitializer = InitializerName(name, attribute, "BiasInitializer", "Zeros", out LocationInfo? biasInitAt);
            double? alpha = Alpha(name, attribute, activation);

            bool useBias = true;
            if (attribute.TryGetNamed("UseBias", out TypedConstant useBiasValue, out _))
            {
                useBias = AttributeArguments.AsBool(useBiasValue);
            }
            if (!useBias)
            {
                if (biasL1At is not null)
                {
                    Report(DiagnosticDescriptors.DuplicateOrConflicting, biasL1At, name, "BiasL1 penalizes the bias, but UseBias = false: remove BiasL1 or the UseBias = false");
                }
                if (biasL2At is not null)
                {
                    Report(DiagnosticDescriptors.DuplicateOrConflicting, biasL2At, name, "BiasL2 penalizes the bias, but UseBias = false: remove BiasL2 or the UseBias = false");
                }
                if (biasInitAt is not null)
                {
                    Report(DiagnosticDescriptors.DuplicateOrConflicting, biasInitAt, name, "BiasInitializer initializes the bias, but UseBias = false: remove BiasInitializer or the UseBias = false");
                }
            }
            return new KernelOptions(l1, l2, biasL1, biasL2, activityL1, activityL2, constraint, initializer, biasInitializer, useBias, alpha);
        }

        /// <summary>
        /// The kernel constraint of the named arguments: MaxNorm = c (with MinNorm or NormRate: MinMaxNorm), UnitNorm, NonNeg —
        /// at most one of the three kinds.
        /// </summary>
        private ConstraintSpec? KernelConstraint(string name, AttributeArguments attribute)
        {
            double maxNorm = Named(attribute, "MaxNorm", 0, out LocationInfo? maxNormAt);
            if (!(maxNorm >= 0) || double.IsInfinity(maxNorm))
            {
                Report(DiagnosticDescriptors.OutOfRange, maxNormAt, name, "MaxNorm", "a finite number > 0 (or 0 for no constraint)", AttributeArguments.Format(maxNorm));
            }
            double minNorm = Named(attribute, "MinNorm", 0, out LocationInfo? minNormAt);
            double rate = Named(attribute, "NormRate", 1, out LocationInfo? rateAt);
            bool unitNorm = attribute.TryGetNamed("UnitNorm", out TypedConstant unitValue, out LocationInfo? unitAt) && AttributeArguments.AsBool(unitValue);
            bool nonNeg = attribute.TryGetNamed("NonNeg", out TypedConstant nonNegValue, out LocationInfo? nonNegAt) && AttributeArguments.AsBool(nonNegValue);
            bool minMax = minNormAt is not null || rateAt is not null;
            if (minMax && !(maxNorm > 0))
            {
                Report(DiagnosticDescriptors.DuplicateOrConflicting, minNormAt ?? rateAt, name, "MinNorm and NormRate shape a MinMaxNorm constraint, which needs its upper bound: add MaxNorm = c (c ≥ MinNorm)");
            }
            if (minNormAt is not null && (!(minNorm >= 0) || double.IsInfinity(minNorm) || (maxNorm > 0 && minNorm > maxNorm)))
            {
                Report(DiagnosticDescriptors.OutOfRange, minNormAt, name, "MinNorm", "a finite number in [0, MaxNorm]", AttributeArguments.Format(minNorm));
            }
            if (rateAt is not null && !(rate >= 0 && rate <= 1))
            {
                Report(DiagnosticDescriptors.OutOfRange, rateAt, name, "NormRate", "in [0, 1]", AttributeArguments.Format(rate));
            }
            var kinds = new List<(string Kind, LocationInfo? At)>();
            if (maxNormAt is not null && maxNorm > 0)
            {
                kinds.Add((minMax ? "MinMaxNorm" : "MaxNorm", maxNormAt));
            }
            if (unitNorm)
            {
                kinds.Add(("UnitNorm", unitAt));
            }
            if (nonNeg)
            {
                kinds.Add(("NonNeg", nonNegAt));
            }
            for (int i = 1; i < kinds.Count; i++)
            {
                Report(DiagnosticDescriptors.DuplicateOrConflicting, kinds[i].At, name, "a kernel takes one constraint, but " + kinds[0].Kind + " and " + kinds[i].Kind + " are both given: keep one");
            }
            if (kinds.Count == 0)
            {
                return null;
            }
            return kinds[0].Kind switch
            {
                "MaxNorm" => new ConstraintSpec("MaxNorm", 0, maxNorm, 1),
                "MinMaxNorm" => new ConstraintSpec("MinMaxNorm", minNorm, maxNorm, rate),
                string kind => new ConstraintSpec(kind, 0, 0, 0),
            };
        }

        private string InitializerName(string layer, AttributeArguments attribute, string argument, string fallback) =>
            InitializerName(layer, attribute, argument, fallback, out _);

        private string InitializerName(string layer, AttributeArguments attribute, string argument, string fallback, out LocationInfo? at)
        {
            if (!attribute.TryGetNamed(argument, out TypedConstant value, out at))
            {
                return fallback;
            }
            string? member = AttributeArguments.EnumName(value);
            if (member is null)
            {
                Report(DiagnosticDescriptors.OutOfRange, at, layer, argument, "a member of FuncReg.Initializer", AttributeArguments.AsInt(value).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            return member ?? fallback;
        }

        /// <summary><c>Alpha = a</c> (finite, ≥ 0) for LeakyRelu and Elu; null when not given (or NaN, the attribute's "not set").</summary>
        private double? Alpha(string layer, AttributeArguments attribute, string activation)
        {
            if (!attribute.TryGetNamed("Alpha", out TypedConstant value, out LocationInfo? at))
            {
                return null;
            }
            double alpha = AttributeArguments.AsDouble(value);
            if (double.IsNaN(alpha))
            {
                return null;
            }
            if (alpha < 0 || double.IsInfinity(alpha))
            {
                Report(DiagnosticDescriptors.OutOfRange, at, layer, "Alpha", "a finite number ≥ 0", AttributeArguments.Format(alpha));
            }
            else if (activation != "LeakyRelu" && activation != "Elu")
            {
                Report(DiagnosticDescriptors.DuplicateOrConflicting, at, layer, "Alpha shapes LeakyRelu and Elu only, but the activation is " + activation + ": remove Alpha or change the activation");
            }
            return alpha;
        }

        private void ParseConv2D(string name, AttributeArguments attribute)
        {
            ReportDuplicates(attribute, name);
            int filters = Size(name, attribute, "filters", "give the number of output channels, for example [Conv2D(32, 3)]");
            int kernelHeight, kernelWidth;
            if (attribute.HasParameter("kernelSize"))
            {
                kernelHeight = kernelWidth = Size(name, attribute, "kernelSize", "give the window's side in pixels, for example 3");
            }
            else
            {
                kernelHeight = Size(name, attribute, "kernelHeight", "give the window's height in pixels, for example 3");
                kernelWidth = Size(name, attribute, "kernelWidth", "give the window's width in pixels, for example 3");
            }
            (TypedConstant activationValue, LocationInfo? activationAt) = attribute.Positional(attribute.ParameterIndex("activation"));
            string activation = ActivationName(name, activationValue, activationAt, "activation");
            if (activation == "Softmax")
            {
                Report(DiagnosticDescriptors.OutOfRange, activationAt, name, "activation", "element-wise (softmax needs a flat input: end with [Flatten] or [GlobalAveragePooling2D] and [Dense(classes, Activation.Softmax)])", "Softmax");
            }
            (int strideHeight, int strideWidth) = Strides(name, attribute, 1, 1);
            string padding = PaddingName(name, attribute);
            KernelOptions k = ParseKernelOptions(name, attribute, activation);
            Add(new Conv2DSpec(filters, kernelHeight, kernelWidth, strideHeight, strideWidth, padding, activation, k.L1, k.L2, k.BiasL1, k.BiasL2, k.ActivityL1, k.ActivityL2, k.Constraint, k.Initializer, k.UseBias, k.Alpha, k.BiasInitializer), attribute, activationAt);
        }

        private void ParsePooling(string name, AttributeArguments attribute, bool max)
        {
            ReportDuplicates(attribute, name);
            int poolHeight, poolWidth;
            if (attribute.HasParameter("poolSize"))
            {
                poolHeight = poolWidth = Size(name, attribute, "poolSize", "give the window's side in pixels, for example [MaxPooling2D(2)]");
            }
            else
            {
                poolHeight = Size(name, attribute, "poolHeight", "give the window's height in pixels, for example 2");
                poolWidth = Size(name, attribute, "poolWidth", "give the window's width in pixels, for example 2");
            }
            bool given = attribute.TryGetNamed("Strides", out _, out _) || attribute.TryGetNamed("StrideHeight", out _, out _) || attribute.TryGetNamed("StrideWidth", out _, out _);
            (int strideHeight, int strideWidth) = Strides(name, attribute, poolHeight, poolWidth);
            string padding = PaddingName(name, attribute);
            Add(new Pooling2DSpec(max, poolHeight, poolWidth, given ? strideHeight : 0, given ? strideWidth : 0, padding), attribute);
        }

        /// <summary>A positional size argument (filters, kernel or pool side) that must be ≥ 1.</summary>
        private int Size(string layer, AttributeArguments attribute, string parameter, string hint)
        {
            (TypedConstant value, LocationInfo? at) = attribute.Positional(attribute.ParameterIndex(parameter));
            int size = AttributeArguments.AsInt(value);
            if (size <= 0)
            {
                Report(DiagnosticDescriptors.NonPositiveSize, at, layer, parameter, size.ToString(System.Globalization.CultureInfo.InvariantCulture), hint);
            }
            return size;
        }

        /// <summary><c>Strides = s</c>, or <c>StrideHeight</c>/<c>StrideWidth</c> (each defaulting to its fallback), each ≥ 1; not both forms.</summary>
        private (int Height, int Width) Strides(string layer, AttributeArguments attribute, int fallbackHeight, int fallbackWidth)
        {
            int NamedStride(string argument, int fallback)
            {
                if (!attribute.TryGetNamed(argument, out TypedConstant value, out LocationInfo? at))
                {
                    return fallback;
                }
                int stride = AttributeArguments.AsInt(value);
                if (stride <= 0)
                {
                    Report(DiagnosticDescriptors.NonPositiveSize, at, layer, argument, stride.ToString(System.Globalization.CultureInfo.InvariantCulture), "a stride of 1 moves the window one pixel, 2 halves the output");
                }
                return stride;
            }
            bool square = attribute.TryGetNamed("Strides", out _, out _);
            foreach (string axis in new[] { "StrideHeight", "StrideWidth" })
            {
                if (square && attribute.TryGetNamed(axis, out _, out LocationInfo? at))
                {
                    Report(DiagnosticDescriptors.DuplicateOrConflicting, at, layer, axis + " conflicts with Strides: give Strides = s for both axes, or StrideHeight and StrideWidth");
                }
            }
            if (square)
            {
                int s = NamedStride("Strides", 1);
                return (s, s);
            }
            return (NamedStride("StrideHeight", fallbackHeight), NamedStride("StrideWidth", fallbackWidth));
        }

        private string PaddingName(string layer, AttributeArguments attribute)
        {
            if (!attribute.TryGetNamed("Padding", out TypedConstant value, out LocationInfo? at))
            {
                return "Valid";
            }
            string? member = AttributeArguments.EnumName(value);
            if (member is null)
            {
                Report(DiagnosticDescriptors.OutOfRange, at, layer, "Padding", "a member of FuncReg.Padding", AttributeArguments.AsInt(value).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            return member ?? "Valid";
        }

        private string ActivationName(string layer, TypedConstant value, LocationInfo? at, string argument)
        {
            string? member = AttributeArguments.EnumName(value);
            if (member is null)
            {
                Report(DiagnosticDescriptors.OutOfRange, at, layer, argument, "a member of FuncReg.Activation", AttributeArguments.AsInt(value).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            return member ?? "Linear";
        }

        private double Rate(string layer, AttributeArguments attribute)
        {
            (TypedConstant value, LocationInfo? at) = attribute.Positional(0);
            double rate = AttributeArguments.AsDouble(value);
            if (!(rate >= 0 && rate < 1))
            {
                Report(DiagnosticDescriptors.BadRate, at, layer, AttributeArguments.Format(rate));
            }
            return rate;
        }

        private double Penalty(string layer, AttributeArguments attribute, string argument, out LocationInfo? at)
        {
            double value = Named(attribute, argument, 0, out at);
            if (!(value >= 0) || double.IsInfinity(value))
            {
                Report(DiagnosticDescriptors.NegativePenalty, at, layer, argument, AttributeArguments.Format(value));
            }
            return value;
        }

        private double Epsilon(string layer, AttributeArguments attribute, double fallback)
        {
            double epsilon = Named(attribute, "Epsilon", fallback, out LocationInfo? at);
            if (!(epsilon > 0) || double.IsInfinity(epsilon))
            {
                Report(DiagnosticDescriptors.OutOfRange, at, layer, "Epsilon", "a finite number > 0", AttributeArguments.Format(epsilon));
            }
            return epsilon;
        }

        /// <summary>A boolean named argument that defaults to true (Center, Scale).</summary>
        private static bool Flag(AttributeArguments attribute, string argument) =>
            !attribute.TryGetNamed(argument, out TypedConstant value, out _) || AttributeArguments.AsBool(value);

        private static double Named(AttributeArguments attribute, string argument, double fallback, out LocationInfo? at) =>
            attribute.TryGetNamed(argument, out TypedConstant value, out at) ? AttributeArguments.AsDouble(value) : fallback;

        /// <summary>The named arguments <c>[Dense]</c> and <c>[Conv2D]</c> share, parsed.</summary>
        private sealed record KernelOptions(double L1, double L2, double BiasL1, double BiasL2, double ActivityL1, double ActivityL2, ConstraintSpec? Constraint, string Initializer, string BiasInitializer, bool UseBias, double? Alpha);
    }
}
