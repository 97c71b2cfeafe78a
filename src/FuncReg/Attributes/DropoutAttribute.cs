namespace FuncReg;

/// <summary>An inverted <see cref="FuncReg.Dropout"/> layer: kept units × 1/(1 − rate) in training, identity at inference.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : Attribute
{
    /// <summary>Dropout with drop probability <paramref name="rate"/> ∈ [0, 1).</summary>
    public DropoutAttribute(double rate) => Rate = rate;

    public double Rate { get; }
}
