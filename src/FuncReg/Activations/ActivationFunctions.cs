using System.Numerics;

namespace FuncReg;

/// <summary>
/// Forward and backward (vector–Jacobian product) of every <see cref="Activation"/>, generic so the
/// reference runs in float and the gradient checks in double. Rows are samples, columns units.
/// </summary>
public static class ActivationFunctions
{
    /// <summary>Default α of an activation: 0.2 for leaky ReLU, 1 for ELU, unused otherwise.</summary>
    public static double DefaultAlpha(Activation activation) => activation switch
    {
        Activation.LeakyRelu => 0.2,
        Activation.Elu => 1.0,
        _ => 0.0,
    };

    /// <summary><c>y = f(z)</c> for a [rows × units] block.</summary>
    public static void Forward<T>(Activation activation, double alpha, ReadOnlySpan<T> z, Span<T> y, int units)
        where T : IFloatingPointIeee754<T>
    {
        if (y.Length < z.Length)
        {
            throw new ShapeMismatchException($"output length {y.Length} < input length {z.Length}", nameof(y));
        }
        T a = T.CreateChecked(alpha);
        switch (activation)
        {
            case Activation.Linear:
                z.CopyTo(y);
                break;
            case Activation.Relu:
                for (int i = 0; i < z.Length; i++)
                {
                    y[i] = z[i] > T.Zero ? z[i] : T.Zero;
                }
                break;
            case Activation.LeakyRelu:
                for (int i = 0; i < z.Length; i++)
                {
                    y[i] = z[i] > T.Zero ? z[i] : a * z[i];
                }
                break;
            case Activation.Elu:
                for (int i = 0; i < z.Length; i++)
                {
                    y[i] = z[i] > T.Zero ? z[i] : a * (T.Exp(z[i]) - T.One);
                }
                break;
            case Activation.Sigmoid:
                for (int i = 0; i < z.Length; i++)
                {
                    y[i] = Sigmoid(z[i]);
                }
                break;
            case Activation.Tanh:
                for (int i = 0; i < z.Length; i++)
                {
                    y[i] = T.Tanh(z[i]);
                }
                break;
            case Activation.Softmax:
                Softmax(z, y, units);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        }
    }

    /// <summary>
    /// <c>dz = (∂y/∂z)ᵀ·dy</c>. Element-wise: relu' = [z &gt; 0]; leaky' = 1 or α; elu' = 1 or y + α;
    /// σ' = y(1 − y); tanh' = 1 − y². Softmax row-wise: <c>dzⱼ = yⱼ(dyⱼ − Σₖ dyₖ yₖ)</c>.
    /// </summary>
    public static void Backward<T>(Activation activation, double alpha, ReadOnlySpan<T> z, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dz, int units)
        where T : IFloatingPointIeee754<T>
    {
        T a = T.CreateChecked(alpha);
        switch (activation)
        {
            case Activation.Linear:
                dy.CopyTo(dz);
                break;
            case Activation.Relu:
                for (int i = 0; i < dy.Length; i++)
                {
                    dz[i] = z[i] > T.Zero ? dy[i] : T.Zero;
                }
                break;
            case Activation.LeakyRelu:
                for (int i = 0; i < dy.Length; i++)
                {
                    dz[i] = z[i] > T.Zero ? dy[i] : a * dy[i];
                }
                break;
            case Activation.Elu:
                for (int i = 0; i < dy.Length; i++)
                {
                    dz[i] = z[i] > T.Zero ? dy[i] : dy[i] * (y[i] + a);
                }
                break;
            case Activation.Sigmoid:
                for (int i = 0; i < dy.Length; i++)
                {
                    dz[i] = dy[i] * y[i] * (T.One - y[i]);
                }
                break;
            case Activation.Tanh:
                for (int i = 0; i < dy.Length; i++)
                {
                    dz[i] = dy[i] * (T.One - (y[i] * y[i]));
                }
                break;
            case Activation.Softmax:
                for (int r = 0; r < dy.Length / units; r++)
                {
                    int o = r * units;
                    T dot = T.Zero;
                    for (int j = 0; j < units; j++)
                    {
                        dot += dy[o + j] * y[o + j];
                    }
                    for (int j = 0; j < units; j++)
                    {
                        dz[o + j] = y[o + j] * (dy[o + j] - dot);
                    }
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        }
    }

    /// <summary>σ(z) = 1/(1+e⁻ᶻ) for z ≥ 0, eᶻ/(1+eᶻ) otherwise (no overflow).</summary>
    public static T Sigmoid<T>(T z)
        where T : IFloatingPointIeee754<T>
    {
        if (z >= T.Zero)
        {
            return T.One / (T.One + T.Exp(-z));
        }
        T e = T.Exp(z);
        return e / (T.One + e);
    }

    /// <summary>Row-wise softmax with the row maximum subtracted first.</summary>
    public static void Softmax<T>(ReadOnlySpan<T> z, Span<T> y, int units)
        where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < z.Length / units; r++)
        {
            int o = r * units;
            T max = z[o];
            for (int j = 1; j < units; j++)
            {
                max = T.Max(max, z[o + j]);
            }
            T sum = T.Zero;
            for (int j = 0; j < units; j++)
            {
                T e = T.Exp(z[o + j] - max);
                y[o + j] = e;
                sum += e;
            }
            for (int j = 0; j < units; j++)
            {
                y[o + j] /= sum;
            }
        }
    }
}
