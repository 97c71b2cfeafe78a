using System.Numerics;

namespace FuncReg;

/// <summary>
/// Parameter initializers (Keras names). fan_in/fan_out of a Dense kernel [in, out] are in/out.
/// Normal variants draw from a normal truncated at 2σ (redrawn outside), with σ divided by
/// 0.87962566103423978 so the truncated distribution has the stated variance, as Keras does.
/// </summary>
public enum Initializer
{
    /// <summary>U(−l, l), l = √(6 / (fan_in + fan_out)). Keras's default for kernels.</summary>
    GlorotUniform = 0,

    /// <summary>Truncated N(0, 2 / (fan_in + fan_out)).</summary>
    GlorotNormal,

    /// <summary>U(−l, l), l = √(6 / fan_in).</summary>
    HeUniform,

    /// <summary>Truncated N(0, 2 / fan_in).</summary>
    HeNormal,

    /// <summary>U(−l, l), l = √(3 / fan_in).</summary>
    LecunUniform,

    /// <summary>Truncated N(0, 1 / fan_in).</summary>
    LecunNormal,

    /// <summary>All zeros. Keras's default for biases and β.</summary>
    Zeros,

    /// <summary>All ones. Keras's default for γ and moving variance.</summary>
    Ones,
}

/// <summary>Fills parameters from the counter-based generator (stream <see cref="RandomStreams.Initialization"/>, step = parameter index).</summary>
public static class Initializers
{
    private const double TruncatedStddevCorrection = 0.87962566103423978;

    /// <summary>Fills <paramref name="values"/> per <paramref name="kind"/>, reproducibly from (seed, parameterIndex).</summary>
    public static void Fill<T>(Initializer kind, Span<T> values, int fanIn, int fanOut, long seed, int parameterIndex)
        where T : IFloatingPointIeee754<T>
    {
        ulong key = CounterRandom.Key(seed, RandomStreams.Initialization, parameterIndex);
        switch (kind)
        {
            case Initializer.Zeros:
                values.Fill(T.Zero);
                return;
            case Initializer.Ones:
                values.Fill(T.One);
                return;
            case Initializer.GlorotUniform:
                Uniform(values, Math.Sqrt(6.0 / (fanIn + fanOut)), key);
                return;
            case Initializer.HeUniform:
                Uniform(values, Math.Sqrt(6.0 / fanIn), key);
                return;
            case Initializer.LecunUniform:
                Uniform(values, Math.Sqrt(3.0 / fanIn), key);
                return;
            case Initializer.GlorotNormal:
                TruncatedNormal(values, Math.Sqrt(2.0 / (fanIn + fanOut)), key);
                return;
            case Initializer.HeNormal:
                TruncatedNormal(values, Math.Sqrt(2.0 / fanIn), key);
                return;
            case Initializer.LecunNormal:
                TruncatedNormal(values, Math.Sqrt(1.0 / fanIn), key);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown initializer");
        }
    }

    private static void Uniform<T>(Span<T> values, double limit, ulong key)
        where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateChecked(((2 * CounterRandom.UniformDouble(key, i)) - 1) * limit);
        }
    }

    private static void TruncatedNormal<T>(Span<T> values, double stddev, ulong key)
        where T : IFloatingPointIeee754<T>
    {
        double sigma = stddev / TruncatedStddevCorrection;
        for (int i = 0; i < values.Length; i++)
        {
            // attempt a uses counter i·64 + a; P(64 rejections) ≈ 0.0455⁶⁴, i.e. never.
            double z = 0;
            for (int attempt = 0; attempt < 64; attempt++)
            {
                z = CounterRandom.Normal(key, ((long)i * 64) + attempt);
                if (Math.Abs(z) <= 2)
                {
                    break;
                }
            }
            values[i] = T.CreateChecked(Math.Clamp(z, -2, 2) * sigma);
        }
    }
}
