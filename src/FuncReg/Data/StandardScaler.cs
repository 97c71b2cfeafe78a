namespace FuncReg;

/// <summary>
/// Z-score per feature (scikit-learn's <c>StandardScaler</c>): <c>x' = (x − μ_j) / σ_j</c>, with μ_j the mean and
/// σ_j the population standard deviation (divisor n) of feature j over the data given to <see cref="Fit"/>.
/// A constant feature (σ_j = 0) gets σ_j = 1, so it becomes 0 instead of NaN. Fit on the training part only and
/// transform the others with the same record, so no statistic leaks from validation or test data.
/// Immutable: <see cref="Transform"/> returns a new <see cref="Dataset"/>.
/// </summary>
public sealed record StandardScaler
{
    private readonly float[] mean;
    private readonly float[] scale;

    private StandardScaler(float[] mean, float[] scale)
    {
        this.mean = mean;
        this.scale = scale;
    }

    /// <summary>μ_j per feature.</summary>
    public IReadOnlyList<float> Mean => mean;

    /// <summary>σ_j per feature (1 where the feature was constant).</summary>
    public IReadOnlyList<float> Scale => scale;

    /// <summary>Statistics of every feature over <paramref name="train"/> (accumulated in double).</summary>
    public static StandardScaler Fit(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
        {
            throw new ArgumentException("cannot fit a scaler on an empty data set.", nameof(train));
        }
        int d = train.SampleSize, n = train.Count;
        var sum = new double[d];
        ReadOnlySpan<float> x = train.Features;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                sum[j] += x[(i * d) + j];
            }
        }
        var mu = new double[d];
        for (int j = 0; j < d; j++)
        {
            mu[j] = sum[j] / n;
        }
        var sq = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                double c = x[(i * d) + j] - mu[j];
                sq[j] += c * c;
            }
        }
        var mean = new float[d];
        var scale = new float[d];
        for (int j = 0; j < d; j++)
        {
            mean[j] = (float)mu[j];
            float s = (float)Math.Sqrt(sq[j] / n);
            scale[j] = s > 0 ? s : 1f;
        }
        return new StandardScaler(mean, scale);
    }

    /// <summary><c>(x − μ) / σ</c> per feature; the data must have as many values per sample as the fitted data.</summary>
    public Dataset Transform(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ScalerChecks.SameWidth(data, mean.Length, nameof(StandardScaler));
        int d = mean.Length;
        ReadOnlySpan<float> x = data.Features;
        var y = new float[x.Length];
        for (int i = 0; i < y.Length; i++)
        {
            int j = i % d;
            y[i] = (x[i] - mean[j]) / scale[j];
        }
        return data.WithOwnedFeatures(y);
    }

    public bool Equals(StandardScaler? other) => other is not null && mean.AsSpan().SequenceEqual(other.mean) && scale.AsSpan().SequenceEqual(other.scale);

    public override int GetHashCode() => HashCode.Combine(mean.Length, mean.Length > 0 ? mean[0] : 0, scale.Length > 0 ? scale[0] : 0);
}

internal static class ScalerChecks
{
    public static void SameWidth(Dataset data, int width, string scaler)
    {
        if (data.SampleSize != width)
        {
            throw new ShapeMismatchException($"{scaler} was fitted on samples of {width} values; this data has {data.SampleSize}.", nameof(data));
        }
    }
}
