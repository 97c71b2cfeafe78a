namespace FuncReg;

/// <summary>
/// Layer normalization (Ba et al. 2016; Keras defaults): per sample over its features (on an image
/// [h, w, c], per position over the channels, Keras <c>axis=-1</c>),
/// <c>y = γ·(x − μ)/√(σ² + ε) + β</c>, identical in training and inference. Parameters <c>gamma</c>, <c>beta</c>.
/// </summary>
public sealed record LayerNormalization : Layer
{
    /// <summary>ε &gt; 0; Keras default 1e-3.</summary>
    public double Epsilon { get; init => field = Guard.Positive(value, nameof(Epsilon)); } = 1e-3;

    public bool Center { get; init; } = true;

    public bool Scale { get; init; } = true;

    public override string Kind => "layer_norm";
}
