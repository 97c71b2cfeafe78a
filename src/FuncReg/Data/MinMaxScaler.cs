namespace FuncReg;

/// <summary>
/// Rescales each feature to [0, 1] over the data given to <see cref="Fit"/> (scikit-learn's <c>MinMaxScaler</c>):
/// <c>x' = (x − min_j) / (max_j − min_j)</c>; a constant feature (max_j = min_j) gets range 1, so it becomes 0.
/// Data transformed later may fall outside [0, 1]; it is not clipped. Fit on the training part only.
/// Immutable: <see cref="Transform"/> returns a new <see cref="Dataset"/>.
/// </summary>
public sealed record MinMaxScaler
{
    private readonly float[] min;
    private readonly float[] range;

    private MinMaxScaler(float[] min, float[] range)
    {
        this.min = min;
        this.range = range;
    }

    /// <summary>min_j per feature.</summary>
    public IReadOnlyList<float> Min => min;

    /// <summary>max_j − min_j per feature (1 where the feature was constant).</summary>
    public IReadOnlyList<float> Range => range;

    /// <summary>Minimum and range of every feature over <paramref name="train"/>.</summary>
    public static MinMaxScaler Fit(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
        {
            throw new ArgumentException("cannot fit a scaler on an empty data set.", nameof(train));
        }
        int d = train.SampleSize;
        ReadOnlySpan<float> x = train.Features;
        var lo = x[..d].ToArray();
        var hi = x[..d].ToArray();
        for (int i = d; i < x.Length; i++)
        {
            int j = i % d;
            lo[j] = Math.Min(lo[j], x[i]);
            hi[j] = Math.Max(hi[j], x[i]);
        }
        var range = new float[d];
        for (int j = 0; j < d; j++)
        {
            float r = hi[j] - lo[j];
            range[j] = r > 0 && float.IsFinite(r) ? r : 1f;
        }
        return new MinMaxScaler(lo, range);
    }

    /// <summary><c>(x − min) / range</c> per feature; the data must have as many values per sample as the fitted data.</summary>
    public Dataset Transform(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ScalerChecks.SameWidth(data, min.Length, nameof(MinMaxScaler));
        int d = min.Length;
        ReadOnlySpan<float> x = data.Features;
        var y = new float[x.Length];
        for (int i = 0; i < y.Length; i++)
        {
            int j = i % d;
            y[i] = (x[i] - min[j]) / range[j];
        }
        return data.WithOwnedFeatures(y);
    }

    public bool Equals(MinMaxScaler? other) => other is not null && min.AsSpan().SequenceEqual(other.min) && range.AsSpan().SequenceEqual(other.range);

    public override int GetHashCode() => HashCode.Combine(min.Length, min.Length > 0 ? min[0] : 0, range.Length > 0 ? range[0] : 0);
}
