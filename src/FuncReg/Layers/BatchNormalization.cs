namespace FuncReg;

/// <summary>
/// Batch normalization (Ioffe &amp; Szegedy 2015; Keras defaults) over the feature (last) axis. On an image
/// input [h, w, c] the features are the channels and the statistics of channel c are taken over all n·h·w
/// positions of the batch (Keras <c>axis=-1</c>); parameters have shape [c].
/// Training: per feature <c>μ = mean(x)</c>, <c>σ² = mean((x − μ)²)</c> (biased),
/// <c>y = γ·(x − μ)/√(σ² + ε) + β</c>, and the running statistics move as
/// <c>m ← momentum·m + (1 − momentum)·μ</c>, <c>v ← momentum·v + (1 − momentum)·σ²</c>.
/// Inference: <c>y = γ·(x − m)/√(v + ε) + β</c>. Parameters <c>gamma</c>, <c>beta</c> (trainable),
/// <c>moving_mean</c>, <c>moving_variance</c> (not trainable).
/// </summary>
public sealed record BatchNormalization : Layer
{
    /// <summary>Running-average momentum in [0, 1); Keras default 0.99 (PyTorch's momentum 0.1 is 1 − this).</summary>
    public double Momentum { get; init => field = Guard.Fraction(value, nameof(Momentum)); } = 0.99;

    /// <summary>ε &gt; 0 added to the variance; Keras default 1e-3 (PyTorch 1e-5).</summary>
    public double Epsilon { get; init => field = Guard.Positive(value, nameof(Epsilon)); } = 1e-3;

    /// <summary>Learn β (else β = 0).</summary>
    public bool Center { get; init; } = true;

    /// <summary>Learn γ (else γ = 1).</summary>
    public bool Scale { get; init; } = true;

    public Regularizer? GammaRegularizer { get; init; }

    public Regularizer? BetaRegularizer { get; init; }

    public override string Kind => "batch_norm";

    public override bool HasTrainingBehaviour => true;
}
