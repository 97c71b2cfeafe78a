namespace FuncReg;

/// <summary>A <see cref="FuncReg.GaussianDropout"/> layer: <c>y = x·ε</c>, ε ~ N(1, rate/(1 − rate)) in training; identity at inference.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GaussianDropoutAttribute : Attribute
{
    /// <summary>Multiplicative noise of dropout rate <paramref name="rate"/> ∈ [0, 1).</summary>
    public GaussianDropoutAttribute(double rate) => Rate = rate;

    public double Rate { get; }
}
