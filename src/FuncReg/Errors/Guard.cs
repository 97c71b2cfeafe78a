using System.Runtime.CompilerServices;

namespace FuncReg;

/// <summary>Argument checks that name the argument, the value and the allowed range.</summary>
internal static class Guard
{
    public static double Finite(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number, got {value}.");
        }
        return value;
    }

    public static double NonNegative(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number ≥ 0, got {value}.");
        }
        return value;
    }

    public static double Positive(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number > 0, got {value}.");
        }
        return value;
    }

    public static int Positive(int value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be ≥ 1, got {value}.");
        }
        return value;
    }

    public static int NonNegative(int value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be ≥ 0, got {value}.");
        }
        return value;
    }

    /// <summary>value ∈ [0, 1): the range of a dropout rate.</summary>
    public static double Rate(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1), got {value}.");
        }
        return value;
    }

    /// <summary>value ∈ [0, 1].</summary>
    public static double UnitInterval(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1], got {value}.");
        }
        return value;
    }

    /// <summary>value ∈ [0, 1): exclusive upper bound, as for momentum or β.</summary>
    public static double Fraction(double value, [CallerArgumentExpression(nameof(value))] string? name = null) => Rate(value, name);
}
