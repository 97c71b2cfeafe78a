namespace FuncReg;

/// <summary>
/// An optimizer's hyperparameters. Each step, for every trainable parameter w with total gradient g
/// (data loss + penalties), in this order:
/// <list type="number">
/// <item>clipping (at most one kind, as Keras): <see cref="ClipValue"/> clamps each entry to [−c, c];
/// <see cref="ClipNorm"/> scales each tensor to norm ≤ c; <see cref="GlobalClipNorm"/> scales all
/// gradients together to global norm ≤ c;</item>
/// <item>coupled (PyTorch-style, L2-like) decay: <c>g ← g + CoupledWeightDecay·w</c>;</item>
/// <item>decoupled weight decay (Loshchilov &amp; Hutter, Keras/PyTorch AdamW): <c>w ← w − lr·WeightDecay·w</c>;</item>
/// <item>the update rule of the concrete optimizer;</item>
/// <item>the parameter's constraint, if any.</item>
/// </list>
/// Both decays apply to kernels only unless <see cref="DecayAllParameters"/> is set (biases and
/// normalization parameters excluded by default).
/// </summary>
public abstract record Optimizer
{
    protected Optimizer(double learningRate) => LearningRate = learningRate;

    /// <summary>Initial learning rate, &gt; 0; callbacks may change the live rate during training.</summary>
    public double LearningRate { get; init => field = Guard.Positive(value, nameof(LearningRate)); }

    /// <summary>Decoupled weight decay factor ≥ 0: <c>w ← w − lr·wd·w</c> before the update.</summary>
    public double WeightDecay { get; init => field = Guard.NonNegative(value, nameof(WeightDecay)); }

    /// <summary>PyTorch's <c>weight_decay</c> (coupled): <c>g ← g + wd·w</c>. Under SGD equals Keras <c>L2(wd/2)</c>.</summary>
    public double CoupledWeightDecay { get; init => field = Guard.NonNegative(value, nameof(CoupledWeightDecay)); }

    /// <summary>Decay biases and normalization parameters too.</summary>
    public bool DecayAllParameters { get; init; }

    /// <summary>Clamp each gradient entry to [−c, c]; null for none.</summary>
    public double? ClipValue { get; init => field = value is { } v ? Guard.Positive(v, nameof(ClipValue)) : null; }

    /// <summary>Rescale each gradient tensor to norm ≤ c; null for none.</summary>
    public double? ClipNorm { get; init => field = value is { } v ? Guard.Positive(v, nameof(ClipNorm)) : null; }

    /// <summary>Rescale all gradients together to global norm ≤ c; null for none.</summary>
    public double? GlobalClipNorm { get; init => field = value is { } v ? Guard.Positive(v, nameof(GlobalClipNorm)) : null; }

    /// <summary>Number of per-parameter state slots (moments) this optimizer keeps.</summary>
    public abstract int SlotCount { get; }

    /// <summary>Throws when more than one clipping kind is set (Keras forbids it too).</summary>
    public void Validate()
    {
        int clips = (ClipValue.HasValue ? 1 : 0) + (ClipNorm.HasValue ? 1 : 0) + (GlobalClipNorm.HasValue ? 1 : 0);
        if (clips > 1)
        {
            throw new ArgumentException("Set at most one of ClipValue, ClipNorm and GlobalClipNorm.", nameof(ClipNorm));
        }
    }
}

/// <summary>
/// Stochastic gradient descent, Keras form. Without momentum <c>w ← w − lr·g</c>. With momentum μ:
/// <c>v ← μ·v − lr·g</c>, then <c>w ← w + v</c>, or with Nesterov <c>w ← w + μ·v − lr·g</c>
/// (equal to PyTorch's form for a constant learning rate). Keras default lr 0.01.
/// </summary>
public sealed record SGD : Optimizer
{
    public SGD(double learningRate = 0.01)
        : base(learningRate)
    {
    }

    /// <summary>μ ∈ [0, 1).</summary>
    public double Momentum { get; init => field = Guard.Fraction(value, nameof(Momentum)); }

    public bool Nesterov { get; init; }

    public override int SlotCount => Momentum > 0 ? 1 : 0;
}

/// <summary>
/// RMSprop, Keras form: <c>s ← ρ·s + (1 − ρ)·g²</c>; centered also tracks <c>ḡ ← ρ·ḡ + (1 − ρ)·g</c> and
/// uses <c>s − ḡ²</c>; <c>Δ = lr·g/√(denominator + ε)</c>; with momentum μ <c>m ← μ·m + Δ, w ← w − m</c>,
/// else <c>w ← w − Δ</c>. Defaults lr 0.001, ρ 0.9, ε 1e-7.
/// </summary>
public sealed record RMSprop : Optimizer
{
    public RMSprop(double learningRate = 0.001)
        : base(learningRate)
    {
    }

    public double Rho { get; init => field = Guard.Fraction(value, nameof(Rho)); } = 0.9;

    public double Momentum { get; init => field = Guard.Fraction(value, nameof(Momentum)); }

    public double Epsilon { get; init => field = Guard.Positive(value, nameof(Epsilon)); } = 1e-7;

    public bool Centered { get; init; }

    public override int SlotCount => 1 + (Centered ? 1 : 0) + (Momentum > 0 ? 1 : 0);
}

/// <summary>
/// Adam (Kingma &amp; Ba 2015), Keras form: at step t, <c>m ← m + (1 − β₁)(g − m)</c>,
/// <c>v ← v + (1 − β₂)(g² − v)</c>, <c>α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)</c>, <c>w ← w − α·m/(√v + ε)</c>
/// (ε outside the bias correction, the paper's ε̂; PyTorch adds ε to √v̂ instead). AMSGrad uses
/// <c>v̂ ← max(v̂, v)</c> in place of v. Defaults lr 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7.
/// </summary>
public record Adam : Optimizer
{
    public Adam(double learningRate = 0.001)
        : base(learningRate)
    {
    }

    public double Beta1 { get; init => field = Guard.Fraction(value, nameof(Beta1)); } = 0.9;

    public double Beta2 { get; init => field = Guard.Fraction(value, nameof(Beta2)); } = 0.999;

    public double Epsilon { get; init => field = Guard.Positive(value, nameof(Epsilon)); } = 1e-7;

    public bool Amsgrad { get; init; }

    public override int SlotCount => Amsgrad ? 3 : 2;
}

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019): <see cref="Adam"/> with decoupled weight decay on by default,
/// <c>w ← w − lr·wd·w</c> before the Adam step; Keras default wd = 0.004 (PyTorch's is 0.01).
/// </summary>
public sealed record AdamW : Adam
{
    public AdamW(double learningRate = 0.001, double weightDecay = 0.004)
        : base(learningRate) => WeightDecay = weightDecay;
}
