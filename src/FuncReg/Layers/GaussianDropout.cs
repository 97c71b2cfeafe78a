namespace FuncReg;

/// <summary>
/// Multiplicative Gaussian noise (Keras <c>GaussianDropout</c>): in training <c>y = x·ε</c>,
/// ε ~ N(1, rate/(1 − rate)); identity at inference. Same mean as x, the variance of dropout with that rate.
/// </summary>
public sealed record GaussianDropout : Layer
{
    public GaussianDropout(double rate) => Rate = rate;

    /// <summary>In [0, 1); the noise's standard deviation is √(rate/(1 − rate)).</summary>
    public double Rate { get; init => field = Guard.Rate(value, nameof(Rate)); }

    public override string Kind => "gaussian_dropout";

    public override bool HasTrainingBehaviour => true;
}
