namespace FuncReg;

/// <summary>
/// An immutable set of samples: features (row-major, <see cref="Count"/> × <see cref="SampleSize"/>) and either
/// integer labels or float targets (<see cref="TargetSize"/> per sample). Inputs are copied and checked:
/// lengths must agree and every feature and target must be finite.
/// </summary>
public sealed class Dataset
{
    private readonly float[] features;
    private readonly int[] labels;
    private readonly float[] targets;
    private readonly int[] sampleShape;

    private Dataset(float[] features, int[] labels, float[] targets, int[] sampleShape, int targetSize)
    {
        this.features = features;
        this.labels = labels;
        this.targets = targets;
        this.sampleShape = sampleShape;
        SampleSize = sampleShape.Aggregate(1, (a, b) => a * b);
        TargetSize = targetSize;
        Count = SampleSize == 0 ? 0 : features.Length / SampleSize;
    }

    /// <summary>Samples with integer class labels, e.g. <c>Dataset.From(x, y, sampleShape: [784])</c>.</summary>
    public static Dataset From(float[] features, int[] labels, int[] sampleShape)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        int size = CheckShape(sampleShape);
        CheckFeatures(features, size);
        if (features.Length / size != labels.Length)
        {
            throw new ShapeMismatchException($"{features.Length / size} samples of features but {labels.Length} labels.", nameof(labels));
        }
        return new Dataset([.. features], [.. labels], [], [.. sampleShape], 1);
    }

    /// <summary>Samples with float targets of <paramref name="targetSize"/> values each (one-hot rows, regression values).</summary>
    public static Dataset From(float[] features, float[] targets, int[] sampleShape, int targetSize)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        int size = CheckShape(sampleShape);
        Guard.Positive(targetSize);
        CheckFeatures(features, size);
        if (targets.Length != (features.Length / size) * targetSize)
        {
            throw new ShapeMismatchException($"{features.Length / size} samples need {(features.Length / size) * targetSize} target values ({targetSize} each), got {targets.Length}.", nameof(targets));
        }
        int bad = Array.FindIndex(targets, v => !float.IsFinite(v));
        if (bad >= 0)
        {
            throw new ArgumentException($"target {bad} (sample {bad / targetSize}) is {targets[bad]}; targets must be finite.", nameof(targets));
        }
        return new Dataset([.. features], [], [.. targets], [.. sampleShape], targetSize);
    }

    /// <summary>
    /// The same labels or targets and sample shape with other features (what a scaler returns): the features
    /// are copied and checked (same length, all finite).
    /// </summary>
    public Dataset WithFeatures(float[] newFeatures)
    {
        ArgumentNullException.ThrowIfNull(newFeatures);
        return WithOwnedFeatures([.. newFeatures]);
    }

    /// <summary><see cref="WithFeatures"/> without the copy: the dataset takes <paramref name="owned"/> over.</summary>
    internal Dataset WithOwnedFeatures(float[] owned)
    {
        if (owned.Length != features.Length)
        {
            throw new ShapeMismatchException($"{owned.Length} feature values for {Count} samples of {SampleSize} values ({features.Length} needed).", "newFeatures");
        }
        CheckFeatures(owned, SampleSize);
        return new Dataset(owned, labels, targets, sampleShape, TargetSize);
    }

    /// <summary>
    /// A labelled dataset that takes the arrays over without copying (loaders build large arrays once);
    /// the same checks as <see cref="From(float[], int[], int[])"/>.
    /// </summary>
    internal static Dataset FromOwned(float[] features, int[] labels, int[] sampleShape)
    {
        int size = CheckShape(sampleShape);
        CheckFeatures(features, size);
        if (features.Length / size != labels.Length)
        {
            throw new ShapeMismatchException($"{features.Length / size} samples of features but {labels.Length} labels.", nameof(labels));
        }
        return new Dataset(features, labels, [], [.. sampleShape], 1);
    }

    public int Count { get; }

    /// <summary>Values per sample (product of <see cref="SampleShape"/>).</summary>
    public int SampleSize { get; }

    public IReadOnlyList<int> SampleShape => sampleShape;

    /// <summary>1 for labels; the row length for float targets.</summary>
    public int TargetSize { get; }

    public bool HasLabels => labels.Length > 0 || (targets.Length == 0 && Count == 0);

    public ReadOnlySpan<float> Features => features;

    public ReadOnlySpan<int> Labels => labels;

    public ReadOnlySpan<float> Targets => targets;

    /// <summary>Features of sample <paramref name="i"/>.</summary>
    public ReadOnlySpan<float> Sample(int i) => features.AsSpan(i * SampleSize, SampleSize);

    /// <summary>The samples at <paramref name="indices"/>, in that order.</summary>
    public Dataset Select(ReadOnlySpan<int> indices)
    {
        var f = new float[indices.Length * SampleSize];
        var l = HasLabels ? new int[indices.Length] : [];
        var t = HasLabels ? [] : new float[indices.Length * TargetSize];
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"index must be in [0, {Count}).");
            }
            Sample(i).CopyTo(f.AsSpan(k * SampleSize));
            if (HasLabels)
            {
                l[k] = labels[i];
            }
            else
            {
                targets.AsSpan(i * TargetSize, TargetSize).CopyTo(t.AsSpan(k * TargetSize));
            }
        }
        return new Dataset(f, l, t, sampleShape, TargetSize);
    }

    /// <summary>Samples [start, start + count).</summary>
    public Dataset Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"slice [{start}, {start + count}) is outside [0, {Count}).");
        }
        return Select(Enumerable.Range(start, count).ToArray());
    }

    /// <summary>
    /// Keras's <c>validation_split</c>: the last ⌊fraction·Count⌋ samples, taken before any shuffling,
    /// become the validation set.
    /// </summary>
    public (Dataset Train, Dataset Validation) SplitLast(double fraction)
    {
        if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "validation split must be in (0, 1).");
        }
        int val = (int)Math.Floor(fraction * Count);
        if (val == 0 || val == Count)
        {
            throw new ArgumentException($"validation split {fraction} of {Count} samples leaves an empty part; use a larger dataset or another fraction.", nameof(fraction));
        }
        return (Slice(0, Count - val), Slice(Count - val, val));
    }

    private static int CheckShape(int[] sampleShape)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Length == 0 || sampleShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"sampleShape must be non-empty with every dimension ≥ 1, got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        }
        return sampleShape.Aggregate(1, (a, b) => a * b);
    }

    private static void CheckFeatures(float[] features, int size)
    {
        if (features.Length % size != 0)
        {
            throw new ShapeMismatchException($"{features.Length} feature values is not a whole number of samples of {size} values.", nameof(features));
        }
        int bad = Array.FindIndex(features, v => !float.IsFinite(v));
        if (bad >= 0)
        {
            throw new ArgumentException($"feature {bad % size} of sample {bad / size} is {features[bad]}; inputs must be finite (impute or drop such samples).", nameof(features));
        }
    }
}
