namespace FuncReg;

/// <summary>Mixup's pieces: soft targets from labels, Beta(α, α) sampling and the in-place mixing of a batch.</summary>
public static class Mixup
{
    /// <summary>
    /// Float targets from integer labels for a model of <paramref name="units"/> outputs: one-hot rows when
    /// units &gt; 1, the label itself when units = 1 (binary cross-entropy, regression).
    /// </summary>
    public static void SoftTargets(ReadOnlySpan<int> labels, int units, Span<float> targets)
    {
        targets[..(labels.Length * units)].Clear();
        for (int k = 0; k < labels.Length; k++)
        {
            if (units == 1)
            {
                targets[k] = labels[k];
            }
            else
            {
                targets[(k * units) + labels[k]] = 1f;
            }
        }
    }

    /// <summary>
    /// λ ~ Beta(α, α) = X / (X + Y) with X, Y ~ Gamma(α) (Marsaglia–Tsang, boosted by U^{1/α} for α &lt; 1),
    /// drawing counters upwards from <paramref name="counter"/> under <paramref name="key"/>.
    /// </summary>
    public static double Beta(double alpha, ulong key, ref long counter)
    {
        double x = Gamma(alpha, key, ref counter), y = Gamma(alpha, key, ref counter);
        return x + y > 0 ? x / (x + y) : 0.5;
    }

    private static double Gamma(double alpha, ulong key, ref long counter)
    {
        if (alpha < 1)
        {
            double u = 1.0 - CounterRandom.UniformDouble(key, counter++);
            return Gamma(alpha + 1, key, ref counter) * Math.Pow(u, 1 / alpha);
        }
        double d = alpha - (1.0 / 3), c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double z = CounterRandom.Normal(key, counter++);
            double v = 1 + (c * z);
            if (v <= 0)
            {
                continue;
            }
            v = v * v * v;
            double u = 1.0 - CounterRandom.UniformDouble(key, counter++);
            if (Math.Log(u) < (0.5 * z * z) + d - (d * v) + (d * Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    /// <summary>
    /// <c>row_k ← λ·row_k + (1−λ)·row_π(k)</c> for <paramref name="count"/> rows of <paramref name="width"/> values,
    /// reading the originals from <paramref name="copy"/> (scratch of the same size).
    /// </summary>
    public static void Mix(Span<float> rows, Span<float> copy, int count, int width, ReadOnlySpan<int> pairing, float lambda)
    {
        rows[..(count * width)].CopyTo(copy);
        for (int k = 0; k < count; k++)
        {
            Span<float> dst = rows.Slice(k * width, width);
            ReadOnlySpan<float> other = copy.Slice(pairing[k] * width, width);
            for (int j = 0; j < width; j++)
            {
                dst[j] = (lambda * dst[j]) + ((1 - lambda) * other[j]);
            }
        }
    }
}
