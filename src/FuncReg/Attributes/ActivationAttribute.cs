namespace FuncReg;

/// <summary>A stand-alone <see cref="ActivationLayer"/>: <c>y = f(x)</c>, e.g. after a <see cref="BatchNormalizationAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ActivationAttribute : Attribute
{
    /// <summary>An activation layer applying <paramref name="function"/>.</summary>
    public ActivationAttribute(Activation function) => Function = function;

    public Activation Function { get; }

    /// <summary>
    /// The slope of <see cref="Activation.LeakyRelu"/> (default 0.2 as Keras 3) or the α of <see cref="Activation.Elu"/>
    /// (default 1), ≥ 0. Not set (NaN): the function's default.
    /// </summary>
    public double Alpha { get; set; } = double.NaN;
}
