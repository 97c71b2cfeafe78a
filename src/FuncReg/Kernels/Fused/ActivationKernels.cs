using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FuncReg.Kernels;

/// <summary>
/// Vectorized float versions of <see cref="ActivationFunctions"/> (same formulas, element-wise activations
/// only), used by the fused engine. Results agree with the reference within float rounding.
/// </summary>
/// <remarks>
/// The loops run on <see cref="Vector256{T}"/> with a scalar tail. Everything but the exponential is the
/// scalar formula operation for operation (separate multiply and add, no FMA), so relu (<c>z &gt; 0 ? z : 0</c>, as
/// the reference), leaky relu and every backward pass are bit-identical to the scalar loop; sigmoid and elu use
/// <see cref="Vector256.Exp(Vector256{float})"/> (also for the last &lt; 8 elements, zero-padded, so an
/// element's value does not depend on its position in the span), which may differ from
/// <see cref="MathF.Exp(float)"/> in the last bit.
/// </remarks>
public static class ActivationKernels
{
    private const int N = 8;

    /// <summary>Element-wise passes at least this long are split over the context's threads.</summary>
    public const int ParallelSize = 1 << 16;

    /// <summary>
    /// <see cref="Forward(Activation, float, ReadOnlySpan{float}, Span{float})"/> split over the threads of
    /// <paramref name="context"/> in contiguous chunks of whole vectors when the span has at least
    /// <see cref="ParallelSize"/> elements: element-wise, so the result is the same for any thread count.
    /// </summary>
    public static void Forward(GemmContext context, Activation activation, float alpha, ReadOnlySpan<float> z, Span<float> y)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.ThreadCount == 1 || z.Length < ParallelSize)
        {
            Forward(activation, alpha, z, y);
            return;
        }
        if (y.Length < z.Length)
        {
            throw new ArgumentException("the output is shorter than the input", nameof(y));
        }
        context.Elementwise.RunForward(context, activation, alpha, z, y);
    }

    /// <summary>
    /// <see cref="Backward(Activation, float, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    /// split over the threads of <paramref name="context"/> as <see cref="Forward(GemmContext, Activation, float, ReadOnlySpan{float}, Span{float})"/>.
    /// </summary>
    public static void Backward(GemmContext context, Activation activation, float alpha, ReadOnlySpan<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> mask, ReadOnlySpan<float> dy, Span<float> dz)
    {
        ArgumentNullException.ThrowIfNull(context);
        int length = dy.Length;
        if (context.ThreadCount == 1 || length < ParallelSize || activation is not (Activation.Linear or Activation.Relu or Activation.LeakyRelu or Activation.Elu or Activation.Sigmoid or Activation.Tanh))
        {
            Backward(activation, alpha, z, a, mask, dy, dz);
            return;
        }
        bool needsZ = activation is Activation.Relu or Activation.LeakyRelu or Activation.Elu;
        bool needsA = activation is Activation.Sigmoid or Activation.Tanh or Activation.Elu;
        if (dz.Length < length || (!mask.IsEmpty && mask.Length < length) || (needsZ && z.Length < length) || (needsA && a.Length < length))
        {
            throw new ArgumentException("a buffer is shorter than the gradient", nameof(dz));
        }
        context.Elementwise.RunBackward(context, activation, alpha, needsZ ? z[..length] : default, needsA ? a[..length] : default, mask.IsEmpty ? default : mask[..length], dy, dz[..length]);
    }

    /// <summary><c>y = f(z)</c>; y may alias z.</summary>
    public static void Forward(Activation activation, float alpha, ReadOnlySpan<float> z, Span<float> y)
    {
        if (y.Length < z.Length)
        {
            throw new ArgumentException("the output is shorter than the input", nameof(y));
        }
        int end = Vector256.IsHardwareAccelerated ? z.Length - (z.Length % N) : 0;
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        switch (activation)
        {
            case Activation.Linear:
                if (!Unsafe.AreSame(ref zr, ref yr))
                {
                    z.CopyTo(y);
                }
                break;
            case Activation.Relu:
                for (; i < end; i += N)
                {
                    Vector256<float> v = Vector256.LoadUnsafe(ref zr, (nuint)i);
                    Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero), v, Vector256<float>.Zero).StoreUnsafe(ref yr, (nuint)i);
                }
                for (; i < z.Length; i++)
                {
                    y[i] = z[i] > 0 ? z[i] : 0f;
                }
                break;
            case Activation.Sigmoid:
                for (; i < end; i += N)
                {
                    Sigmoid(Vector256.LoadUnsafe(ref zr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                }
                if (Vector256.IsHardwareAccelerated)
                {
                    if (i < z.Length)
                    {
                        StoreTail(Sigmoid(LoadTail(z, i)), y, i, z.Length - i);
                    }
                    break;
                }
                for (; i < z.Length; i++)
                {
                    y[i] = ActivationFunctions.Sigmoid(z[i]);
                }
                break;
            case Activation.Tanh:
                // Not TensorPrimitives.Tanh: its vector path is off by ~6e-8 absolute near 0 (tanh(0) = −6e-8,
                // 3e-4 relative at 1e-4), which Adam/RMSprop turn into steps of order lr on zero gradients.
                for (; i < z.Length; i++)
                {
                    y[i] = MathF.Tanh(z[i]);
                }
                break;
            case Activation.LeakyRelu:
                {
                    Vector256<float> av = Vector256.Create(alpha);
                    for (; i < end; i += N)
                    {
                        Vector256<float> v = Vector256.LoadUnsafe(ref zr, (nuint)i);
                        Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero), v, av * v).StoreUnsafe(ref yr, (nuint)i);
                    }
                    for (; i < z.Length; i++)
                    {
                        y[i] = z[i] > 0 ? z[i] : alpha * z[i];
                    }
                    break;
                }
            case Activation.Elu:
                {
                    Vector256<float> av = Vector256.Create(alpha);
                    for (; i < end; i += N)
                    {
                        Elu(Vector256.LoadUnsafe(ref zr, (nuint)i), av).StoreUnsafe(ref yr, (nuint)i);
                    }
                    if (Vector256.IsHardwareAccelerated)
                    {
                        if (i < z.Length)
                        {
                            StoreTail(Elu(LoadTail(z, i), av), y, i, z.Length - i);
                        }
                        break;
                    }
                    for (; i < z.Length; i++)
                    {
                        y[i] = z[i] > 0 ? z[i] : alpha * (MathF.Exp(z[i]) - 1f);
                    }
                    break;
                }
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
        int length = dy.Length;
        if (dz.Length < length || (!mask.IsEmpty && mask.Length < length))
        {
            throw new ArgumentException("a buffer is shorter than the gradient", nameof(dz));
        }
        switch (activation)
        {
            case Activation.Linear:
                if (!mask.IsEmpty)
                {
                    TensorPrimitives.Multiply(dy, mask[..length], dz);
                }
                else
                {
                    dy.CopyTo(dz);
                }
                return;
            case Activation.Relu or Activation.LeakyRelu or Activation.Elu:
                if (z.Length < length)
                {
                    throw new ArgumentException("z is shorter than the gradient", nameof(z));
                }
                break;
            case Activation.Sigmoid or Activation.Tanh:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "element-wise activations only");
        }
        if (activation is Activation.Sigmoid or Activation.Tanh or Activation.Elu && a.Length < length)
        {
            throw new ArgumentException("a is shorter than the gradient", nameof(a));
        }
        if (mask.IsEmpty)
        {
            Backward<NoMask>(activation, alpha, z, a, mask, dy, dz);
        }
        else
        {
            Backward<WithMask>(activation, alpha, z, a, mask, dy, dz);
        }
    }

    private static void Backward<TMask>(Activation activation, float alpha, ReadOnlySpan<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> mask, ReadOnlySpan<float> dy, Span<float> dz)
        where TMask : struct, IMask
    {
        int length = dy.Length;
        int end = Vector256.IsHardwareAccelerated ? length - (length % N) : 0;
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float mr = ref MemoryMarshal.GetReference(mask);
        ref float dyr = ref MemoryMarshal.GetReference(dy);
        ref float dzr = ref MemoryMarshal.GetReference(dz);
        Vector256<float> av = Vector256.Create(alpha), one = Vector256<float>.One, zero = Vector256<float>.Zero;
        int i = 0;
        switch (activation)
        {
            case Activation.Relu:
                for (; i < end; i += N)
                {
                    Vector256<float> g = TMask.Apply(Vector256.LoadUnsafe(ref dyr, (nuint)i), ref mr, i);
                    Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref zr, (nuint)i), zero), g, zero).StoreUnsafe(ref dzr, (nuint)i);
                }
                for (; i < length; i++)
                {
                    float g = TMask.Apply(dy[i], mask, i);
                    dz[i] = z[i] > 0 ? g : 0f;
                }
                break;
            case Activation.LeakyRelu:
                for (; i < end; i += N)
                {
                    Vector256<float> g = TMask.Apply(Vector256.LoadUnsafe(ref dyr, (nuint)i), ref mr, i);
                    Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref zr, (nuint)i), zero), g, av * g).StoreUnsafe(ref dzr, (nuint)i);
                }
                for (; i < length; i++)
                {
                    float g = TMask.Apply(dy[i], mask, i);
                    dz[i] = z[i] > 0 ? g : alpha * g;
                }
                break;
            case Activation.Elu:
                for (; i < end; i += N)
                {
                    Vector256<float> g = TMask.Apply(Vector256.LoadUnsafe(ref dyr, (nuint)i), ref mr, i);
                    Vector256<float> below = g * (Vector256.LoadUnsafe(ref ar, (nuint)i) + av);
                    Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref zr, (nuint)i), zero), g, below).StoreUnsafe(ref dzr, (nuint)i);
                }
                for (; i < length; i++)
                {
                    float g = TMask.Apply(dy[i], mask, i);
                    dz[i] = z[i] > 0 ? g : g * (a[i] + alpha);
                }
                break;
            case Activation.Sigmoid:
                for (; i < end; i += N)
                {
                    Vector256<float> g = TMask.Apply(Vector256.LoadUnsafe(ref dyr, (nuint)i), ref mr, i);
                    Vector256<float> s = Vector256.LoadUnsafe(ref ar, (nuint)i);
                    (g * s * (one - s)).StoreUnsafe(ref dzr, (nuint)i);
                }
                for (; i < length; i++)
                {
                    float g = TMask.Apply(dy[i], mask, i);
                    dz[i] = g * a[i] * (1f - a[i]);
                }
                break;
            case Activation.Tanh:
                for (; i < end; i += N)
                {
                    Vector256<float> g = TMask.Apply(Vector256.LoadUnsafe(ref dyr, (nuint)i), ref mr, i);
                    Vector256<float> t = Vector256.LoadUnsafe(ref ar, (nuint)i);
                    (g * (one - (t * t))).StoreUnsafe(ref dzr, (nuint)i);
                }
                for (; i < length; i++)
                {
                    float g = TMask.Apply(dy[i], mask, i);
                    dz[i] = g * (1f - (a[i] * a[i]));
                }
                break;
        }
    }

    /// <summary>
    /// The last <c>z.Length − start</c> (&lt; 8) elements, zero-padded to a vector: the tail goes through the
    /// same vector function as the body, so an element's result does not depend on where it falls in the span.
    /// </summary>
    private static Vector256<float> LoadTail(ReadOnlySpan<float> z, int start)
    {
        Span<float> lanes = stackalloc float[8];
        lanes.Clear();
        z[start..].CopyTo(lanes);
        return Vector256.Create<float>(lanes);
    }

    private static void StoreTail(Vector256<float> v, Span<float> y, int start, int count)
    {
        Span<float> lanes = stackalloc float[8];
        v.CopyTo(lanes);
        lanes[..count].CopyTo(y[start..]);
    }

    /// <summary>
    /// ELU with <c>eᶻ − 1</c> as an expm1: <c>Vector256.Exp</c> returns 1 + ulp near 0, which made ELU of tiny
    /// negative z positive (wrong sign, and a flipped sign(y) under an L1 activity penalty). For |z| &lt; 1/4 the
    /// Taylor series <c>z(1 + z/2(1 + z/3(… (1 + z/7))))</c> is used (truncation &lt; 2e-9 relative); elsewhere
    /// <c>eᶻ − 1</c>, clamped to ≤ 0 (cancellation &lt; 3e-7 relative there).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Elu(Vector256<float> v, Vector256<float> alpha)
    {
        Vector256<float> negative = Vector256.Min(v, Vector256<float>.Zero);
        Vector256<float> viaExp = Vector256.Min(Vector256.Exp(negative) - Vector256<float>.One, Vector256<float>.Zero);
        Vector256<float> series = Vector256<float>.One;
        for (int k = 7; k >= 2; k--)
        {
            series = Vector256<float>.One + (negative * Vector256.Create(1f / k) * series);
        }
        series *= negative;
        Vector256<float> expm1 = Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(negative), Vector256.Create(0.25f)), series, viaExp);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero), v, alpha * expm1);
    }

    /// <summary>σ(z) as <see cref="ActivationFunctions.Sigmoid{T}(T)"/>: 1/(1+e⁻ᶻ) for z ≥ 0, eᶻ/(1+eᶻ) otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Sigmoid(Vector256<float> z)
    {
        Vector256<float> e = Vector256.Exp(-Vector256.Abs(z));
        Vector256<float> denominator = Vector256<float>.One + e;
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(z, Vector256<float>.Zero), Vector256<float>.One / denominator, e / denominator);
    }

    private interface IMask
    {
        static abstract Vector256<float> Apply(Vector256<float> dy, ref float mask, int i);

        static abstract float Apply(float dy, ReadOnlySpan<float> mask, int i);
    }

    private readonly struct NoMask : IMask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Apply(Vector256<float> dy, ref float mask, int i) => dy;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Apply(float dy, ReadOnlySpan<float> mask, int i) => dy;
    }

    private readonly struct WithMask : IMask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Apply(Vector256<float> dy, ref float mask, int i) => dy * Vector256.LoadUnsafe(ref mask, (nuint)i);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Apply(float dy, ReadOnlySpan<float> mask, int i) => dy * mask[i];
    }
}
