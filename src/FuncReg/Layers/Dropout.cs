namespace FuncReg;

/// <summary>
/// Inverted dropout (Srivastava et al. 2014; Keras <c>Dropout</c>): in training each unit is kept with
/// probability 1 − rate and scaled by 1/(1 − rate), so <c>E[y] = x</c>; at inference <c>y = x</c>.
/// The mask of sample r, unit j at training step s is <c>u ≥ rate</c> with
/// u = <see cref="CounterRandom.Uniform"/>(key(seed, layer stream, s), r·units + j).
/// </summary>
public sealed record Dropout : Layer
{
    /// <summary>Dropout with drop probability <paramref name="rate"/> ∈ [0, 1).</summary>
    public Dropout(double rate) => Rate = rate;

    /// <summary>Probability of dropping a unit, in [0, 1).</summary>
    public double Rate { get; init => field = Guard.Rate(value, nameof(Rate)); }

    public override string Kind => "dropout";

    public override bool HasTrainingBehaviour => true;
}
