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
                        Add(new BatchNormalizationSpec(momentum, Epsilon(name, attribute, BatchNormalizationSpec.DefaultEpsilon)), attribute);
                        break;
                    }
                case "LayerNormalizationAttribute":
                    {
                        string name = layerName("layer_norm");
                        ReportDuplicates(attribute, name);
                        Add(new LayerNormalizationSpec(Epsilon(name, attribute, LayerNormalizationSpec.DefaultEpsilon)), attribute);
                        break;
                    }
                case "ActivationAttribute":
                    {
                        (TypedConstant value, LocationInfo? at) = attribute.Positional(0);
                        string function = ActivationName(layerName("activation"), value, at, "function");
                        Add(new ActivationSpec(function), attribute, at);
                        break;
                    }
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

            double l1 = Penalty(name, attribute, "L1", out _);
            double l2 = Penalty(name, attribute, "L2", out _);
            double biasL1 = Penalty(name, attribute, "BiasL1", out LocationInfo? biasL1At);
            double biasL2 = Penalty(name, attribute, "BiasL2", out LocationInfo? biasL2At);
            double activityL1 = Penalty(name, attribute, "ActivityL1", out _);
            double activityL2 = Penalty(name, attribute, "ActivityL2", out _);

            double maxNorm = Named(attribute, "MaxNorm", 0, out LocationInfo? maxNormAt);
            if (!(maxNorm >= 0) || double.IsInfinity(maxNorm))
            {
                Report(DiagnosticDescriptors.OutOfRange, maxNormAt, name, "MaxNorm", "a finite number > 0 (or 0 for no constraint)", AttributeArguments.Format(maxNorm));
            }

            string initializer = "GlorotUniform";
            if (attribute.TryGetNamed("KernelInitializer", out TypedConstant initValue, out LocationInfo? initAt))
            {
                string? member = AttributeArguments.EnumName(initValue);
                if (member is null)
                {
                    Report(DiagnosticDescriptors.OutOfRange, initAt, name, "KernelInitializer", "a member of FuncReg.Initializer", AttributeArguments.AsInt(initValue).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                initializer = member ?? initializer;
            }

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
            }

            Add(new DenseSpec(units, activation, l1, l2, biasL1, biasL2, activityL1, activityL2, maxNorm, initializer, useBias), attribute, activationAt);
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

        private static double Named(AttributeArguments attribute, string argument, double fallback, out LocationInfo? at) =>
            attribute.TryGetNamed(argument, out TypedConstant value, out at) ? AttributeArguments.AsDouble(value) : fallback;
    }
}
