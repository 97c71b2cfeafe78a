namespace FuncReg;

/// <summary>
/// A <see cref="FuncReg.SpatialDropout2D"/> layer: in training each channel of each sample is dropped whole with
/// probability rate, the kept ones scaled by 1/(1 − rate) (<c>y[r, iy, ix, c] = x[r, iy, ix, c]·m[r, c]</c>); identity at inference.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SpatialDropout2DAttribute : Attribute
{
    /// <summary>Spatial dropout with drop probability <paramref name="rate"/> ∈ [0, 1).</summary>
    public SpatialDropout2DAttribute(double rate) => Rate = rate;

    /// <summary>Probability of dropping a channel, in [0, 1).</summary>
    public double Rate { get; }
}
