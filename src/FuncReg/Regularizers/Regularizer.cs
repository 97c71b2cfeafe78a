using System.Numerics;

namespace FuncReg;

/// <summary>
/// A weight or activity penalty (Keras <c>regularizers.L1</c>, <c>L2</c>, <c>L1L2</c>):
/// <c>Ω(w) = l1·Σ|w| + l2·Σw²</c>, added to the loss as is (not divided by the batch size) when it
/// penalizes a parameter; divided by the batch size when it penalizes a layer's output (activity).
/// Gradient <c>∂Ω/∂w = l1·sign(w) + 2·l2·w</c>, with sign(0) = 0.
/// <para>Conventions: Keras <c>L2(λ)</c> under plain SGD equals PyTorch <c>weight_decay = 2λ</c> (coupled)
/// and scikit-learn's <c>alpha = 2λ·batch</c>.</para>
/// </summary>
public sealed record Regularizer
{
    /// <summary>A penalty with both coefficients; each must be finite and ≥ 0.</summary>
    public Regularizer(double l1, double l2)
    {
        L1Factor = l1;
        L2Factor = l2;
    }

    /// <summary>Coefficient of Σ|w|.</summary>
    public double L1Factor { get; init => field = Guard.NonNegative(value, nameof(L1Factor)); }

    /// <summary>Coefficient of Σw².</summary>
    public double L2Factor { get; init => field = Guard.NonNegative(value, nameof(L2Factor)); }

    /// <summary>Keras <c>L1(l1)</c>: <c>l1·Σ|w|</c>.</summary>
    public static Regularizer L1(double l1) => new(l1, 0);

    /// <summary>Keras <c>L2(l2)</c>: <c>l2·Σw²</c>.</summary>
    public static Regularizer L2(double l2) => new(0, l2);

    /// <summary>Keras <c>L1L2(l1, l2)</c>: <c>l1·Σ|w| + l2·Σw²</c>.</summary>
    public static Regularizer L1L2(double l1, double l2) => new(l1, l2);

    /// <summary>True when both coefficients are zero.</summary>
    public bool IsZero => L1Factor == 0 && L2Factor == 0;

    /// <summary><c>l1·Σ|w| + l2·Σw²</c>, accumulated in double.</summary>
    public double Penalty<T>(ReadOnlySpan<T> w)
        where T : IFloatingPointIeee754<T>
    {
        double abs = 0, sq = 0;
        foreach (T v in w)
        {
            double d = double.CreateChecked(v);
            abs += Math.Abs(d);
            sq += d * d;
        }
        return (L1Factor * abs) + (L2Factor * sq);
    }

    /// <summary><c>g += scale·(l1·sign(w) + 2·l2·w)</c>.</summary>
    public void AddGradient<T>(ReadOnlySpan<T> w, Span<T> g, double scale = 1.0)
        where T : IFloatingPointIeee754<T>
    {
        T l1 = T.CreateChecked(L1Factor * scale);
        T l2 = T.CreateChecked(2 * L2Factor * scale);
        for (int i = 0; i < w.Length; i++)
        {
            g[i] += (l1 * T.CreateChecked(T.Sign(w[i]))) + (l2 * w[i]);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => (L1Factor, L2Factor) switch
    {
        (0, var b) => $"L2({b})",
        (var a, 0) => $"L1({a})",
        var (a, b) => $"L1L2({a}, {b})",
    };
}
