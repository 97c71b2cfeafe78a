using System.Numerics;

namespace FuncReg;

/// <summary>
/// The targets of one batch: either integer labels (one per sample) or float values
/// (one row of <c>units</c> per sample). Exactly one of the two is non-empty.
/// </summary>
public readonly ref struct Targets<T>
    where T : IFloatingPointIeee754<T>
{
    public Targets(ReadOnlySpan<int> labels, ReadOnlySpan<T> values)
    {
        Labels = labels;
        Values = values;
    }

    public ReadOnlySpan<int> Labels { get; }

    public ReadOnlySpan<T> Values { get; }

    public bool HasLabels => !Labels.IsEmpty;

    public static Targets<T> FromLabels(ReadOnlySpan<int> labels) => new(labels, default);

    public static Targets<T> FromValues(ReadOnlySpan<T> values) => new(default, values);

    /// <summary>Target of sample r, unit j of <paramref name="units"/>: the value, or for labels one-hot (K &gt; 1) or the label itself (K = 1).</summary>
    public T At(int r, int j, int units)
    {
        if (HasLabels)
        {
            return units == 1 ? T.CreateChecked(Labels[r]) : (Labels[r] == j ? T.One : T.Zero);
        }
        return Values[(r * units) + j];
    }
}
