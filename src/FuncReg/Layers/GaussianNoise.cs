namespace FuncReg;

/// <summary>Additive Gaussian noise (Keras <c>GaussianNoise</c>): in training <c>y = x + ε</c>, ε ~ N(0, σ²); identity at inference.</summary>
public sealed record GaussianNoise : Layer
{
    public GaussianNoise(double stddev) => Stddev = stddev;

    /// <summary>σ ≥ 0.</summary>
    public double Stddev { get; init => field = Guard.NonNegative(value, nameof(Stddev)); }

    public override string Kind => "gaussian_noise";

    public override bool HasTrainingBehaviour => true;
}
