namespace FuncReg;

/// <summary>
/// The size limit of every tensor a model holds, checked by <see cref="Sequential.Validate"/> before anything is
/// allocated: a sample's values at any layer (the input shape and each layer's output shape), each parameter tensor
/// (a Dense kernel inputs × units, a Conv2D kernel kh × kw × cin × filters) and the window of a Conv2D or pooling layer
/// over one sample (its im2col patches, oh·ow × kh·kw·c, and one patch kh·kw·c) may hold at most
/// <see cref="MaxElements"/> values. Products are computed exactly (in 128-bit integers), so no size overflows.
/// </summary>
public static class TensorLimits
{
    /// <summary>The most elements one tensor may hold: 2,147,483,591, the length limit of a .NET array (<see cref="Array.MaxLength"/>).</summary>
    public const int MaxElements = 0x7FFFFFC7;

    /// <summary>The exact product of <paramref name="dims"/>.</summary>
    internal static Int128 Product(ReadOnlySpan<int> dims)
    {
        Int128 p = 1;
        foreach (int d in dims)
        {
            p *= d;
        }
        return p;
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> (<c>"dense_0: a kernel of 2 × 2000000000 = 4000000000 weights exceeds the
    /// 2147483591 elements one tensor can hold; use fewer units."</c>, <paramref name="subject"/> first) when the product of
    /// <paramref name="dims"/> exceeds <see cref="MaxElements"/>.
    /// </summary>
    internal static void Check(string subject, ReadOnlySpan<int> dims, string unit, string fix, string paramName = "Layers")
    {
        Int128 p = Product(dims);
        if (p > MaxElements)
        {
            throw new ArgumentException($"{subject} of {string.Join(" × ", dims.ToArray())} = {p} {unit} exceeds the {MaxElements} elements one tensor can hold; {fix}.", paramName);
        }
    }
}
