namespace FuncReg;

/// <summary>
/// A 2-D pooling window over channels-last images, applied to each channel separately: input [h, w, c],
/// output [oh, ow, c] with oh, ow from <see cref="FuncReg.Padding"/>. Strides default to the pool size (Keras).
/// </summary>
public abstract record Pooling2D : Layer
{
    protected Pooling2D((int Height, int Width) poolSize) => PoolSize = poolSize;

    /// <summary>Window (height, width), each ≥ 1; Keras default (2, 2).</summary>
    public (int Height, int Width) PoolSize { get; init => field = Pair.Positive(value, nameof(PoolSize)); }

    /// <summary>Strides; null (default) means the pool size.</summary>
    public (int Height, int Width)? Strides { get; init => field = value is { } s ? Pair.Positive(s, nameof(Strides)) : null; }

    /// <summary>Keras default <see cref="Padding.Valid"/>.</summary>
    public Padding Padding { get; init; } = Padding.Valid;

    /// <summary>Strides actually used.</summary>
    public (int Height, int Width) EffectiveStrides => Strides ?? PoolSize;

    /// <summary>The window of this pooling over an [h, w, c] input (validated by <see cref="Sequential"/>).</summary>
    public Window2D WindowOver(IReadOnlyList<int> input) =>
        Window2D.TryCreate(input[0], input[1], input[2], PoolSize, EffectiveStrides, Padding) ?? throw new ArgumentException("the pool does not fit the input", nameof(input));

    internal override int[] OutputShape(int[] input, string name)
    {
        RequireImage(input, name);
        Window2D w = Window2D.TryCreate(input[0], input[1], input[2], PoolSize, EffectiveStrides, Padding)
            ?? throw new ArgumentException($"{name}: the {PoolSize.Height}×{PoolSize.Width} pool does not fit its {input[0]}×{input[1]} input with valid padding; use Padding = Padding.Same or a smaller pool.", "Layers");
        return [w.OutputHeight, w.OutputWidth, input[2]];
    }

    /// <summary>One window [kh, kw, c] must fit <see cref="TensorLimits.MaxElements"/> (the output never exceeds the input).</summary>
    internal override void CheckSizes(int[] input, int[] output, string name) =>
        TensorLimits.Check($"{name}: a pooling window", [PoolSize.Height, PoolSize.Width, input[2]], "values", "use a smaller pool");
}

/// <summary>
/// Keras <c>MaxPooling2D</c>: <c>y[oy, ox, c] = max over the window of x[iy, ix, c]</c>, padding positions
/// ignored (−∞). The gradient flows to the first maximal position of each window (row-major order).
/// </summary>
public sealed record MaxPooling2D : Pooling2D
{
    /// <summary>Max pooling over <paramref name="poolSize"/> windows (strides default to the pool size).</summary>
    public MaxPooling2D((int Height, int Width) poolSize)
        : base(poolSize)
    {
    }

    /// <summary>Square pooling, Keras default 2 × 2.</summary>
    public MaxPooling2D(int poolSize = 2)
        : base((poolSize, poolSize))
    {
    }

    public override string Kind => "max_pooling2d";
}

/// <summary>
/// Keras <c>AveragePooling2D</c>: <c>y[oy, ox, c] = mean of x[iy, ix, c] over the window's positions inside
/// the input</c> — with same padding the padded positions are not counted (TensorFlow's rule).
/// </summary>
public sealed record AveragePooling2D : Pooling2D
{
    /// <summary>Average pooling over <paramref name="poolSize"/> windows (strides default to the pool size).</summary>
    public AveragePooling2D((int Height, int Width) poolSize)
        : base(poolSize)
    {
    }

    /// <summary>Square pooling, Keras default 2 × 2.</summary>
    public AveragePooling2D(int poolSize = 2)
        : base((poolSize, poolSize))
    {
    }

    public override string Kind => "average_pooling2d";
}
