namespace FuncReg;

/// <summary>A <see cref="FuncReg.GaussianNoise"/> layer: <c>y = x + ε</c>, ε ~ N(0, σ²) in training; identity at inference.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GaussianNoiseAttribute : Attribute
{
    /// <summary>Additive noise of standard deviation <paramref name="stddev"/> ≥ 0.</summary>
    public GaussianNoiseAttribute(double stddev) => Stddev = stddev;

    public double Stddev { get; }
}
