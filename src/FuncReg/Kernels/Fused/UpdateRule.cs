namespace FuncReg.Kernels;

/// <summary>
/// An <see cref="Optimizer"/> resolved for one step: the learning rate, Adam's bias-corrected step size
/// for iteration t and every hyperparameter as a float, so <see cref="FusedUpdate"/> runs one pass
/// per parameter without looking anything up.
/// </summary>
public readonly struct UpdateRule
{
    internal enum RuleKind
    {
        Sgd,
        Momentum,
        Nesterov,
        RmsProp,
        Adam,
    }

    internal RuleKind Kind { get; init; }

    internal float LearningRate { get; init; }

    internal float Mu { get; init; }

    internal float Rho { get; init; }

    internal float Epsilon { get; init; }

    internal bool Centered { get; init; }

    internal bool Amsgrad { get; init; }

    internal float AdamStep { get; init; }

    internal float OneMinusBeta1 { get; init; }

    internal float OneMinusBeta2 { get; init; }

    internal float ClipValue { get; init; }

    internal float CoupledDecay { get; init; }

    internal float DecoupledFactor { get; init; }

    /// <summary>Whether the optimizer clips by a norm (needs the gradient norm before the update pass).</summary>
    public bool NeedsNorm { get; init; }

    /// <summary>The rule of <paramref name="optimizer"/> at learning rate <paramref name="lr"/> and 1-based step <paramref name="t"/>.</summary>
    public static UpdateRule Create(Optimizer optimizer, double lr, long t)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var rule = new UpdateRule
        {
            LearningRate = (float)lr,
            ClipValue = optimizer.ClipValue is { } cv ? (float)cv : float.PositiveInfinity,
            CoupledDecay = (float)optimizer.CoupledWeightDecay,
            DecoupledFactor = (float)(lr * optimizer.WeightDecay),
            NeedsNorm = optimizer.ClipNorm.HasValue || optimizer.GlobalClipNorm.HasValue,
        };
        return optimizer switch
        {
            SGD { Momentum: 0 } => rule with { Kind = RuleKind.Sgd },
            SGD s => rule with { Kind = s.Nesterov ? RuleKind.Nesterov : RuleKind.Momentum, Mu = (float)s.Momentum },
            RMSprop r => rule with { Kind = RuleKind.RmsProp, Rho = (float)r.Rho, Mu = (float)r.Momentum, Epsilon = (float)r.Epsilon, Centered = r.Centered },
            Adam a => rule with
            {
                Kind = RuleKind.Adam,
                AdamStep = (float)(lr * Math.Sqrt(1 - Math.Pow(a.Beta2, t)) / (1 - Math.Pow(a.Beta1, t))),
                OneMinusBeta1 = (float)(1 - a.Beta1),
                OneMinusBeta2 = (float)(1 - a.Beta2),
                Epsilon = (float)a.Epsilon,
                Amsgrad = a.Amsgrad,
            },
            _ => throw new NotSupportedException($"optimizer {optimizer.GetType().Name} has no update rule"),
        };
    }
}
