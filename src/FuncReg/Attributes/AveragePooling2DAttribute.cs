namespace FuncReg;

/// <summary>
/// An <see cref="FuncReg.AveragePooling2D"/> layer: per channel, <c>y[oy, ox, c]</c> = the mean of x over the window's
/// positions inside the input (padding not counted). Defaults as <see cref="MaxPooling2DAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AveragePooling2DAttribute : Attribute
{
    /// <summary>A square <paramref name="poolSize"/> × <paramref name="poolSize"/> pool (default 2).</summary>
    public AveragePooling2DAttribute(int poolSize = 2)
        : this(poolSize, poolSize)
    {
    }

    /// <summary>A <paramref name="poolHeight"/> × <paramref name="poolWidth"/> pool.</summary>
    public AveragePooling2DAttribute(int poolHeight, int poolWidth)
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
