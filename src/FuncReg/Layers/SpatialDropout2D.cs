namespace FuncReg;

/// <summary>
/// Keras <c>SpatialDropout2D</c> (Tompson et al. 2015): in training whole feature maps are dropped — channel c of
/// sample r is kept with probability 1 − rate and scaled by 1/(1 − rate), <c>y[r, iy, ix, c] = x[r, iy, ix, c]·m[r, c]</c>,
/// so <c>E[y] = x</c>; identity at inference. The mask is <c>m[r, c] = [u ≥ rate]/(1 − rate)</c> with
/// u = <see cref="CounterRandom.Uniform"/>(key(seed, layer stream, step), r·channels + c), as <see cref="Dropout"/>.
/// </summary>
public sealed record SpatialDropout2D : Layer
{
    /// <summary>Spatial dropout with drop probability <paramref name="rate"/> ∈ [0, 1).</summary>
    public SpatialDropout2D(double rate) => Rate = rate;

    /// <summary>Probability of dropping a channel, in [0, 1).</summary>
    public double Rate { get; init => field = Guard.Rate(value, nameof(Rate)); }

    public override string Kind => "spatial_dropout2d";

    public override bool HasTrainingBehaviour => true;

    internal override int[] OutputShape(int[] input, string name)
    {
        RequireImage(input, name);
        return input;
    }
}
