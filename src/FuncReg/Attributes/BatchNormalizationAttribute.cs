namespace FuncReg;

/// <summary>
/// A <see cref="FuncReg.BatchNormalization"/> layer: <c>y = γ·(x − μ)/√(σ² + ε) + β</c> with batch statistics in
/// training and running statistics (<c>m ← momentum·m + (1 − momentum)·μ</c>) at inference. Keras defaults.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormalizationAttribute : Attribute
{
    /// <summary>Running-average momentum in [0, 1); default 0.99.</summary>
    public double Momentum { get; set; } = 0.99;

    /// <summary>ε &gt; 0 added to the variance; default 1e-3.</summary>
    public double Epsilon { get; set; } = 1e-3;

    /// <summary>Learn the offset β (default true); false: β = 0 and no <c>.beta</c> parameter.</summary>
    public bool Center { get; set; } = true;

    /// <summary>Learn the scale γ (default true); false: γ = 1 and no <c>.gamma</c> parameter (Keras: when a linear or ReLU layer follows).</summary>
    public bool Scale { get; set; } = true;
}
