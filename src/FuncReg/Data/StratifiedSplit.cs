namespace FuncReg;

/// <summary>Splits that keep each class's share (scikit-learn's <c>train_test_split(..., stratify=y)</c>).</summary>
public static class StratifiedSplit
{
    /// <summary>
    /// Splits a labelled data set so that every class is divided in the same proportion: of the n_c samples of
    /// class c, <c>round(fraction · n_c)</c> (half away from zero) go to validation, chosen by a Fisher–Yates
    /// shuffle of the class's indices keyed by (<paramref name="seed"/>, <see cref="RandomStreams.Split"/>,
    /// step = c). Both parts keep the original order of their samples. Deterministic: the same data, fraction and
    /// seed give the same split.
    /// </summary>
    /// <param name="data">Data with integer labels.</param>
    /// <param name="fraction">Share of each class put in validation, in (0, 1).</param>
    /// <param name="seed">Seed of the split.</param>
    public static (Dataset Train, Dataset Validation) Split(this Dataset data, double fraction, long seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "validation fraction must be in (0, 1).");
        }
        if (!data.HasLabels || data.Count == 0)
        {
            throw new ArgumentException("a stratified split needs a non-empty data set with integer labels; use SplitLast for float targets.", nameof(data));
        }
        ReadOnlySpan<int> labels = data.Labels;
        var byClass = new SortedDictionary<int, List<int>>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (!byClass.TryGetValue(labels[i], out List<int>? members))
            {
                byClass[labels[i]] = members = [];
            }
            members.Add(i);
        }
        var toValidation = new bool[data.Count];
        foreach ((int label, List<int> members) in byClass)
        {
            int take = (int)Math.Round(fraction * members.Count, MidpointRounding.AwayFromZero);
            ulong key = CounterRandom.Key(seed, RandomStreams.Split, label);
            int[] order = [.. members];
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = CounterRandom.NextInt(key, i, i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            for (int k = 0; k < take; k++)
            {
                toValidation[order[k]] = true;
            }
        }
        int[] validation = [.. Enumerable.Range(0, data.Count).Where(i => toValidation[i])];
        int[] train = [.. Enumerable.Range(0, data.Count).Where(i => !toValidation[i])];
        if (train.Length == 0 || validation.Length == 0)
        {
            throw new ArgumentException($"fraction {fraction} of {data.Count} samples leaves an empty part; use a larger data set or another fraction.", nameof(fraction));
        }
        return (data.Select(train), data.Select(validation));
    }
}
