using System.Numerics;

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
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = CounterRandom.Uniform(key, i) >= rate ? keep : T.Zero;
        }
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
