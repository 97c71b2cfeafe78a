using System.Numerics;

namespace FuncReg;

/// <summary>What a parameter is for; decides its default weight decay and whether it trains.</summary>
public enum ParameterRole
{
    Kernel,
    Bias,
    Gamma,
    Beta,
    MovingMean,
    MovingVariance,
}

/// <summary>One parameter tensor of the reference interpreter, with its gradient and its penalty/constraint.</summary>
public sealed class ParamTensor<T>
    where T : IFloatingPointIeee754<T>
{
    internal ParamTensor(string name, int[] shape, ParameterRole role, Regularizer? regularizer, Constraint? constraint)
    {
        Name = name;
        Shape = shape;
        Role = role;
        int length = shape.Aggregate(1, (a, b) => checked(a * b));
        Values = new T[length];
        Grad = new T[length];
        Regularizer = regularizer is { IsZero: false } ? regularizer : null;
        Constraint = constraint;
    }

    /// <summary>Keras-style name, e.g. <c>dense_0.kernel</c>.</summary>
    public string Name { get; }

    /// <summary>Shape; a Dense kernel is [in, out].</summary>
    public int[] Shape { get; }

    public ParameterRole Role { get; }

    public T[] Values { get; }

    /// <summary>∂(total loss)/∂value after a backward pass.</summary>
    public T[] Grad { get; }

    public Regularizer? Regularizer { get; }

    public Constraint? Constraint { get; }

    /// <summary>Moving statistics are updated by the forward pass, not by the optimizer.</summary>
    public bool Trainable => Role is not (ParameterRole.MovingMean or ParameterRole.MovingVariance);

    /// <summary>
    /// Rows of the [rows, columns] view used by constraints: every axis but the last (a Dense kernel's fan-in, a
    /// Conv2D kernel's kh·kw·cin, as Keras); 1 for vectors.
    /// </summary>
    public int Rows => Shape.Length >= 2 ? Values.Length / Shape[^1] : 1;

    /// <summary>The last axis (units or filters); the length of a vector.</summary>
    public int Columns => Shape[^1];
}
