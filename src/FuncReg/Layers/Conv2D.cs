namespace FuncReg;

/// <summary>
/// 2-D convolution over channels-last images (Keras <c>Conv2D</c>, cross-correlation as every framework):
/// input [h, w, cin], kernel K of shape [kh, kw, cin, filters] (Keras layout), bias b [filters],
/// <c>z[oy, ox, f] = b[f] + Σ_{ky, kx, c} x[oy·sh − padTop + ky, ox·sw − padLeft + kx, c]·K[ky, kx, c, f]</c>
/// (padding positions read 0), <c>y = act(z)</c>, output [oh, ow, filters] with oh, ow and the padding from
/// <see cref="FuncReg.Padding"/>. Defaults as Keras: strides (1, 1), valid padding, linear activation,
/// Glorot-uniform kernel with <c>fan_in = kh·kw·cin</c>, <c>fan_out = kh·kw·filters</c>, zero bias.
/// Penalties as <see cref="Dense"/> (activity: <c>Ω(y)/N</c>, N the batch size); a kernel constraint
/// treats the kernel as [kh·kw·cin, filters], so MaxNorm bounds each filter's norm over all axes but the last.
/// </summary>
public sealed record Conv2D : Layer
{
    /// <summary>A convolution with <paramref name="filters"/> output channels and a window of <paramref name="kernelSize"/>.</summary>
    public Conv2D(int filters, (int Height, int Width) kernelSize, Activation activation = Activation.Linear)
    {
        Filters = filters;
        KernelSize = kernelSize;
        Activation = activation;
    }

    /// <summary>A square kernel of <paramref name="kernelSize"/> × <paramref name="kernelSize"/>.</summary>
    public Conv2D(int filters, int kernelSize, Activation activation = Activation.Linear)
        : this(filters, (kernelSize, kernelSize), activation)
    {
    }

    /// <summary>Output channels, ≥ 1.</summary>
    public int Filters { get; init => field = Guard.Positive(value, nameof(Filters)); }

    /// <summary>Window (height, width), each ≥ 1.</summary>
    public (int Height, int Width) KernelSize { get; init => field = Pair.Positive(value, nameof(KernelSize)); }

    /// <summary>Strides (height, width), each ≥ 1; default (1, 1).</summary>
    public (int Height, int Width) Strides { get; init => field = Pair.Positive(value, nameof(Strides)); } = (1, 1);

    /// <summary>Keras default <see cref="Padding.Valid"/>.</summary>
    public Padding Padding { get; init; } = Padding.Valid;

    /// <summary>Element-wise activation (softmax is not allowed on a convolution).</summary>
    public Activation Activation { get; init; }

    /// <summary>α of leaky ReLU or ELU; null takes the default.</summary>
    public double? Alpha { get; init => field = value is { } a ? Guard.NonNegative(a, nameof(Alpha)) : null; }

    public bool UseBias { get; init; } = true;

    public Initializer KernelInitializer { get; init; } = Initializer.GlorotUniform;

    public Initializer BiasInitializer { get; init; } = Initializer.Zeros;

    public Regularizer? KernelRegularizer { get; init; }

    public Regularizer? BiasRegularizer { get; init; }

    /// <summary>Penalty on the layer's output y, divided by the batch size: <c>Ω(y)/N</c>.</summary>
    public Regularizer? ActivityRegularizer { get; init; }

    /// <summary>Applied to the kernel viewed as [kh·kw·cin, filters] (per filter), after each update.</summary>
    public Constraint? KernelConstraint { get; init; }

    public Constraint? BiasConstraint { get; init; }

    public override string Kind => "conv2d";

    /// <summary>α actually used.</summary>
    public double EffectiveAlpha => Alpha ?? ActivationFunctions.DefaultAlpha(Activation);

    /// <summary>The window of this convolution over an [h, w, c] input (validated by <see cref="Sequential"/>).</summary>
    public Window2D WindowOver(IReadOnlyList<int> input) =>
        Window2D.TryCreate(input[0], input[1], input[2], KernelSize, Strides, Padding) ?? throw new ArgumentException("the kernel does not fit the input", nameof(input));

    internal override int[] OutputShape(int[] input, string name)
    {
        RequireImage(input, name);
        if (Activation == Activation.Softmax)
        {
            throw new ArgumentException($"{name}: softmax is not allowed on a Conv2D; use relu (or another element-wise activation), then Flatten and a Dense softmax.", "Layers");
        }
        Window2D w = Window2D.TryCreate(input[0], input[1], input[2], KernelSize, Strides, Padding)
            ?? throw new ArgumentException($"{name}: the {KernelSize.Height}×{KernelSize.Width} kernel is larger than its {input[0]}×{input[1]} input with valid padding; use Padding = Padding.Same or a smaller kernel.", "Layers");
        return [w.OutputHeight, w.OutputWidth, Filters];
    }

    /// <summary>
    /// The output [oh, ow, filters], the kernel [kh, kw, cin, filters], one patch [kh, kw, cin] and a sample's im2col patches
    /// [oh·ow, kh·kw·cin] must each fit <see cref="TensorLimits.MaxElements"/>.
    /// </summary>
    internal override void CheckSizes(int[] input, int[] output, string name)
    {
        TensorLimits.Check($"{name}: an output", output, "values per sample", "use fewer filters or larger strides");
        TensorLimits.Check($"{name}: a kernel", [KernelSize.Height, KernelSize.Width, input[2], Filters], "weights", "use a smaller kernel or fewer filters");
        TensorLimits.Check($"{name}: the im2col patches", [output[0], output[1], KernelSize.Height, KernelSize.Width, input[2]], "values per sample", "use a smaller kernel, larger strides or a smaller input");
    }
}

/// <summary>Checks of (height, width) pairs.</summary>
internal static class Pair
{
    public static (int Height, int Width) Positive((int Height, int Width) value, string name)
    {
        if (value.Height < 1 || value.Width < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, "both sizes must be ≥ 1");
        }
        return value;
    }
}
