namespace FuncReg;

/// <summary>A stand-alone activation (Keras <c>layers.Activation</c>): <c>y = f(x)</c>, e.g. after BatchNormalization.</summary>
public sealed record ActivationLayer : Layer
{
    public ActivationLayer(Activation function) => Function = function;

    public Activation Function { get; init; }

    /// <summary>α of leaky ReLU or ELU; null takes the default.</summary>
    public double? Alpha { get; init => field = value is { } a ? Guard.NonNegative(a, nameof(Alpha)) : null; }

    public override string Kind => "activation";

    public double EffectiveAlpha => Alpha ?? ActivationFunctions.DefaultAlpha(Function);

    internal override int[] OutputShape(int[] input, string name) => Function != Activation.Softmax || input.Length == 1
        ? input
        : throw new ArgumentException($"{name}: softmax needs a 1-D input, but gets [{string.Join(", ", input)}]; put a Flatten before it.", "Layers");
}
