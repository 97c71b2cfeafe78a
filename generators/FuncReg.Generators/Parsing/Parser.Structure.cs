using System.Linq;
using FuncReg.Generators.Diagnostics;
using FuncReg.Generators.Model;

namespace FuncReg.Generators.Parsing
{
    /// <summary>Checks across layers, mirroring <c>Sequential.Validate</c> so the errors show at compile time.</summary>
    internal sealed partial class Parser
    {
        private void CheckStructure(
            string model,
            int[]? inputShape,
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
                if (i > 0 && layers[i] is BatchNormalizationSpec && layers[i - 1] is DropoutSpec or GaussianDropoutSpec or SpatialDropout2DSpec)
                {
                    Report(DiagnosticDescriptors.BatchNormAfterDropout, sites[i].Attribute, "batch_norm_" + Index(i), layers[i - 1].Kind + "_" + Index(i - 1));
                }
            }

            int[]? outputShape = inputShape is null ? null : CheckShapes(inputShape);
            if (outputShape is null)
            {
                return; // the output size is unknown: the loss checks would only add noise
            }

            string lastActivation = ActivationOf(layers[last]) ?? "Linear";
            int outputs = Shapes.Size(outputShape); // as Sequential.Outputs
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

        /// <summary>
        /// Infers each layer's output shape from <paramref name="input"/> as the records do, reporting the first layer that
        /// does not fit (its attribute); returns the model's output shape, or null after an error.
        /// </summary>
        private int[]? CheckShapes(int[] input)
        {
            int[] shape = input;
            for (int i = 0; i < layers.Count; i++)
            {
                string name = layers[i].Kind + "_" + Index(i);
                if (layers[i] is Conv2DSpec { KernelHeight: <= 0 } or Conv2DSpec { KernelWidth: <= 0 } or Conv2DSpec { StrideHeight: <= 0 } or Conv2DSpec { StrideWidth: <= 0 } or
                    Pooling2DSpec { PoolHeight: <= 0 } or Pooling2DSpec { PoolWidth: <= 0 } or Pooling2DSpec { EffectiveStrideHeight: <= 0 } or Pooling2DSpec { EffectiveStrideWidth: <= 0 })
                {
                    return null; // reported where the size was written
                }
                int[]? next = Shapes.Next(layers[i], shape, out ShapeProblem problem);
                string got = string.Join(", ", shape.Select(d => Index(d)));
                switch (problem)
                {
                    case ShapeProblem.ImageLayerOnFlatInput:
                        Report(DiagnosticDescriptors.ImageLayerOnFlatInput, sites[i].Attribute, name, got);
                        break;
                    case ShapeProblem.FlattenOnFlatInput:
                        Report(DiagnosticDescriptors.FlattenOnFlatInput, sites[i].Attribute, name, got);
                        break;
                    case ShapeProblem.NeedsFlatInput:
                        Report(DiagnosticDescriptors.NeedsFlatInput, sites[i].Attribute, name, layers[i] is DenseSpec ? "a Dense layer" : "softmax", got);
                        break;
                    case ShapeProblem.KernelTooLarge:
                        {
                            var c = (Conv2DSpec)layers[i];
                            Report(DiagnosticDescriptors.KernelTooLarge, sites[i].Attribute, name, Index(c.KernelHeight) + "×" + Index(c.KernelWidth), Index(shape[0]) + "×" + Index(shape[1]));
                            break;
                        }
                    case ShapeProblem.PoolTooLarge:
                        {
                            var p = (Pooling2DSpec)layers[i];
                            Report(DiagnosticDescriptors.PoolTooLarge, sites[i].Attribute, name, Index(p.PoolHeight) + "×" + Index(p.PoolWidth), Index(shape[0]) + "×" + Index(shape[1]));
                            break;
                        }
                }
                if (next is null || next.Any(d => d <= 0))
                {
                    return null; // an error above, or a non-positive size already reported: later shapes are unknown
                }
                if (TensorSizes.Oversized(layers[i], shape, next) is { } tooLarge)
                {
                    Report(DiagnosticDescriptors.TensorTooLarge, sites[i].Attribute, name, tooLarge.What, tooLarge.Fix);
                    return null; // as Sequential.Validate: the model cannot be allocated
                }
                shape = next;
            }
            return shape;
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
