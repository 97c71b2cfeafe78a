namespace FuncReg;

/// <summary>
/// A <see cref="FuncReg.MaxPooling2D"/> layer: per channel, <c>y[oy, ox, c] = max</c> of x over the window's positions
/// inside the input (the gradient flows to the first maximum, row-major). Keras defaults: a 2 × 2 pool, strides = the
/// pool size, valid padding (output <c>⌊(in − k)/s⌋ + 1</c>; same: <c>⌈in/s⌉</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPooling2DAttribute : Attribute
{
    /// <summary>A square <paramref name="poolSize"/> × <paramref name="poolSize"/> pool (default 2).</summary>
    public MaxPooling2DAttribute(int poolSize = 2)
        : this(poolSize, poolSize)
    {
    }

    /// <summary>A <paramref name="poolHeight"/> × <paramref name="poolWidth"/> pool.</summary>
    public MaxPooling2DAttribute(int poolHeight, int poolWidth)
    {
        PoolHeight = poolHeight;
        PoolWidth = poolWidth;
    }

    /// <summary>Window height, ≥ 1.</summary>
    public int PoolHeight { get; }

    /// <summary>Window width, ≥ 1.</summary>
    public int PoolWidth { get; }

    /// <summary>The same stride ≥ 1 along both axes; when neither this nor <see cref="StrideHeight"/>/<see cref="StrideWidth"/> is given, the strides are the pool size.</summary>
    public int Strides { get; set; }

    /// <summary>Vertical stride ≥ 1 (with <see cref="StrideWidth"/>); default the pool height.</summary>
    public int StrideHeight { get; set; }

    /// <summary>Horizontal stride ≥ 1 (with <see cref="StrideHeight"/>); default the pool width.</summary>
    public int StrideWidth { get; set; }

    /// <summary>Border handling; Keras default <see cref="Padding.Valid"/>.</summary>
    public Padding Padding { get; set; } = Padding.Valid;
}
