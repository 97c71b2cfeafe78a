using System.Runtime.CompilerServices;

namespace FuncReg;

/// <summary>
/// The one random generator of FuncReg: counter-based, so a number depends only on
/// <c>(seed, stream, step, index)</c> and never on how many numbers were drawn before or on
/// which thread drew them (DESIGN §5).
/// <para>
/// <c>key = Mix(Mix(Mix(seed ⊕ γ·(stream+1)) ⊕ step·C))</c> is computed once per (seed, stream, step);
/// element <c>i</c> is <c>Mix(key + γ·(i+1))</c>, the SplitMix64 output function on the counter,
/// with γ = 0x9E3779B97F4A7C15.
/// </para>
/// </summary>
public static class CounterRandom
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private const ulong StepMul = 0xD1B54A32D192ED03UL;

    /// <summary>SplitMix64's finalizer (Stafford variant 13): a bijective 64-bit mix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Key of one (seed, stream, step) triple; draw elements from it with <see cref="Bits"/>.</summary>
    public static ulong Key(long seed, long stream, long step)
    {
        ulong h = Mix((ulong)seed ^ (Gamma * (ulong)(stream + 1)));
        h = Mix(h ^ ((ulong)step * StepMul));
        return Mix(h + Gamma);
    }

    /// <summary>64 random bits for element <paramref name="index"/> under <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bits(ulong key, long index) => Mix(key + (Gamma * (ulong)(index + 1)));

    /// <summary>Uniform in [0, 1) with 24 random bits: <c>(bits ≫ 40)·2⁻²⁴</c>, exact in float and double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Uniform(ulong key, long index) => (Bits(key, index) >> 40) * (1.0f / 16777216.0f);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double UniformDouble(ulong key, long index) => (Bits(key, index) >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>
    /// Standard normal N(0, 1) for element <paramref name="index"/> by Box–Muller on the two 53-bit
    /// uniforms at counters 2i and 2i+1: <c>√(−2 ln(1−u₁))·cos(2π u₂)</c>.
    /// </summary>
    public static double Normal(ulong key, long index)
    {
        double u1 = 1.0 - UniformDouble(key, 2 * index);
        double u2 = UniformDouble(key, (2 * index) + 1);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Uniform integer in [0, n) for element <paramref name="index"/> (multiply-shift on 53 bits).</summary>
    public static int NextInt(ulong key, long index, int n) => (int)Math.Min(n - 1, Math.Floor(UniformDouble(key, index) * n));
}

/// <summary>Stream numbers: each consumer of randomness takes its own stream.</summary>
public static class RandomStreams
{
    /// <summary>Parameter initialization; the step is the parameter's index.</summary>
    public const long Initialization = 1;

    /// <summary>Shuffling of training samples; the step is the epoch.</summary>
    public const long Shuffle = 2;

    /// <summary>Validation split (reserved).</summary>
    public const long Split = 3;

    /// <summary>Data augmentation; the step is the global training step.</summary>
    public const long Augmentation = 4;

    /// <summary>Layer <paramref name="layerIndex"/>'s noise (dropout masks, Gaussian noise); the step is the global training step.</summary>
    public static long Layer(int layerIndex) => 100 + layerIndex;
}
