using FuncReg.Generators.Diagnostics;
using FuncReg.Generators.Model;

namespace FuncReg.Generators.Parsing
{
    /// <summary>Checks across layers, mirroring <c>Sequential.Validate</c> so the errors show at compile time.</summary>
    internal sealed partial class Parser
    {
        private void CheckStructure(
            string model,
            int inputs,
            string? loss,
            LocationInfo? lossAt,
            LocationInfo? modelAt,
            bool fromLogits,
            LocationInfo? fromLogitsAt,
            double labelSmoothing,
            LocationInfo? labelSmoothingAt)
        {
            int last = layers.Count - 1;
            for (int i = 0; i < layers.Count; i++)
            {
                if (i < last && ActivationOf(layers[i]) == "Softmax")
                {
                    Report(DiagnosticDescriptors.SoftmaxNotLast, sites[i].Activation ?? sites[i].Attribute, layers[i].Kind + "_" + Index(i));
                }
                if (i > 0 && layers[i] is BatchNormalizationSpec && layers[i - 1] is DropoutSpec or GaussianDropoutSpec)
                {
                    Report(DiagnosticDescriptors.BatchNormAfterDropout, sites[i].Attribute, "batch_norm_" + Index(i), layers[i - 1].Kind + "_" + Index(i - 1));
                }
            }

            string lastActivation = ActivationOf(layers[last]) ?? "Linear";
            int outputs = OutputUnits(inputs); // as Sequential.Outputs
            string effectiveLoss = loss ?? InferredLoss();
            LocationInfo? blame = lossAt ?? sites[last].Activation ?? sites[last].Attribute ?? modelAt;
            if (fromLogits && lastActivation != "Linear")
            {
                Report(DiagnosticDescriptors.OutputDoesNotFitLoss, fromLogitsAt, model, "FromLogits = true needs a linear last layer (the loss applies " + lastActivation.ToLowerInvariant() + " itself), but it is " + lastActivation + ": drop the activation or FromLogits");
            }
            else if (fromLogits && effectiveLoss != "MeanSquaredError" && (ActivationOf(layers[last]) is null || layers[last] is DenseSpec { ActivityL1: > 0 } or DenseSpec { ActivityL2: > 0 }))
            {
                Report(DiagnosticDescriptors.OutputDoesNotFitLoss, fromLogitsAt, model, "FromLogits = true needs the last layer to be a Dense or Activation layer without an activity penalty");
            }
            if (effectiveLoss == "CategoricalCrossEntropy" && outputs < 2)
            {
                Report(DiagnosticDescriptors.OutputDoesNotFitLoss, blame, model, "categorical cross-entropy needs ≥ 2 output units, the model has " + Index(outputs) + ": use Loss = Loss.BinaryCrossEntropy with one sigmoid unit");
            }
            else if (effectiveLoss == "CategoricalCrossEntropy" && lastActivation == "Sigmoid")
            {
                Report(DiagnosticDescriptors.OutputDoesNotFitLoss, blame, model, "categorical cross-entropy with a sigmoid output: use a softmax output, or Loss = Loss.BinaryCrossEntropy for independent labels");
            }
            if (effectiveLoss == "BinaryCrossEntropy" && lastActivation == "Softmax")
            {
                Report(DiagnosticDescriptors.OutputDoesNotFitLoss, blame, model, "binary cross-entropy with a softmax output: use a sigmoid output, or Loss = Loss.CategoricalCrossEntropy");
            }
            if (labelSmoothing > 0 && effectiveLoss == "MeanSquaredError")
            {
                Report(DiagnosticDescriptors.DuplicateOrConflicting, labelSmoothingAt, "[Model]", "LabelSmoothing applies to the cross-entropy losses only, but the loss is mean squared error: remove LabelSmoothing or choose a cross-entropy loss");
            }
        }

        private static string Index(int i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>The activation of a Dense or Activation layer; null for other layers.</summary>
        private static string? ActivationOf(LayerSpec layer) => layer switch
        {
            DenseSpec d => d.Activation,
            ActivationSpec a => a.Function,
            _ => null,
        };

        private int OutputUnits(int inputs)
        {
            for (int i = layers.Count - 1; i >= 0; i--)
            {
                if (layers[i] is DenseSpec d)
                {
                    return d.Units;
                }
            }
            return inputs;
        }

        /// <summary>Sequential.Of's rule: the last Dense/Activation layer's activation picks the loss.</summary>
        private string InferredLoss()
        {
            for (int i = layers.Count - 1; i >= 0; i--)
            {
                if (ActivationOf(layers[i]) is { } a)
                {
                    return a switch
                    {
                        "Softmax" => "CategoricalCrossEntropy",
                        "Sigmoid" => "BinaryCrossEntropy",
                        _ => "MeanSquaredError",
                    };
                }
            }
            return "MeanSquaredError";
        }
    }
}
