using System.Numerics;

namespace FuncReg;

/// <summary>
/// A projection applied to a parameter after every optimizer update (Keras <c>constraints</c>).
/// For a Dense kernel of shape [in, out] the norms are taken over axis 0: each column — the
/// incoming weights of one unit — separately. For a 1-D parameter (bias) the whole vector is one group.
/// ε = 1e-7 (Keras backend epsilon) keeps divisions finite.
/// </summary>
public abstract record Constraint
{
    /// <summary>Keras's backend epsilon.</summary>
    public const double Epsilon = 1e-7;

    /// <summary>Projects <paramref name="w"/>, laid out as [rows, columns], in place.</summary>
    public abstract void Apply<T>(Span<T> w, int rows, int columns)
        where T : IFloatingPointIeee754<T>;

    /// <summary>The norm a column of norm <paramref name="norm"/> is rescaled to, for norm constraints.</summary>
    protected virtual double DesiredNorm(double norm) => norm;

    /// <summary>Rescales each column j by <c>DesiredNorm(‖wⱼ‖)/(ε + ‖wⱼ‖)</c> (no allocation: called after every update).</summary>
    protected void RescaleColumns<T>(Span<T> w, int rows, int columns)
        where T : IFloatingPointIeee754<T>
    {
        for (int j = 0; j < columns; j++)
        {
            double sq = 0;
            for (int i = 0; i < rows; i++)
            {
                double v = double.CreateChecked(w[(i * columns) + j]);
                sq += v * v;
            }
            double norm = Math.Sqrt(sq);
            T factor = T.CreateChecked(DesiredNorm(norm) / (Epsilon + norm));
            for (int i = 0; i < rows; i++)
            {
                w[(i * columns) + j] *= factor;
            }
        }
    }
}

/// <summary>
/// Keras <c>MaxNorm(max_value)</c>: each unit's incoming weight vector is rescaled to
/// <c>w·clip(‖w‖, 0, c)/(ε + ‖w‖)</c>, so its norm stays ≤ c (Srivastava et al. 2014 use c ≈ 3–4 with dropout).
/// </summary>
public sealed record MaxNorm : Constraint
{
    public MaxNorm(double maxValue = 2.0) => MaxValue = maxValue;

    /// <summary>The norm bound c &gt; 0 (Keras default 2).</summary>
    public double MaxValue { get; init => field = Guard.Positive(value, nameof(MaxValue)); }

    public override void Apply<T>(Span<T> w, int rows, int columns) => RescaleColumns(w, rows, columns);

    protected override double DesiredNorm(double norm) => Math.Clamp(norm, 0, MaxValue);
}

/// <summary>Keras <c>UnitNorm()</c>: <c>w / (ε + ‖w‖)</c> per unit.</summary>
public sealed record UnitNorm : Constraint
{
    public override void Apply<T>(Span<T> w, int rows, int columns) => RescaleColumns(w, rows, columns);

    protected override double DesiredNorm(double norm) => 1.0;
}

/// <summary>Keras <c>NonNeg()</c>: <c>w · [w ≥ 0]</c>.</summary>
public sealed record NonNeg : Constraint
{
    public override void Apply<T>(Span<T> w, int rows, int columns)
    {
        for (int i = 0; i < w.Length; i++)
        {
            if (w[i] < T.Zero)
            {
                w[i] = T.Zero;
            }
        }
    }
}

/// <summary>
/// Keras <c>MinMaxNorm(min_value, max_value, rate)</c>:
/// <c>desired = rate·clip(‖w‖, min, max) + (1 − rate)·‖w‖</c>, then <c>w·desired/(ε + ‖w‖)</c> per unit.
/// </summary>
public sealed record MinMaxNorm : Constraint
{
    public MinMaxNorm(double minValue = 0.0, double maxValue = 1.0, double rate = 1.0)
    {
        MinValue = minValue;
        MaxValue = maxValue;
        Rate = rate;
        if (MinValue > MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(minValue), minValue, $"minValue must be ≤ maxValue ({maxValue}).");
        }
    }

    public double MinValue { get; init => field = Guard.NonNegative(value, nameof(MinValue)); }

    public double MaxValue { get; init => field = Guard.NonNegative(value, nameof(MaxValue)); }

    /// <summary>Interpolation toward the clipped norm, in [0, 1].</summary>
    public double Rate { get; init => field = Guard.UnitInterval(value, nameof(Rate)); }

    public override void Apply<T>(Span<T> w, int rows, int columns) => RescaleColumns(w, rows, columns);

    protected override double DesiredNorm(double norm) => (Rate * Math.Clamp(norm, MinValue, MaxValue)) + ((1 - Rate) * norm);
}
