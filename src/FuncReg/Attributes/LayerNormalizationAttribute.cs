namespace FuncReg;

/// <summary>A <see cref="FuncReg.LayerNormalization"/> layer: per sample <c>y = γ·(x − μ)/√(σ² + ε) + β</c>, the same in training and inference.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LayerNormalizationAttribute : Attribute
{
    /// <summary>ε &gt; 0 added to the variance; default 1e-3.</summary>
    public double Epsilon { get; set; } = 1e-3;

    /// <summary>Learn the offset β (default true); false: β = 0 and no <c>.beta</c> parameter.</summary>
    public bool Center { get; set; } = true;

    /// <summary>Learn the scale γ (default true); false: γ = 1 and no <c>.gamma</c> parameter (Keras: when a linear or ReLU layer follows).</summary>
    public bool Scale { get; set; } = true;
}
