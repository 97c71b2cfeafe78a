namespace FuncReg;

/// <summary>
/// Fully connected layer: <c>y = f(x·W + b)</c>, kernel W of shape [inputs, units] (Keras layout), bias b
/// of shape [units]. Penalties: <see cref="KernelRegularizer"/> on W, <see cref="BiasRegularizer"/> on b
/// (added to the loss as is) and <see cref="ActivityRegularizer"/> on y (divided by the batch size).
/// Constraints are projections applied after each update. Defaults as Keras: Glorot-uniform kernel,
/// zero bias, no penalties.
/// </summary>
public sealed record Dense : Layer
{
    /// <summary>A dense layer of <paramref name="units"/> outputs with activation <paramref name="activation"/>.</summary>
    public Dense(int units, Activation activation = Activation.Linear)
    {
        Units = units;
        Activation = activation;
    }

    /// <summary>Number of output units, ≥ 1.</summary>
    public int Units { get; init => field = Guard.Positive(value, nameof(Units)); }

    public Activation Activation { get; init; }

    /// <summary>α of leaky ReLU (default 0.2) or ELU (default 1); null takes the default.</summary>
    public double? Alpha { get; init => field = value is { } a ? Guard.NonNegative(a, nameof(Alpha)) : null; }

    public bool UseBias { get; init; } = true;

    public Initializer KernelInitializer { get; init; } = Initializer.GlorotUniform;

    public Initializer BiasInitializer { get; init; } = Initializer.Zeros;

    public Regularizer? KernelRegularizer { get; init; }

    public Regularizer? BiasRegularizer { get; init; }

    /// <summary>Penalty on the layer's output y, divided by the batch size: <c>Ω(y)/N</c>.</summary>
    public Regularizer? ActivityRegularizer { get; init; }

    /// <summary>Applied to the kernel, per unit (column), after each update.</summary>
    public Constraint? KernelConstraint { get; init; }

    public Constraint? BiasConstraint { get; init; }

    public override string Kind => "dense";

    /// <summary>α actually used.</summary>
    public double EffectiveAlpha => Alpha ?? ActivationFunctions.DefaultAlpha(Activation);

    internal override int[] OutputShape(int[] input, string name) => input.Length == 1
        ? [Units]
        : throw new ArgumentException($"{name}: a Dense layer needs a 1-D input, but gets [{string.Join(", ", input)}]; put a Flatten (or GlobalAveragePooling2D) before it.", "Layers");

    /// <summary>The output [units] and the kernel [inputs, units] must each fit <see cref="TensorLimits.MaxElements"/>.</summary>
    internal override void CheckSizes(int[] input, int[] output, string name)
    {
        TensorLimits.Check($"{name}: an output", output, "values per sample", "use fewer units");
        TensorLimits.Check($"{name}: a kernel", [input[0], Units], "weights", "use fewer units");
    }
}
