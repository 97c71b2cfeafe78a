using System.Numerics.Tensors;

namespace FuncReg.Kernels;

/// <summary>
/// Vectorized float versions of <see cref="ActivationFunctions"/> (same formulas, element-wise activations
/// only), used by the fused engine. Results agree with the reference within float rounding.
/// </summary>
public static class ActivationKernels
{
    /// <summary><c>y = f(z)</c>; y may alias z.</summary>
    public static void Forward(Activation activation, float alpha, ReadOnlySpan<float> z, Span<float> y)
    {
        switch (activation)
        {
            case Activation.Linear:
                if (!z.Overlaps(y))
                {
                    z.CopyTo(y);
                }
                break;
            case Activation.Relu:
                TensorPrimitives.Max(z, 0f, y);
                break;
            case Activation.Sigmoid:
                for (int i = 0; i < z.Length; i++)
                {
                    y[i] = ActivationFunctions.Sigmoid(z[i]);
                }
                break;
            case Activation.Tanh:
                // Not TensorPrimitives.Tanh: its vector path is off by ~6e-8 absolute near 0 (tanh(0) = −6e-8,
                // 3e-4 relative at 1e-4), which Adam/RMSprop turn into steps of order lr on zero gradients.
                for (int i = 0; i < z.Length; i++)
                {
                    y[i] = MathF.Tanh(z[i]);
                }
                break;
            case Activation.LeakyRelu:
                for (int i = 0; i < z.Length; i++)
                {
                    y[i] = z[i] > 0 ? z[i] : alpha * z[i];
                }
                break;
            case Activation.Elu:
                for (int i = 0; i < z.Length; i++)
                {
                    y[i] = z[i] > 0 ? z[i] : alpha * (MathF.Exp(z[i]) - 1f);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "element-wise activations only");
        }
    }

    /// <summary>
    /// <c>dz = dy · m · f′(z)</c> in one pass: the derivative from z (relu, leaky relu) or from a = f(z)
    /// (sigmoid a(1−a), tanh 1−a², elu a+α below 0), times the dropout mask m when given.
    /// </summary>
    public static void Backward(Activation activation, float alpha, ReadOnlySpan<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> mask, ReadOnlySpan<float> dy, Span<float> dz)
    {
        bool masked = !mask.IsEmpty;
        switch (activation)
        {
            case Activation.Linear:
                if (masked)
                {
                    TensorPrimitives.Multiply(dy, mask, dz);
                }
                else
                {
                    dy.CopyTo(dz);
                }
                break;
            case Activation.Relu:
                for (int i = 0; i < dy.Length; i++)
                {
                    float g = masked ? dy[i] * mask[i] : dy[i];
                    dz[i] = z[i] > 0 ? g : 0f;
                }
                break;
            case Activation.LeakyRelu:
                for (int i = 0; i < dy.Length; i++)
                {
                    float g = masked ? dy[i] * mask[i] : dy[i];
                    dz[i] = z[i] > 0 ? g : alpha * g;
                }
                break;
            case Activation.Elu:
                for (int i = 0; i < dy.Length; i++)
                {
                    float g = masked ? dy[i] * mask[i] : dy[i];
                    dz[i] = z[i] > 0 ? g : g * (a[i] + alpha);
                }
                break;
            case Activation.Sigmoid:
                for (int i = 0; i < dy.Length; i++)
                {
                    float g = masked ? dy[i] * mask[i] : dy[i];
                    dz[i] = g * a[i] * (1f - a[i]);
                }
                break;
            case Activation.Tanh:
                for (int i = 0; i < dy.Length; i++)
                {
                    float g = masked ? dy[i] * mask[i] : dy[i];
                    dz[i] = g * (1f - (a[i] * a[i]));
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "element-wise activations only");
        }
    }
}
