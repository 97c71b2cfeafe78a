namespace FuncReg;

/// <summary>How a model computes its loss from its last layer.</summary>
public enum LossHead
{
    /// <summary>From the outputs (probabilities or values), then back through the last activation.</summary>
    Generic,

    /// <summary>Softmax cross-entropy from the last layer's logits; the backward pass starts at the logits.</summary>
    SoftmaxLogits,

    /// <summary>Sigmoid binary cross-entropy from the last layer's logits; the backward pass starts at the logits.</summary>
    SigmoidLogits,
}

/// <summary>Rules every model implementation shares: the loss head and the checks of a batch's targets.</summary>
public static class ModelRules
{
    /// <summary>
    /// The loss head of <paramref name="spec"/>: when the last layer is a Dense or Activation layer without an
    /// activity penalty, softmax (or linear with FromLogits) with categorical cross-entropy and sigmoid (or linear
    /// with FromLogits) with binary cross-entropy are fused with their loss; anything else is generic.
    /// </summary>
    public static LossHead HeadOf(Sequential spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Layer last = spec.Layers[^1];
        if (last is not (Dense or ActivationLayer) || last is Dense { ActivityRegularizer.IsZero: false })
        {
            return LossHead.Generic;
        }
        Activation a = last is Dense d ? d.Activation : ((ActivationLayer)last).Function;
        LossHead head = (spec.Loss, a, spec.FromLogits) switch
        {
            (Loss.CategoricalCrossEntropy, Activation.Softmax, _) => LossHead.SoftmaxLogits,
            (Loss.CategoricalCrossEntropy, Activation.Linear, true) => LossHead.SoftmaxLogits,
            (Loss.BinaryCrossEntropy, Activation.Sigmoid, _) => LossHead.SigmoidLogits,
            (Loss.BinaryCrossEntropy, Activation.Linear, true) => LossHead.SigmoidLogits,
            _ => LossHead.Generic,
        };
        return head;
    }

    /// <summary>Throws unless FromLogits can be honoured (the head must fuse).</summary>
    public static void CheckFromLogits(Sequential spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.FromLogits && HeadOf(spec) == LossHead.Generic && spec.Loss != Loss.MeanSquaredError)
        {
            throw new ArgumentException("FromLogits needs the last layer to be a Dense or Activation layer without an activity regularizer.", nameof(spec));
        }
    }

    /// <summary>
    /// Checks one batch's sizes and targets against a model of <paramref name="spec"/>: batch ≥ 1, features
    /// n·inputs, labels one per sample and within the classes of the loss (integer labels need one output unit
    /// unless the loss is categorical), or float targets n·outputs.
    /// </summary>
    public static void CheckBatch(Sequential spec, int outputs, int n, int features, ReadOnlySpan<int> labels, int targets)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (n <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "batch size must be ≥ 1");
        }
        if (features != n * spec.Inputs)
        {
            throw new ShapeMismatchException($"features have {features} values; a batch of {n} samples × {spec.Inputs} features needs {n * spec.Inputs}.", "x");
        }
        if (labels.IsEmpty)
        {
            if (targets != n * outputs)
            {
                throw new ShapeMismatchException($"targets have {targets} values; {n} samples × {outputs} outputs need {n * outputs}.", "targets");
            }
            return;
        }
        if (labels.Length != n)
        {
            throw new ShapeMismatchException($"{labels.Length} labels for {n} samples.", "labels");
        }
        if (spec.Loss != Loss.MeanSquaredError)
        {
            int classes = spec.Loss == Loss.CategoricalCrossEntropy ? outputs : 2;
            foreach (int label in labels)
            {
                if ((uint)label >= (uint)classes)
                {
                    throw new ArgumentOutOfRangeException("labels", label, $"label {label} is outside [0, {classes - 1}] for a model with {outputs} output unit(s) and {spec.Loss}.");
                }
            }
        }
        if (spec.Loss != Loss.CategoricalCrossEntropy && outputs != 1)
        {
            throw new ShapeMismatchException($"integer labels need one output unit for {spec.Loss}, the model has {outputs}; give float targets of {outputs} values per sample.", "labels");
        }
    }
}
