using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FuncReg;

/// <summary>
/// The noise of <see cref="Dropout"/>, <see cref="GaussianDropout"/> and <see cref="GaussianNoise"/>: each
/// fills a per-element factor (or offset) from the counter-based generator, so the same
/// (seed, layer, step) gives the same noise in the reference, the generated code and on any thread count.
/// </summary>
public static class NoiseOps
{
    /// <summary>Dropout mask: <c>mᵢ = [uᵢ ≥ rate] / (1 − rate)</c>, uᵢ = Uniform(key, i).</summary>
    public static void DropoutMask<T>(double rate, ulong key, Span<T> mask)
        where T : IFloatingPointIeee754<T>
    {
        T keep = T.CreateChecked(1.0 / (1.0 - rate));
        int i = 0;
        if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated && rate >= 0 && rate < 1)
        {
            i = DropoutMaskVector(rate, key, float.CreateChecked(keep), MemoryMarshal.CreateSpan(ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(mask)), mask.Length));
        }
        for (; i < mask.Length; i++)
        {
            mask[i] = CounterRandom.Uniform(key, i) >= rate ? keep : T.Zero;
        }
    }

    /// <summary>
    /// The float dropout mask over whole vectors of 8; returns where the scalar tail starts. Same bits as
    /// <see cref="CounterRandom.Uniform"/>: <c>u = (bits ≫ 40)·2⁻²⁴ ≥ rate</c> ⟺ <c>bits ≫ 40 ≥ ⌈rate·2²⁴⌉</c>
    /// (both sides exact), so the mask is identical to the scalar loop.
    /// </summary>
    private static int DropoutMaskVector(double rate, ulong key, float keep, Span<float> mask)
    {
        const ulong gamma = 0x9E3779B97F4A7C15UL;
        const ulong gamma4 = unchecked(4 * gamma), gamma8 = unchecked(8 * gamma);
        int end = mask.Length - (mask.Length % 8);
        uint threshold = (uint)Math.Ceiling(rate * 16777216.0);
        Vector256<uint> thresholdV = Vector256.Create(threshold);
        Vector256<float> keepV = Vector256.Create(keep);
        // Counters key + γ·(i+1) for i = 0..7, advanced by 8γ per vector (wrapping, as the scalar form).
        Vector256<ulong> c0 = unchecked(Vector256.Create(key + gamma, key + (2 * gamma), key + (3 * gamma), key + gamma4));
        Vector256<ulong> c1 = c0 + Vector256.Create(gamma4);
        Vector256<ulong> stride = Vector256.Create(gamma8);
        ref float mr = ref MemoryMarshal.GetReference(mask);
        for (int i = 0; i < end; i += 8)
        {
            Vector256<uint> bits = Vector256.Narrow(Mix(c0) >>> 40, Mix(c1) >>> 40);
            Vector256<float> keepMask = Vector256.GreaterThanOrEqual(bits, thresholdV).AsSingle();
            (keepMask & keepV).StoreUnsafe(ref mr, (nuint)i);
            c0 += stride;
            c1 += stride;
        }
        return end;
    }

    private static Vector256<ulong> Mix(Vector256<ulong> z)
    {
        z = (z ^ (z >>> 30)) * Vector256.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ (z >>> 27)) * Vector256.Create(0x94D049BB133111EBUL);
        return z ^ (z >>> 31);
    }

    /// <summary>Gaussian-dropout factors: <c>mᵢ = 1 + √(rate/(1 − rate))·Normal(key, i)</c>.</summary>
    public static void GaussianDropoutFactors<T>(double rate, ulong key, Span<T> factors)
        where T : IFloatingPointIeee754<T>
    {
        double sd = Math.Sqrt(rate / (1.0 - rate));
        for (int i = 0; i < factors.Length; i++)
        {
            factors[i] = T.CreateChecked(1.0 + (sd * CounterRandom.Normal(key, i)));
        }
    }

    /// <summary>Gaussian-noise offsets: <c>εᵢ = σ·Normal(key, i)</c>.</summary>
    public static void GaussianNoiseOffsets<T>(double stddev, ulong key, Span<T> offsets)
        where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < offsets.Length; i++)
        {
            offsets[i] = T.CreateChecked(stddev * CounterRandom.Normal(key, i));
        }
    }
}
