namespace FuncReg;

/// <summary>
/// The shape of one input sample, channels last as Keras: <c>new InputShape(784)</c> for feature vectors,
/// <c>new InputShape(28, 28, 1)</c> for images [height, width, channels]. Equal when the dimensions are equal.
/// </summary>
public sealed record InputShape
{
    private readonly int[] dimensions;

    /// <summary>A shape of one or more dimensions, each ≥ 1, of at most <see cref="TensorLimits.MaxElements"/> values in all.</summary>
    public InputShape(params int[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Length == 0 || dimensions.Any(d => d < 1))
        {
            throw new ArgumentException($"an input shape needs one or more dimensions, each ≥ 1; got [{string.Join(", ", dimensions)}].", nameof(dimensions));
        }
        TensorLimits.Check("an input shape", dimensions, "values per sample", "use smaller samples", nameof(dimensions));
        this.dimensions = [.. dimensions];
    }

    /// <summary>The dimensions, e.g. [28, 28, 1].</summary>
    public IReadOnlyList<int> Dimensions => dimensions;

    /// <summary>Values per sample, the product of the dimensions (≤ <see cref="TensorLimits.MaxElements"/>).</summary>
    public int Size => dimensions.Aggregate(1, (a, b) => checked(a * b));

    public bool Equals(InputShape? other) => other is not null && dimensions.AsSpan().SequenceEqual(other.dimensions);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in dimensions)
        {
            h.Add(d);
        }
        return h.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join("×", dimensions);

    internal int[] ToArray() => [.. dimensions];
}
